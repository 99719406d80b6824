"""Remote engines: file throughput at 1, 2, 4, 8 in flight, and dictation's release → final.

Against a server the user names (``--url``: an OpenAI-compatible ``http(s)://…/v1``
or ``wyoming://HOST:PORT``), on the speech corpus:

* **File throughput**, in audio seconds per wall second: every recording through
  ``saytype``'s remote file engine with 1, 2, 4… requests in flight (as
  ``transcribe --jobs N``), against the local model transcribing them one by one
  in the same run, with the WER of each pass.
* **Dictation, release → final**: recordings fed to a remote utterance in 150 ms
  blocks at real-time pace, as a held hotkey does (a Wyoming server hears them
  while "speaking"; an OpenAI-compatible one gets the WAV at the release), then the
  wait for the server's text after the release, with its WER.

It prints figures and asserts nothing; the figures are what docs/scaling.md reads.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.benchmarks.speech_corpus import SpeechItem
from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileReader
from app.core.engine.cancellation import CancellationToken
from app.core.engine.engine_choice import parse_url
from app.core.engine.file_engine import FileEngine
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.engine.remote.dictation_engine import remote_utterance
from saytype_bench.accuracy import word_error_rate

_BLOCK_S = 0.15  # what the microphone hands over at a time
LEVELS = (1, 2, 4, 8)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's own options."""
    remote = parser.add_argument_group("remote")
    remote.add_argument(
        "--url", required=True, help="http(s)://HOST:PORT/v1 or wyoming://HOST:PORT"
    )
    remote.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="the most requests in flight to measure: 1, 2, 4… up to N (default 8)",
    )
    remote.add_argument(
        "--remote-model", default="", metavar="M", help="model name sent to the server"
    )
    remote.add_argument(
        "--dictations", type=int, default=8, metavar="N", help="recordings dictated (default 8)"
    )
    remote.add_argument(
        "--limit", type=int, default=0, metavar="N", help="use only the first N recordings"
    )


@dataclass(frozen=True)
class Throughput:
    """One pass over the recordings."""

    in_flight: int  # 0: the local model, one file at a time
    audio_s: float
    wall_s: float
    wer: float

    @property
    def rate(self) -> float:
        """Audio seconds transcribed per wall second."""
        return self.audio_s / self.wall_s if self.wall_s > 0 else 0.0


@dataclass(frozen=True)
class RemoteResult:
    """Everything the benchmark measured."""

    url: str
    protocol: str
    recordings: int
    local: Throughput
    remote: tuple[Throughput, ...]
    release_to_final_s: tuple[float, ...]
    dictation_wer: float


def run_remote_benchmark(
    host: ModelHost, items: list[SpeechItem], args: argparse.Namespace
) -> RemoteResult:
    """Measure local against remote on ``items`` (see the module's docstring)."""
    from app.commands.engine_args import RemoteTarget, remote_file_engine

    choice = parse_url(args.url)
    key = os.environ.get("SAYTYPE_API_KEY", "")
    model = args.remote_model or ("whisper-1" if choice.kind == "openai" else "")
    target = RemoteTarget(choice, model, None, 600.0, None, key)
    local = _throughput(FileTranscriber(host), items, 0)
    levels = [level for level in LEVELS if level <= args.concurrency] or [1]
    # An engine per level: its in-flight limit holds across the pool's threads.
    remote = tuple(
        _throughput(remote_file_engine(target, in_flight=level), items, level) for level in levels
    )
    latencies: list[float] = []
    heard: list[str] = []
    for item in items[: args.dictations]:
        audio = _samples(item.path)
        utterance = remote_utterance(choice.kind, choice.url, model, None, 600.0, api_key=key)
        try:
            started = time.perf_counter()
            for index, start in enumerate(range(0, len(audio), round(_BLOCK_S * SAMPLE_RATE))):
                _wait_until(started + index * _BLOCK_S)  # real-time pace, as a microphone
                utterance.push(audio[start : start + round(_BLOCK_S * SAMPLE_RATE)])
            _wait_until(started + len(audio) / SAMPLE_RATE)  # the key is released now
            released = time.perf_counter()
            text = utterance.finish(audio, CancellationToken()) or ""
            latencies.append(time.perf_counter() - released)
            heard.append(text)
        finally:
            utterance.close()
    references = [item.reference for item in items[: args.dictations]]
    return RemoteResult(
        url=choice.url,
        protocol=choice.kind,
        recordings=len(items),
        local=local,
        remote=remote,
        release_to_final_s=tuple(latencies),
        dictation_wer=word_error_rate(references, heard) if heard else 0.0,
    )


def _throughput(engine: FileEngine, items: list[SpeechItem], in_flight: int) -> Throughput:
    options = TranscribeOptions(language="en")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, in_flight)) as pool:
        transcripts = list(pool.map(lambda item: engine.transcribe_file(item.path, options), items))
    wall = time.perf_counter() - started
    return Throughput(
        in_flight,
        sum(t.duration for t in transcripts),
        wall,
        word_error_rate([item.reference for item in items], [t.text for t in transcripts]),
    )


def _samples(path: Path) -> np.ndarray[Any, np.dtype[np.float32]]:
    reader = AudioFileReader(path)
    return np.concatenate(list(reader.chunks())).astype(np.float32)


def _wait_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        time.sleep(delay)  # pacing the audio like a microphone, not synchronising


def to_json(result: RemoteResult) -> dict[str, Any]:
    """The result as one JSON object."""

    def run(throughput: Throughput) -> dict[str, Any]:
        return {
            "in_flight": throughput.in_flight,
            "audio_s": round(throughput.audio_s, 2),
            "wall_s": round(throughput.wall_s, 3),
            "audio_s_per_s": round(throughput.rate, 2),
            "wer": round(throughput.wer, 4),
        }

    latencies = sorted(result.release_to_final_s)
    return {
        "url": result.url,
        "protocol": result.protocol,
        "recordings": result.recordings,
        "local_sequential": run(result.local),
        "remote": [run(throughput) for throughput in result.remote],
        "dictation": {
            "count": len(latencies),
            "release_to_final_median_s": round(latencies[len(latencies) // 2], 3)
            if latencies
            else None,
            "release_to_final_max_s": round(latencies[-1], 3) if latencies else None,
            "wer": round(result.dictation_wer, 4),
        },
    }


def format_report(result: RemoteResult) -> str:
    """The figures as a short table."""
    lines = [
        f"Remote engine {result.url} ({result.protocol}), {result.recordings} recordings",
        f"{'pass':<22}{'audio s/s':>10}{'vs local':>10}{'WER':>8}",
    ]
    base = result.local.rate or 1.0
    for throughput in (result.local, *result.remote):
        name = (
            "local, one at a time"
            if throughput.in_flight == 0
            else f"remote, {throughput.in_flight} in flight"
        )
        lines.append(
            f"{name:<22}{throughput.rate:>10.2f}{throughput.rate / base:>9.2f}x"
            f"{throughput.wer * 100:>7.1f}%"
        )
    data = to_json(result)["dictation"]
    if data["count"]:
        lines.append(
            f"dictation, release → final: median {data['release_to_final_median_s']:.3f} s, "
            f"max {data['release_to_final_max_s']:.3f} s over {data['count']} "
            f"(WER {result.dictation_wer * 100:.1f} %)"
        )
    return "\n".join(lines)
