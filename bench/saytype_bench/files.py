"""``python bench/files.py``: long-file memory, batched vs sequential speed, dictation while busy.

Three measurements, all in one run on the same audio (the shared corpus of real
speech, or hibari-tts sentences when it is absent, repeated with pauses):

* **Long file** — a ``--minutes`` WAV (120 by default) written to disk and
  transcribed by Saytype in a fresh process; peak RSS against the RSS with the
  model loaded (goal: at most +300 MB).
* **Modes** — the first ``--clip-minutes`` of it, each in a fresh process:
  Saytype sequential, batched 8 and 16, and faster-whisper's own ``transcribe``
  (whole file in one call), with speed, peak memory, WER and ratios.
* **Dictation while busy** — release→final latency of live dictations at real
  time: idle; while a file job runs on the same model behind the dictation gate;
  the same without the gate; and with the file job on a second model instance
  (goal: one model with the gate within 1.5x of idle).

Figures are printed next to their goals; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.benchmarks.speech_clips import Clip
from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.engine.process_memory import rss_mb
from saytype_bench.accuracy import word_error_rate
from saytype_bench.file_memory import ChildFigures, measure_in_child, write_speech_wav
from saytype_bench.live import dictate

GAP_S = 0.8  # pause between clips in the long file
RSS_GOAL_MB = 300.0
LATENCY_GOAL_RATIO = 1.5
BATCH_SIZES = (8, 16)
CONDITIONS = ("idle", "one model + gate", "one model, no gate", "two models")


@dataclass(frozen=True)
class FilesResult:
    """Everything one run measured."""

    model: str
    source: str
    long_file: ChildFigures
    long_reference_words: int
    modes: list[ChildFigures]
    modes_wer: list[float]
    latency_s: dict[str, list[float]]
    second_model_mb: float

    @property
    def long_words_ratio(self) -> float:
        """Words heard over words said in the long file (near 1: none lost, none doubled)."""
        return len(self.long_file.text.split()) / max(1, self.long_reference_words)

    def median_latency(self, condition: str) -> float | None:
        """Median release→final seconds under ``condition``."""
        values = self.latency_s.get(condition) or []
        return statistics.median(values) if values else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python bench/files.py`` (``--minutes`` is shared with soak)."""
    group = parser.add_argument_group("files", "Long files, batched mode, dictation while busy.")
    group.add_argument(
        "--clip-minutes",
        type=float,
        default=5.0,
        metavar="M",
        help="length of the clip the modes are compared on (default 5)",
    )
    group.add_argument(
        "--latency-dictations",
        type=int,
        default=4,
        metavar="N",
        help="dictations timed per condition (default 4)",
    )


def run_files_benchmark(
    host: ModelHost,
    clips: Sequence[Clip],
    *,
    minutes: float = 120.0,
    clip_minutes: float = 5.0,
    dictations: int = 4,
    source: str = "",
    progress: Callable[[str], None] | None = None,
) -> FilesResult:
    """Run the three measurements (see the module docstring)."""
    report = progress or (lambda _line: None)
    model = host.source.name
    with tempfile.TemporaryDirectory(prefix="saytype-bench-files-") as folder:
        long_path = Path(folder) / "long.wav"
        clip_path = Path(folder) / "clip.wav"
        report(f"Writing a {minutes:g}-minute WAV…")
        long_reference = write_speech_wav(clips, long_path, minutes * 60, GAP_S)
        clip_reference = write_speech_wav(clips, clip_path, clip_minutes * 60, GAP_S)
        report(f"Transcribing {minutes:g} minutes in a fresh process…")
        long_file = measure_in_child(model, long_path, "saytype")
        modes: list[ChildFigures] = []
        for mode, batch in [("saytype", 0), *[("saytype", b) for b in BATCH_SIZES]]:
            report(f"Clip: Saytype {'batch ' + str(batch) if batch else 'sequential'}…")
            modes.append(measure_in_child(model, clip_path, mode, batch))
        report("Clip: faster-whisper's own transcribe…")
        modes.append(measure_in_child(model, clip_path, "faster-whisper"))
        latency, second_mb = _dictation_latency(host, clips, clip_path, dictations, report)
    return FilesResult(
        model=model,
        source=source,
        long_file=long_file,
        long_reference_words=len(long_reference.split()),
        modes=modes,
        modes_wer=[word_error_rate([clip_reference], [m.text]) for m in modes],
        latency_s=latency,
        second_model_mb=second_mb,
    )


def _utterances(clips: Sequence[Clip], count: int) -> list[Clip]:
    """``count`` clips of everyday dictation length (3-15 s), the longest first."""
    fitting = [c for c in clips if 3.0 <= len(c.audio) / 16_000 <= 15.0] or list(clips)
    fitting.sort(key=lambda c: -len(c.audio))
    return [fitting[i % len(fitting)] for i in range(count)]


def _dictation_latency(
    host: ModelHost,
    clips: Sequence[Clip],
    file_path: Path,
    count: int,
    report: Callable[[str], None],
) -> tuple[dict[str, list[float]], float]:
    pipeline = LivePipeline(host)
    pipeline.warm_up()
    utterances = _utterances(clips, count)
    dictate(pipeline, utterances[-1].audio, speed=0)  # warm-up, untimed
    latency: dict[str, list[float]] = {}
    second_mb = 0.0
    for condition in CONDITIONS:
        report(f"Dictation latency: {condition}…")
        gate = PauseGate() if condition == "one model + gate" else None
        file_host = host
        if condition == "two models":
            before = rss_mb()
            file_host = ModelHost(host.source, host.options)
            file_host.get()
            second_mb = rss_mb() - before
        busy = None if condition == "idle" else _BusyFileJob(file_host, file_path, gate)
        times: list[float] = []
        try:
            for utterance in utterances:
                if gate is not None:
                    gate.close()  # the app closes it while a dictation runs
                try:
                    trace = dictate(pipeline, utterance.audio, speed=1.0)
                finally:
                    if gate is not None:
                        gate.release()
                if trace.release_to_final_s is not None:
                    times.append(trace.release_to_final_s)
        finally:
            if busy is not None:
                busy.stop()
        latency[condition] = times
    return latency, second_mb


class _BusyFileJob:
    """Transcribes a file over and over on a thread until stopped."""

    def __init__(self, host: ModelHost, path: Path, gate: PauseGate | None) -> None:
        self._files = FileTranscriber(host)
        self._path = path
        self._gate = gate
        self._cancel = CancellationToken()
        self._thread = threading.Thread(target=self._run, name="bench-file-job", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._cancel.cancelled:
            self._files.transcribe_file(self._path, cancel=self._cancel, gate=self._gate)

    def stop(self) -> None:
        self._cancel.cancel()
        self._thread.join()


def to_json(result: FilesResult) -> dict[str, Any]:
    """The figures as one JSON object, with the ratios the report prints."""
    idle = result.median_latency("idle")
    sequential = result.modes[0]
    return {
        "benchmark": "files",
        **asdict(result),
        "long_file_growth_mb": result.long_file.growth_mb,
        "long_file_goal_met": result.long_file.growth_mb <= RSS_GOAL_MB,
        "long_words_ratio": result.long_words_ratio,
        "speed_x": [m.speed_x for m in result.modes],
        "speed_vs_sequential": [m.speed_x / sequential.speed_x for m in result.modes],
        "latency_median_s": {c: result.median_latency(c) for c in CONDITIONS},
        "latency_ratio_vs_idle": {
            c: (median / idle if idle and median is not None else None)
            for c in CONDITIONS
            for median in [result.median_latency(c)]
        },
    }


def format_report(result: FilesResult) -> str:
    """A plain-text report: figures next to their goals."""
    data = to_json(result)
    long = result.long_file
    lines = [
        f"bench/files.py — model {result.model}, speech: {result.source}",
        "",
        f"Long file: {long.audio_s / 60:.1f} min transcribed in {long.elapsed_s:.0f} s "
        f"({long.speed_x:.1f}x real time)",
        f"  RSS with the model loaded {long.loaded_rss_mb:.0f} MB, peak {long.peak_rss_mb:.0f} MB:"
        f" +{long.growth_mb:.0f} MB (goal <= +{RSS_GOAL_MB:.0f} MB: "
        f"{'met' if data['long_file_goal_met'] else 'NOT met'})",
        f"  words heard / words said: {result.long_words_ratio:.3f}",
        "",
        f"Modes on a {result.modes[0].audio_s / 60:.1f}-minute clip (each in a fresh process):",
        f"  {'mode':<28}{'speed':>9}{'vs seq':>8}{'peak +MB':>10}{'WER':>8}",
    ]
    for figures, wer, ratio in zip(
        result.modes, result.modes_wer, data["speed_vs_sequential"], strict=True
    ):
        name = (
            "faster-whisper transcribe"
            if figures.mode == "faster-whisper"
            else (f"Saytype batch {figures.batch_size}" if figures.batch_size else "Saytype seq")
        )
        lines.append(
            f"  {name:<28}{figures.speed_x:>8.1f}x{ratio:>7.2f}x"
            f"{figures.growth_mb:>10.0f}{wer * 100:>7.1f}%"
        )
    lines += ["", "Dictation release→final (median of each condition):"]
    for condition in CONDITIONS:
        median = data["latency_median_s"][condition]
        ratio = data["latency_ratio_vs_idle"][condition]
        shown = "n/a" if median is None else f"{median:.2f} s"
        times = ", ".join(f"{t:.2f}" for t in result.latency_s[condition])
        ratio_text = "" if ratio is None else f" ({ratio:.2f}x idle)"
        lines.append(f"  {condition:<20}{shown:>9}{ratio_text}  [{times}]")
    lines.append(
        f"  goal: one model + gate within {LATENCY_GOAL_RATIO}x idle; a second model "
        f"instance costs +{result.second_model_mb:.0f} MB RSS"
    )
    return "\n".join(lines)
