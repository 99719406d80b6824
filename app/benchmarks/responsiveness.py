"""``saytype bench responsiveness``: how long the GUI thread's event loop ever stalls.

A heartbeat ``QTimer`` on the GUI thread fires every few milliseconds; each
gap longer than its interval is a stall of ``gap - interval`` (the window
could not repaint or answer a click meanwhile). The real app is built in
process and taken through: the window shown and the model loading ("start"),
a dictation with a file job queued beside it ("dictation"), the rest of the
file job ("file job"), the Settings dialog opened and closed ("settings"), and
quitting ("quit"). Building the window itself is one blocking call before the
event loop runs; it is reported apart (``build_ms``; ``saytype bench startup``
times it from process start).

The goal on two cores: no stall over 100 ms, and the 99th percentile at most
33 ms (two frames). Figures are printed, never asserted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer

PHASES = ("start", "dictation", "file job", "settings", "quit")
GOAL_MAX_MS = 100.0
GOAL_P99_MS = 33.0
_PHASE_LIMIT_S = {"start": 120.0, "dictation": 120.0, "file job": 300.0, "settings": 30.0}
_QUIT_LIMIT_S = 30.0


class DesktopLike(Protocol):
    """What the benchmark drives: ``app.main.DesktopApp`` (passed in by the command)."""

    parts: Any
    quitting: Any

    def request_quit(self) -> None: ...

    def shutdown(self, wait_ms: int = 5000) -> bool: ...

    def threads_running(self) -> list[str]: ...


@dataclass(frozen=True)
class PhaseFigures:
    """Stalls (gap minus interval, ms) over one phase's heartbeats."""

    phase: str
    seconds: float
    beats: int
    max_ms: float
    p99_ms: float
    p95_ms: float
    over_33ms: int
    over_100ms: int

    @property
    def goal_met(self) -> bool:
        """Max at most 100 ms and p99 at most 33 ms."""
        return self.max_ms <= GOAL_MAX_MS and self.p99_ms <= GOAL_P99_MS


@dataclass(frozen=True)
class ResponsivenessReport:
    """Every phase, the whole run, and what was replayed."""

    interval_ms: int
    build_ms: float
    source: str
    phases: list[PhaseFigures]
    overall: PhaseFigures
    notes: list[str] = field(default_factory=list)

    @property
    def goal_met(self) -> bool:
        """The goal over the whole run."""
        return self.overall.goal_met


class Heartbeat(QObject):
    """Records event-loop stalls on the thread it lives on, labelled by phase."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.stalls: dict[str, list[float]] = {}
        self.seconds: dict[str, float] = {}
        self._phase = ""
        self._phase_started = 0.0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)

    def start(self, phase: str) -> None:
        """Start beating, in ``phase``."""
        self.set_phase(phase)
        self._last = time.perf_counter()
        self._timer.start()

    def set_phase(self, phase: str) -> None:
        """Count the next beats in ``phase``."""
        now = time.perf_counter()
        if self._phase:
            self.seconds[self._phase] = (
                self.seconds.get(self._phase, 0.0) + now - self._phase_started
            )
        self._phase, self._phase_started = phase, now
        self.stalls.setdefault(phase, [])

    def stop(self) -> None:
        """Stop beating (closes the current phase)."""
        self._timer.stop()
        self.set_phase("")

    def _beat(self) -> None:
        now = time.perf_counter()
        gap_ms = 1000 * (now - self._last)
        self._last = now
        self.stalls[self._phase].append(max(0.0, gap_ms - self.interval_ms))


def run_responsiveness(
    build: Callable[[object], DesktopLike],
    backend: object,
    *,
    source: str,
    file_path: Path | None,
    dictation_s: float = 5.0,
    interval_ms: int = 5,
) -> ResponsivenessReport:
    """Build the app with ``backend`` as its sound device and measure each phase.

    A QApplication must exist. ``file_path`` (a media file) is queued during the
    dictation; None skips the file job.
    """
    from app.ui.settings.settings_applier import open_settings

    notes: list[str] = []
    heartbeat = Heartbeat(interval_ms)
    started = time.perf_counter()
    app = build(backend)
    build_ms = 1000 * (time.perf_counter() - started)
    parts = app.parts
    heartbeat.start("start")
    if not _run_until(lambda: parts.window.model_status == "ready", _PHASE_LIMIT_S["start"]):
        notes.append(f"the model was not ready within {_PHASE_LIMIT_S['start']:.0f} s")

    heartbeat.set_phase("dictation")
    jobs_done: list[int] = []
    parts.files.finished.connect(lambda job, _result: jobs_done.append(job))
    parts.files.failed.connect(lambda job, _message: jobs_done.append(job))
    completed: list[str] = []
    parts.controller.completed.connect(lambda where, _source: completed.append(where))
    if file_path is not None:
        parts.window.queue_files([file_path])
    if not parts.controller.start(output="window", source="window"):
        notes.append("the dictation could not start (no microphone?)")
    else:
        _run_until(lambda: False, dictation_s)  # speaking
        parts.controller.stop()
        if not _run_until(lambda: bool(completed), _PHASE_LIMIT_S["dictation"]):
            notes.append("the dictation did not complete in time")

    heartbeat.set_phase("file job")
    if file_path is not None and not _run_until(
        lambda: bool(jobs_done), _PHASE_LIMIT_S["file job"]
    ):
        notes.append("the file job did not finish in time")

    heartbeat.set_phase("settings")
    open_settings(parts)
    shown = _run_until(
        lambda: parts.settings_dialog is not None and parts.settings_dialog.isVisible(),
        _PHASE_LIMIT_S["settings"],
    )
    _run_until(lambda: False, 0.5)  # looked at
    if not shown or parts.settings_dialog is None:
        notes.append("the settings dialog did not open in time")
    else:
        parts.settings_dialog.reject()
    _run_until(lambda: parts.settings_dialog is None, _PHASE_LIMIT_S["settings"])

    heartbeat.set_phase("quit")
    app.request_quit()  # may finish at once when no model call is running
    if not _run_until(lambda: not app.threads_running(), _QUIT_LIMIT_S):
        notes.append("quitting did not finish in time")
    _run_until(lambda: False, 0.2)  # what the quit left queued (history writes, a last repaint)
    heartbeat.stop()
    app.shutdown(wait_ms=5000)
    phases = [
        _figures(p, heartbeat.stalls.get(p, []), heartbeat.seconds.get(p, 0.0)) for p in PHASES
    ]
    everything = [stall for p in PHASES for stall in heartbeat.stalls.get(p, [])]
    overall = _figures("overall", everything, sum(heartbeat.seconds.values()))
    return ResponsivenessReport(interval_ms, build_ms, source, phases, overall, notes)


def _run_until(condition: Callable[[], bool], limit_s: float) -> bool:
    """Run the event loop until ``condition()`` holds (checked every 10 ms) or ``limit_s``."""
    if condition():
        return True
    loop = QEventLoop()
    deadline = time.monotonic() + limit_s
    check = QTimer()
    check.setInterval(10)

    def look() -> None:
        if condition() or time.monotonic() >= deadline:
            loop.quit()

    check.timeout.connect(look)
    check.start()
    loop.exec()
    check.stop()
    return condition()


def _figures(phase: str, stalls: list[float], seconds: float) -> PhaseFigures:
    ordered = sorted(stalls)
    return PhaseFigures(
        phase=phase,
        seconds=round(seconds, 2),
        beats=len(ordered),
        max_ms=round(ordered[-1], 1) if ordered else 0.0,
        p99_ms=round(_percentile(ordered, 0.99), 1),
        p95_ms=round(_percentile(ordered, 0.95), 1),
        over_33ms=sum(stall > GOAL_P99_MS for stall in ordered),
        over_100ms=sum(stall > GOAL_MAX_MS for stall in ordered),
    )


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def format_report(report: ResponsivenessReport) -> str:
    """A table a person can read."""
    lines = [
        f"GUI thread stalls (heartbeat every {report.interval_ms} ms; {report.source})",
        f"  window built in {report.build_ms:.0f} ms (one call, before the event loop runs)",
        f"  {'phase':<10} {'s':>6} {'beats':>6} {'max ms':>7} {'p99':>6} {'p95':>6}"
        f" {'>33ms':>6} {'>100ms':>7}",
    ]
    for row in [*report.phases, report.overall]:
        lines.append(
            f"  {row.phase:<10} {row.seconds:>6.1f} {row.beats:>6} {row.max_ms:>7.1f}"
            f" {row.p99_ms:>6.1f} {row.p95_ms:>6.1f} {row.over_33ms:>6} {row.over_100ms:>7}"
        )
    verdict = "met" if report.goal_met else "NOT met"
    lines.append(f"  goal (max <= {GOAL_MAX_MS:.0f} ms, p99 <= {GOAL_P99_MS:.0f} ms): {verdict}")
    lines += [f"  note: {note}" for note in report.notes]
    return "\n".join(lines)
