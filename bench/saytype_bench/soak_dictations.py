"""Soak by dictations: many short push-to-talk dictations in a row must not wear the app down.

``python bench/soak.py --n 1000`` dictates short clips (2-6 s of speech, in turn)
one after another through the live pipeline the app uses (a FileSource feeding
the ring buffer, :func:`run_dictation`, the key released at the end of each
clip; see :func:`saytype_bench.live.dictate`), and records for each one the
release → final latency, the text, any error and, once it is over, the
process's RSS and thread counts. The report compares the first dictations with
the last: RSS drift (from the end of a short warm-up, when lazily built pools
and caches exist), p50 latency drift, WER, errors and thread growth, next to
the goals. Latencies are only comparable within one run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.benchmarks.speech_clips import Clip
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.process_memory import rss_mb
from saytype_bench.accuracy import word_error_rate
from saytype_bench.live import dictate

log = logging.getLogger(__name__)

DEFAULT_SPEED = 8.0
CLIP_SECONDS = (2.0, 6.0)  # dictation-sized clips
WINDOW = 100  # dictations compared at each end
WARM_UP = 10  # dictations before the RSS and thread baseline
_TASKS = Path("/proc/self/task")

# name: (limit, what the figure is)
GOALS: dict[str, tuple[float, str]] = {
    "errors": (0, "errors"),
    "rss_drift_mb": (20.0, "RSS drift, MB"),
    "latency_p50_drift_pct": (10.0, "p50 latency drift, %"),
    "python_thread_growth": (0, "Python thread growth"),
    "native_thread_growth": (0, "native thread growth"),
}


@dataclass(frozen=True)
class DictationRecord:
    """One dictation of the soak, and the process once it was over."""

    clip_id: str
    latency_s: float | None
    text: str
    error: str | None
    rss_mb: float
    python_threads: int
    native_threads: int


@dataclass
class DictationSoak:
    """All dictations of one soak run, plus the process before the first."""

    speed: float
    clips: list[Clip]
    rss_before_mb: float
    python_threads_before: int
    native_threads_before: int
    records: list[DictationRecord] = field(default_factory=list)
    wall_s: float = 0.0


def native_thread_count(tasks: Path = _TASKS) -> int:
    """Threads of this process as the kernel sees them (C++ pools included); -1 off Linux."""
    try:
        return sum(1 for _ in tasks.iterdir())
    except OSError:
        return -1


def dictation_clips(
    clips: Sequence[Clip], seconds: tuple[float, float] = CLIP_SECONDS
) -> list[Clip]:
    """The clips of dictation length, or all clips when none fits."""
    low, high = seconds
    fitting = [clip for clip in clips if low <= clip.duration_s <= high]
    return fitting or list(clips)


def run_dictation_soak(
    pipeline: LivePipeline,
    clips: Sequence[Clip],
    dictations: int,
    *,
    speed: float = DEFAULT_SPEED,
    progress: Callable[[str], None] | None = None,
) -> DictationSoak:
    """Dictate ``dictations`` clips in turn, back to back, recording each one.

    Args:
        pipeline: warmed-up live pipeline (one model for the whole run).
        clips: speech to dictate, taken in turn.
        dictations: how many dictations.
        speed: feeding pace as a multiple of real time.
        progress: receives a line every 25 dictations.
    """
    if not clips:
        raise ValueError("no speech clips to dictate")
    report = progress or (lambda _line: None)
    soak = DictationSoak(
        speed=speed,
        clips=list(clips),
        rss_before_mb=rss_mb(),
        python_threads_before=threading.active_count(),
        native_threads_before=native_thread_count(),
    )
    started = time.perf_counter()
    for index in range(dictations):
        clip = clips[index % len(clips)]
        soak.records.append(_dictate_once(pipeline, clip, speed))
        if (index + 1) % 25 == 0 or index + 1 == dictations:
            latencies = [r.latency_s for r in soak.records if r.latency_s is not None]
            median = float(np.median(latencies)) if latencies else float("nan")
            report(
                f"[{index + 1}/{dictations}] p50 {median:.3f} s, RSS {soak.records[-1].rss_mb:.0f}"
                f" MB, errors {sum(r.error is not None for r in soak.records)}"
            )
    soak.wall_s = time.perf_counter() - started
    return soak


def _dictate_once(pipeline: LivePipeline, clip: Clip, speed: float) -> DictationRecord:
    latency: float | None = None
    text = ""
    error: str | None = None
    try:
        trace = dictate(pipeline, clip.audio, speed=speed)
    except Exception as exc:  # counted and reported: the soak goes on
        log.exception("dictation of %s failed", clip.clip_id)
        error = f"{type(exc).__name__}: {exc}"
    else:
        latency = trace.release_to_final_s
        text = trace.final_text or ""
        if trace.final_text is None:
            error = "no final text"
        elif not text.strip():
            error = "empty final text for speech"
    return DictationRecord(
        clip_id=clip.clip_id,
        latency_s=latency,
        text=text,
        error=error,
        rss_mb=rss_mb(),
        python_threads=threading.active_count(),
        native_threads=native_thread_count(),
    )


def _quantile(values: Sequence[float], percent: float) -> float | None:
    return float(np.percentile(values, percent)) if values else None


def _latency(records: Sequence[DictationRecord]) -> dict[str, float | None]:
    values = [r.latency_s for r in records if r.latency_s is not None]
    return {"p50": _quantile(values, 50), "p95": _quantile(values, 95)}


def _slope_per_100(values: Sequence[float]) -> float | None:
    """Least-squares growth per 100 dictations: a leak's trend, not one sample's noise."""
    if len(values) < 2:
        return None
    return float(np.polyfit(np.arange(len(values)), values, 1)[0]) * 100


def _wer(records: Sequence[DictationRecord], references: dict[str, str]) -> float:
    return word_error_rate([references[r.clip_id] for r in records], [r.text for r in records])


def _windows(count: int, clips: int) -> tuple[int, int]:
    """Size of the two compared windows, and where the last one ends.

    Both windows hold whole rounds of the clips when they can, so that they
    dictate the same clips (clips differ in latency and WER).
    """
    window = min(WINDOW, max(1, count // 2))
    if window < clips:
        return window, count
    window -= window % clips
    return window, count - count % clips


def summarise(soak: DictationSoak) -> dict[str, Any]:
    """The figures as one JSON-ready object (goals and whether each was met included)."""
    records = soak.records
    count = len(records)
    window, end_of_rounds = _windows(count, len(soak.clips))
    warm_up = min(WARM_UP, count // 5)
    first, last = records[:window], records[end_of_rounds - window : end_of_rounds]
    # The baseline: after the warm-up dictations, or before the first when there are too few.
    if warm_up:
        base = records[warm_up - 1]
        rss_start, python_start, native_start = (
            base.rss_mb,
            base.python_threads,
            base.native_threads,
        )
    else:
        rss_start = soak.rss_before_mb
        python_start, native_start = soak.python_threads_before, soak.native_threads_before
    final = records[-1]
    references = {clip.clip_id: clip.reference for clip in soak.clips}
    first_latency, last_latency = _latency(first), _latency(last)
    drift_pct = (
        None
        if first_latency["p50"] is None or last_latency["p50"] is None
        else (last_latency["p50"] / first_latency["p50"] - 1) * 100
    )
    errors = [(index, r.error) for index, r in enumerate(records, 1) if r.error is not None]
    values: dict[str, float | None] = {
        "errors": len(errors),
        "rss_drift_mb": final.rss_mb - rss_start,
        "latency_p50_drift_pct": drift_pct,
        "python_thread_growth": final.python_threads - python_start,
        "native_thread_growth": final.native_threads - native_start,
    }
    return {
        "benchmark": "soak",
        "mode": "dictations",
        "dictations": count,
        "speed": soak.speed,
        "clips": [clip.clip_id for clip in soak.clips],
        "wall_s": soak.wall_s,
        "window": window,
        "warm_up": warm_up,
        "errors": len(errors),
        "error_examples": [f"dictation {index}: {text}" for index, text in errors[:5]],
        "rss_mb": {
            "before": soak.rss_before_mb,
            "start": rss_start,
            "end": final.rss_mb,
            # Before counts: the first dictations may give back memory the start-up took.
            "peak": max(soak.rss_before_mb, *(r.rss_mb for r in records)),
            "drift": values["rss_drift_mb"],
            "slope_per_100": _slope_per_100([r.rss_mb for r in records[warm_up:]]),
        },
        "latency_s": {"first": first_latency, "last": last_latency, "p50_drift_pct": drift_pct},
        "wer": {"first": _wer(first, references), "last": _wer(last, references)},
        "threads": {
            "python": {
                "before": soak.python_threads_before,
                "start": python_start,
                "end": final.python_threads,
                "max": max(r.python_threads for r in records),
            },
            "native": {
                "before": soak.native_threads_before,
                "start": native_start,
                "end": final.native_threads,
                "max": max(r.native_threads for r in records),
            },
        },
        "goals": {name: limit for name, (limit, _) in GOALS.items()},
        "figures": values,
        "goals_met": {
            name: None if value is None else value <= GOALS[name][0]
            for name, value in values.items()
        },
    }


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_report(summary: dict[str, Any], model: str, source: str) -> str:
    """Readable summary with PASS/MISS per goal."""
    count, window, warm_up = summary["dictations"], summary["window"], summary["warm_up"]
    latency, rss, threads = summary["latency_s"], summary["rss_mb"], summary["threads"]
    baseline = f"after dictation {warm_up}" if warm_up else "before the first dictation"
    lines = [
        f"soak: {count} dictations of {model} at {summary['speed']:g}x real time, "
        f"{summary['wall_s']:.0f} s in all",
        f"speech: {source}; clips in turn: {', '.join(summary['clips'])}",
        f"release -> final, first {window}: p50 {_number(latency['first']['p50'])} s, "
        f"p95 {_number(latency['first']['p95'])} s",
        f"release -> final, last {window}:  p50 {_number(latency['last']['p50'])} s, "
        f"p95 {_number(latency['last']['p95'])} s",
        f"WER first {window} / last {window}: {summary['wer']['first'] * 100:.2f} % / "
        f"{summary['wer']['last'] * 100:.2f} %",
        f"RSS before/start/end/peak: {rss['before']:.1f}/{rss['start']:.1f}/{rss['end']:.1f}/"
        f"{rss['peak']:.1f} MB (start = {baseline}); trend after it "
        f"{_number(rss['slope_per_100'], 2)} MB per 100 dictations",
        f"threads start -> end (max): Python {threads['python']['start']} -> "
        f"{threads['python']['end']} ({threads['python']['max']}), native "
        f"{threads['native']['start']} -> {threads['native']['end']} ({threads['native']['max']})",
        f"errors: {summary['errors']}",
    ]
    lines += [f"  {example}" for example in summary["error_examples"]]
    lines.append("goals:")
    for name, (limit, label) in GOALS.items():
        value = summary["figures"][name]
        met = summary["goals_met"][name]
        verdict = "n/a" if met is None else ("PASS" if met else "MISS")
        shown = _number(value, 1) if isinstance(value, float) else str(value)
        lines.append(f"  {label:<24} {shown:>8}  (goal <= {limit:g})  {verdict}")
    return "\n".join(lines)
