"""``saytype bench memory``: what the model costs in RSS, and whether unloading gives it back.

For each compute type (int8 and float32, in the same run, on the same clips)
it measures the process's RSS: before the model loads (the app without a model:
CTranslate2, faster-whisper and the VAD already imported), once loaded, at the
peak of one dictation (sampled every 2 ms from a thread), after an unload
without the heap trimming and then (after a reload) with it, and the drift over many simulated
dictations (the same streaming transcriber the worker uses, fed 0.5 s blocks of
real speech). It also times the reload after an unload.
Between compute types the model is dropped entirely, so each starts afresh.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.core.audio.file_decoder import AudioArray
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ComputeOptions, ModelHost
from app.core.engine.model_registry import ModelSource
from app.core.engine.process_memory import release_freed_memory, rss_file_mb, rss_mb

SAMPLE_RATE = 16_000
BLOCK = SAMPLE_RATE // 2
COMPUTE_TYPES = ("int8", "float32")


@dataclass(frozen=True)
class MemoryFigures:
    """One compute type's figures, in MB (10^6 bytes) and seconds."""

    compute_type: str
    rss_baseline_mb: float
    rss_loaded_mb: float
    rss_peak_dictation_mb: float
    rss_after_unload_untrimmed_mb: float
    rss_after_unload_mb: float
    reload_s: float
    dictations: int
    rss_before_dictations_mb: float
    rss_after_dictations_mb: float
    rss_file_baseline_mb: float = 0.0
    rss_file_after_unload_mb: float = 0.0

    @property
    def drift_mb(self) -> float:
        """RSS growth over the simulated dictations."""
        return self.rss_after_dictations_mb - self.rss_before_dictations_mb

    @property
    def unload_excess_mb(self) -> float:
        """How far RSS after unload stays above the baseline (goal: at most 30 MB)."""
        return self.rss_after_unload_mb - self.rss_baseline_mb

    @property
    def unload_excess_file_mb(self) -> float:
        """The file-backed part of that excess: library code first touched by inference."""
        return self.rss_file_after_unload_mb - self.rss_file_baseline_mb


class _PeakSampler:
    """Samples RSS from a thread while a block of work runs."""

    def __init__(self, interval_s: float = 0.002) -> None:
        self.peak = rss_mb()
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def dictate(pipeline: LivePipeline, samples: AudioArray) -> str:
    """One simulated dictation: stream ``samples`` in 0.5 s blocks, then release."""
    transcriber = pipeline.new_transcriber()
    for start in range(0, len(samples), BLOCK):
        transcriber.push(samples[start : start + BLOCK])
        if transcriber.pass_due():
            transcriber.run_pass()
    return transcriber.finish().text


def measure(
    source: ModelSource,
    compute_type: str,
    clips: Sequence[AudioArray],
    dictations: int,
    progress: Callable[[str], None] | None = None,
) -> MemoryFigures:
    """Measure one compute type; the model is gone again when this returns."""
    release_freed_memory()
    baseline = rss_mb()
    file_baseline = rss_file_mb()
    host = ModelHost(source, ComputeOptions(compute_type=compute_type))
    pipeline = LivePipeline(host)
    pipeline.warm_up()
    release_freed_memory()
    loaded = rss_mb()
    with _PeakSampler() as sampler:
        dictate(pipeline, clips[0])
    release_freed_memory()
    before = rss_mb()
    for number in range(dictations):
        if progress is not None and number % 50 == 0:
            progress(f"{compute_type}: dictation {number + 1}/{dictations}")
        dictate(pipeline, clips[number % len(clips)])
    release_freed_memory()
    after = rss_mb()
    host.unload(release_memory=False)
    gc.collect()
    untrimmed = rss_mb()
    host.get()
    host.unload()  # as the app unloads: trimming while the model is freed
    unloaded = rss_mb()
    file_unloaded = rss_file_mb()
    started = time.perf_counter()
    host.get()
    reload_s = time.perf_counter() - started
    dictate(pipeline, clips[0])  # the reloaded model really works
    del pipeline, host
    release_freed_memory()
    return MemoryFigures(
        compute_type=compute_type,
        rss_baseline_mb=round(baseline, 1),
        rss_loaded_mb=round(loaded, 1),
        rss_peak_dictation_mb=round(sampler.peak, 1),
        rss_after_unload_untrimmed_mb=round(untrimmed, 1),
        rss_after_unload_mb=round(unloaded, 1),
        reload_s=round(reload_s, 3),
        dictations=dictations,
        rss_before_dictations_mb=round(before, 1),
        rss_after_dictations_mb=round(after, 1),
        rss_file_baseline_mb=round(file_baseline, 1),
        rss_file_after_unload_mb=round(file_unloaded, 1),
    )


def _load_libraries() -> None:
    """Import what the app imports before any model loads, so the baseline includes it."""
    import ctranslate2  # noqa: F401
    import faster_whisper  # noqa: F401

    from app.core.audio.speech_detector import SpeechDetector

    SpeechDetector()


def short_clips(clips: Sequence[AudioArray], max_seconds: float = 4.0) -> list[AudioArray]:
    """Clips cut to dictation length, as float32."""
    limit = int(max_seconds * SAMPLE_RATE)
    return [np.asarray(clip[:limit], dtype=np.float32) for clip in clips if len(clip)]


def run_memory_benchmark(
    source: ModelSource,
    clips: Sequence[AudioArray],
    dictations: int = 500,
    compute_types: Sequence[str] = COMPUTE_TYPES,
    progress: Callable[[str], None] | None = None,
) -> list[MemoryFigures]:
    """Measure every compute type in turn, in this process."""
    cut = short_clips(clips)
    if not cut:
        raise ValueError("no speech clips to dictate")
    _load_libraries()
    return [measure(source, kind, cut, dictations, progress) for kind in compute_types]


def to_json(figures: Sequence[MemoryFigures], model: str) -> dict[str, object]:
    """The ``--json`` payload: one object per compute type under ``results``."""
    return {
        "benchmark": "memory",
        "model": model,
        "results": [
            {
                "compute_type": item.compute_type,
                "rss_baseline_mb": item.rss_baseline_mb,
                "rss_loaded_mb": item.rss_loaded_mb,
                "rss_peak_dictation_mb": item.rss_peak_dictation_mb,
                "rss_after_unload_untrimmed_mb": item.rss_after_unload_untrimmed_mb,
                "rss_after_unload_mb": item.rss_after_unload_mb,
                "reload_s": item.reload_s,
                "dictations": item.dictations,
                "rss_drift_mb": round(item.drift_mb, 1),
                "unload_excess_mb": round(item.unload_excess_mb, 1),
                "unload_excess_file_backed_mb": round(item.unload_excess_file_mb, 1),
            }
            for item in figures
        ],
    }


def format_report(figures: Sequence[MemoryFigures], model: str) -> str:
    """A small table for people."""
    lines = [
        f"Memory of {model} (MB of RSS; goals: unload <= baseline + 30, reload <= 0.5 s, "
        "drift <= 20)"
    ]
    lines.append(
        f"{'type':<8} {'base':>7} {'loaded':>7} {'peak':>7} {'unload':>7} {'trimmed':>7} "
        f"{'reload s':>8} {'drift':>6} {'excess':>6} {'file':>5}"
    )
    for item in figures:
        lines.append(
            f"{item.compute_type:<8} {item.rss_baseline_mb:7.1f} {item.rss_loaded_mb:7.1f} "
            f"{item.rss_peak_dictation_mb:7.1f} {item.rss_after_unload_untrimmed_mb:7.1f} "
            f"{item.rss_after_unload_mb:7.1f} {item.reload_s:8.3f} {item.drift_mb:6.1f} "
            f"{item.unload_excess_mb:6.1f} {item.unload_excess_file_mb:5.1f}"
        )
    lines.append(
        "excess = trimmed unload - base; file = its file-backed part (library code pages "
        "first read by inference, which the kernel can drop at will)"
    )
    return "\n".join(lines)
