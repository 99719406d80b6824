"""One file transcription in a fresh process, reporting its time and its peak memory.

Peak RSS is a property of a whole process, so each configuration runs in its
own child (``python -m saytype_bench.file_memory``): the child loads the model,
notes the loaded RSS, resets the kernel's high-water mark (``/proc/self/clear_refs``)
so that the model load's own transient does not count, transcribes, and prints
one JSON line. A sampling thread backs the high-water mark up where the reset is
not allowed. Also here: writing a long speech WAV to disk without holding it in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.benchmarks.speech_clips import Clip
from app.core.audio.file_decoder import SAMPLE_RATE

MODES = ("saytype", "faster-whisper")
_STATUS = Path("/proc/self/status")
_SAMPLE_EVERY_S = 0.05


@dataclass(frozen=True)
class ChildFigures:
    """What one child process measured."""

    mode: str
    batch_size: int
    loaded_rss_mb: float
    peak_rss_mb: float
    elapsed_s: float
    audio_s: float
    text: str

    @property
    def growth_mb(self) -> float:
        """Peak RSS above the model-loaded RSS."""
        return self.peak_rss_mb - self.loaded_rss_mb

    @property
    def speed_x(self) -> float:
        """Seconds of audio per second of compute."""
        return self.audio_s / self.elapsed_s if self.elapsed_s > 0 else 0.0


def write_speech_wav(clips: Sequence[Clip], path: Path, seconds: float, gap_s: float) -> str:
    """Write ``clips`` (with ``gap_s`` pauses) repeated to ``seconds`` of 16 kHz WAV.

    Written clip by clip, so a two-hour file never sits in memory. Returns the
    reference text of everything written.
    """
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.int16)
    target = int(seconds * SAMPLE_RATE)
    written = 0
    references: list[str] = []
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        while written < target:
            for clip in clips:
                pcm = np.clip(clip.audio * 32768.0, -32768, 32767).astype(np.int16)
                out.writeframes(pcm.tobytes() + gap.tobytes())
                references.append(clip.reference)
                written += len(pcm) + len(gap)
                if written >= target:
                    break
    return " ".join(references)


def measure_in_child(model: str, path: Path, mode: str, batch_size: int = 0) -> ChildFigures:
    """Run one transcription of ``path`` in a fresh interpreter and return its figures.

    Raises:
        RuntimeError: the child failed (its stderr is in the message).
    """
    command = [
        sys.executable,
        "-m",
        "saytype_bench.file_memory",
        "--model",
        model,
        "--mode",
        mode,
        "--batch-size",
        str(batch_size),
        str(path),
    ]
    # The child imports this package as the scripts do: from the bench/ folder.
    bench_dir = str(Path(__file__).resolve().parents[1])
    path_entries = [bench_dir, *filter(None, [os.environ.get("PYTHONPATH")])]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(path_entries)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {mode} (batch {batch_size}) failed: {done.stderr.strip()}")
    return ChildFigures(**json.loads(done.stdout.strip().splitlines()[-1]))


def _status_mb(field: str) -> float:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS (VmHWM)
    except OSError:
        return False
    return True


def _child(model_name: str, path: Path, mode: str, batch_size: int) -> ChildFigures:
    from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
    from app.core.engine.model_host import ModelHost
    from app.core.engine.model_registry import resolve_model
    from app.core.paths import models_dir

    host = ModelHost(resolve_model(model_name, models_dir()))
    model = host.get()
    loaded = _status_mb("VmRSS")
    peak = [loaded]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(_SAMPLE_EVERY_S):  # a sampling period, not synchronisation
            peak[0] = max(peak[0], _status_mb("VmRSS"))

    sampler = threading.Thread(target=sample, name="rss-peak-sampler", daemon=True)
    reset = _reset_peak()
    sampler.start()
    started = time.perf_counter()
    if mode == "saytype":
        transcript = FileTranscriber(host).transcribe_file(
            path, TranscribeOptions(batch_size=batch_size)
        )
        text, audio_s = transcript.text, transcript.duration
    else:  # faster-whisper's own: decode the whole file, then transcribe it in one call
        segments, info = model.transcribe(str(path), beam_size=5)
        text = " ".join(segment.text.strip() for segment in segments)
        audio_s = info.duration
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    high_water = _status_mb("VmHWM") if reset else 0.0
    return ChildFigures(
        mode=mode,
        batch_size=batch_size,
        loaded_rss_mb=loaded,
        peak_rss_mb=max(peak[0], high_water),
        elapsed_s=elapsed,
        audio_s=audio_s,
        text=text,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the child process; prints one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m saytype_bench.file_memory")
    parser.add_argument("--model", required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--batch-size", type=int, default=0)
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    figures = _child(args.model, args.path, args.mode, args.batch_size)
    sys.stdout.write(json.dumps(figures.__dict__) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
