"""Soak benchmark: a long continuous dictation must keep up and keep memory flat.

Feeds ``--minutes`` of speech (the shared corpus, or hibari-tts sentences,
joined and repeated) at real time through the same live pipeline as the
microphone, without releasing the key, and samples resident memory and the
lag between audio fed and audio decoded. Prints figures; asserts nothing.
The soak by many short dictations (``--n``) is :mod:`saytype_bench.soak_dictations`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.benchmarks.speech_clips import Clip
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.file_source import FileSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.live_pipeline import LivePipeline
from saytype_bench.accuracy import word_error_rate
from saytype_bench.live_utterances import GAP_S


@dataclass
class SoakSample:
    """One look at the running dictation."""

    wall_s: float
    fed_s: float
    decoded_s: float
    rss_mb: float


@dataclass
class SoakResult:
    """Figures of one soak run."""

    audio_s: float
    samples: list[SoakSample] = field(default_factory=list)
    release_to_final_s: float = 0.0
    wer: float = 0.0
    lost_s: float = 0.0

    @property
    def max_lag_s(self) -> float:
        """Largest gap between audio fed and audio decoded."""
        return max((s.fed_s - s.decoded_s for s in self.samples), default=0.0)

    @property
    def rss_growth_mb_per_min(self) -> float:
        """Slope of resident memory over the second half of the run (after warm-up)."""
        half = self.samples[len(self.samples) // 2 :]
        if len(half) < 2:
            return 0.0
        minutes = np.array([s.wall_s / 60 for s in half])
        rss = np.array([s.rss_mb for s in half])
        return float(np.polyfit(minutes, rss, 1)[0])


def resident_mb(status: Path = Path("/proc/self/status")) -> float:
    """This process's resident set size in MB (Linux)."""
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak_audio(clips: list[Clip], seconds: float) -> tuple[np.ndarray, str]:
    """Clips joined by short pauses and repeated until ``seconds`` of audio."""
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    references: list[str] = []
    total = 0
    while total < seconds * SAMPLE_RATE:
        for clip in clips:
            parts += [clip.audio, gap]
            references.append(clip.reference)
            total += len(clip.audio) + len(gap)
            if total >= seconds * SAMPLE_RATE:
                break
    return np.concatenate(parts), " ".join(references)


def run_soak(
    pipeline: LivePipeline,
    clips: list[Clip],
    minutes: float = 10.0,
    speed: float = 1.0,
    sample_every_s: float = 10.0,
) -> SoakResult:
    """Dictate ``minutes`` of speech in one go and sample lag and memory."""
    audio, reference = soak_audio(clips, minutes * 60)
    ring = RingBuffer(capacity_seconds=60)
    new_audio = threading.Event()
    release = Release()
    fed_done = threading.Event()
    source = FileSource(Path("soak"), ring, speed=speed, on_block=new_audio.set)
    transcriber = pipeline.new_transcriber()
    result = SoakResult(audio_s=len(audio) / SAMPLE_RATE)
    started = time.perf_counter()
    released_at: list[float] = []

    def feed() -> None:
        source.feed_samples(audio)
        released_at.append(time.perf_counter())
        release.release(ring.position)
        new_audio.set()
        fed_done.set()

    def monitor() -> None:
        while not fed_done.wait(sample_every_s):  # sampling period, not synchronisation
            result.samples.append(
                SoakSample(
                    wall_s=time.perf_counter() - started,
                    fed_s=source.fed_seconds,
                    decoded_s=transcriber.decoded_until_s,
                    rss_mb=resident_mb(),
                )
            )

    feeder = threading.Thread(target=feed, name="soak-feed", daemon=True)
    sampler = threading.Thread(target=monitor, name="soak-monitor", daemon=True)
    feeder.start()
    sampler.start()
    final = run_dictation(
        ring, 0, transcriber, release, CancellationToken(), lambda _event: None, new_audio
    )
    finished = time.perf_counter()
    feeder.join()
    sampler.join()
    result.release_to_final_s = finished - released_at[0]
    result.wer = word_error_rate([reference], [final.text if final else ""])
    result.lost_s = max(0.0, result.audio_s - transcriber.audio_seconds)
    return result


def format_soak(result: SoakResult) -> str:
    """Readable summary."""
    first = result.samples[0].rss_mb if result.samples else float("nan")
    last = result.samples[-1].rss_mb if result.samples else float("nan")
    peak = max((s.rss_mb for s in result.samples), default=float("nan"))
    lines = [
        f"soak: {result.audio_s / 60:.1f} min of continuous speech at real time",
        f"{'wall':>7} {'fed':>7} {'decoded':>8} {'lag':>6} {'RSS MB':>8}",
    ]
    lines += [
        f"{s.wall_s:6.0f}s {s.fed_s:6.0f}s {s.decoded_s:7.0f}s {s.fed_s - s.decoded_s:5.1f}s "
        f"{s.rss_mb:8.0f}"
        for s in result.samples
    ]
    lines += [
        f"max lag (fed - decoded): {result.max_lag_s:.2f} s; audio lost: {result.lost_s:.2f} s",
        f"RSS first/last/peak: {first:.0f}/{last:.0f}/{peak:.0f} MB; "
        f"growth over the second half: {result.rss_growth_mb_per_min:+.2f} MB/min",
        f"release -> final after {result.audio_s:.0f} s: {result.release_to_final_s:.3f} s",
        f"WER of the whole dictation: {result.wer * 100:.2f} %",
    ]
    return "\n".join(lines)
