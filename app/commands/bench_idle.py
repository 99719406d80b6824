"""``saytype bench idle``: what Saytype costs while it waits for the next dictation.

A dictation app runs all day and is used a few minutes of it, so its idle cost
is paid all day: on a laptop it is battery. This builds the real desktop app in
this process (the same :meth:`app.main.DesktopApp.build` as ``saytype``), waits
for the model, then counts the process's CPU time (every thread, from
``time.process_time``) over ``--seconds`` of wall time twice: with the
microphone held open for the pre-roll (the ``keep_mic_open`` setting) and with
it closed. The sound server's own CPU is another process and is not counted.

It needs what the app needs: a display and a microphone. It runs with private
settings and data folders (a copy of the user's settings, the microphone held
open), so nothing it does reaches the user's history; and it refuses to run
beside a running Saytype, whose control socket it would take over.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

GOAL_PERCENT = 0.3  # of one core, with the microphone held open
_SETTLE_S = 3.0  # after the model loads and the mic opens: start-up work drains first
_MODEL_TIMEOUT_S = 300.0
_PRIVATE_DIRS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


class IdleBenchError(Exception):
    """The bench cannot run here (no display, no microphone, Saytype running); one sentence."""


@dataclass(frozen=True)
class IdlePhase:
    """CPU time used over one stretch of wall time."""

    mic_open: bool
    wall_s: float
    cpu_s: float

    @property
    def cpu_s_per_min(self) -> float:
        """CPU seconds used per minute of wall time."""
        return self.cpu_s / self.wall_s * 60 if self.wall_s > 0 else 0.0

    @property
    def percent_of_core(self) -> float:
        """The same as a percentage of one core."""
        return self.cpu_s / self.wall_s * 100 if self.wall_s > 0 else 0.0


@dataclass(frozen=True)
class IdleFigures:
    """Both phases, what was measured, and the goal."""

    mic_open: IdlePhase
    mic_closed: IdlePhase
    model: str
    device: str | None
    threads: dict[str, float]  # CPU seconds per OS thread name over the mic-open phase
    goal_percent: float = GOAL_PERCENT

    @property
    def goal_met(self) -> bool:
        """Whether the mic-open phase (the costlier one) stays within the goal."""
        return self.mic_open.percent_of_core <= self.goal_percent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The idle bench's options."""
    idle = parser.add_argument_group(
        "idle", "Process CPU while idle with the model loaded, mic held open and closed."
    )
    idle.add_argument(
        "--seconds",
        type=_positive_seconds,
        default=60.0,
        metavar="S",
        help="idle: seconds measured per phase (default 60)",
    )


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {value}")
    return value


def run_idle(
    args: argparse.Namespace, stdout: TextIO, stderr: TextIO, sounddevice_backend: Any = None
) -> int:
    """``saytype bench idle``: measure, print the figures; 1 when it cannot run here."""

    def progress(text: str) -> None:
        stderr.write(text + "\n")

    try:
        figures = measure_idle(
            args.seconds,
            model=args.model,
            sounddevice_backend=sounddevice_backend,
            progress=progress,
        )
    except IdleBenchError as exc:
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    stdout.write((json.dumps(to_json(figures)) if args.json else format_report(figures)) + "\n")
    return 0


def measure_idle(
    seconds: float,
    *,
    model: str = "tiny.en",
    sounddevice_backend: Any = None,
    progress: Callable[[str], None] = lambda _text: None,
    settle_s: float = _SETTLE_S,
) -> IdleFigures:
    """Build the app, wait for its model, and measure both phases of ``seconds`` each.

    Each phase starts after ``settle_s`` of not measuring, so that the work of the
    change before it (the model load, the device opening or closing) is done.

    Raises:
        IdleBenchError: no display, no microphone, the model failed, or Saytype runs already.
    """
    from app.core.control_channel import ControlError, send_command
    from app.core.display_check import display_problem

    problem = display_problem(os.environ)
    if problem is not None:
        raise IdleBenchError(f"the idle bench needs a display: {problem}")
    try:
        send_command("status", timeout_s=2.0)
    except ControlError:
        pass
    else:
        raise IdleBenchError("Saytype is running: quit it first (the bench builds its own).")
    settings = _bench_settings(model)
    with _private_profile(settings):
        return _measure_in_app(seconds, sounddevice_backend, progress, settle_s)


def _bench_settings(model: str) -> Any:
    """The user's settings with the mic held open and ``model`` as a path when installed."""
    from app.core.engine.model_folder import ModelError
    from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
    from app.core.paths import models_dir
    from app.core.settings_file import load_settings

    settings = load_settings().settings.replace(keep_mic_open=True)
    if model != BUNDLED_MODEL:
        try:
            model = str(resolve_model(model, models_dir()).path)
        except ModelError as exc:
            raise IdleBenchError(str(exc)) from exc
    return settings.replace(model=model)


@contextmanager
def _private_profile(settings: Any) -> Iterator[None]:
    """Point the settings/data/state folders at a temporary place holding ``settings``."""
    from app.core.settings_file import save_settings

    saved = {name: os.environ.get(name) for name in _PRIVATE_DIRS}
    with tempfile.TemporaryDirectory(prefix="saytype-bench-idle-") as home:
        for name in _PRIVATE_DIRS:
            os.environ[name] = str(Path(home) / name.lower())
        try:
            save_settings(settings)
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _measure_in_app(
    seconds: float, sounddevice_backend: Any, progress: Callable[[str], None], settle_s: float
) -> IdleFigures:
    import sys

    from PySide6.QtWidgets import QApplication

    from app.main import DesktopApp

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setQuitOnLastWindowClosed(False)
    progress("Starting Saytype and loading the model…")
    desktop = DesktopApp.build(sounddevice_backend=sounddevice_backend)
    try:
        parts = desktop.parts
        microphone: Any = parts["microphone"]
        error = microphone.open()  # before the model: a missing microphone is said at once
        if error is not None:
            raise IdleBenchError(f"the idle bench needs a microphone: {error}")
        _wait_for_model(parts["worker"])
        progress(f"Measuring {seconds:g} s with the microphone held open…")
        _run_loop(settle_s)
        before = _thread_cpu()
        held_open = _measure(seconds, mic_open=True)
        threads = _thread_delta(before, _thread_cpu())
        if not microphone.is_open:
            raise IdleBenchError("the microphone failed while being measured (see the log)")
        microphone.close()
        progress(f"Measuring {seconds:g} s with the microphone closed…")
        _run_loop(settle_s)
        closed = _measure(seconds, mic_open=False)
        controller: Any = parts["controller"]
        return IdleFigures(
            mic_open=held_open,
            mic_closed=closed,
            model=controller.model_name,
            device=microphone.device_name,
            threads=threads,
        )
    finally:
        desktop.shutdown()
        _run_loop(0)  # deferred deletes


def _wait_for_model(worker: Any) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    failure: list[str] = []

    def give_up(message: str) -> None:
        failure.append(message)
        loop.quit()

    worker.model_ready.connect(loop.quit)
    worker.model_failed.connect(give_up)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: give_up("it took too long"))
    timer.start(int(_MODEL_TIMEOUT_S * 1000))
    loop.exec()
    timer.stop()
    if failure:
        raise IdleBenchError(f"the model did not load: {failure[0]}")


def _run_loop(seconds: float) -> None:
    """Let the app's event loop run for ``seconds`` (the app idles as it would)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def _measure(seconds: float, *, mic_open: bool) -> IdlePhase:
    wall, cpu = time.monotonic(), time.process_time()
    _run_loop(seconds)
    return IdlePhase(
        mic_open=mic_open,
        wall_s=time.monotonic() - wall,
        cpu_s=time.process_time() - cpu,
    )


def _thread_cpu() -> dict[str, float]:
    """CPU seconds so far per thread (Linux /proc; empty elsewhere).

    Python threads go by their Python name; threads started by libraries (PortAudio,
    the sound server's client, CTranslate2) by the name the OS knows.
    """
    import threading

    python_names = {t.native_id: t.name for t in threading.enumerate()}
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    totals: dict[str, float] = {}
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return totals
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        key = python_names.get(int(task.name)) or f"{name} [{task.name}]"
        totals[key] = totals.get(key, 0.0) + used
    return totals


def _thread_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    used = {name: round(t - before.get(name, 0.0), 3) for name, t in after.items()}
    return dict(sorted(((n, t) for n, t in used.items() if t > 0), key=lambda kv: -kv[1]))


def to_json(figures: IdleFigures) -> dict[str, Any]:
    """The figures as one JSON object."""
    phases = {}
    for name, phase in (("mic_open", figures.mic_open), ("mic_closed", figures.mic_closed)):
        phases[name] = asdict(phase) | {
            "cpu_s_per_min": round(phase.cpu_s_per_min, 4),
            "percent_of_core": round(phase.percent_of_core, 4),
        }
    return {
        "benchmark": "idle",
        "model": figures.model,
        "device": figures.device,
        **phases,
        "threads_mic_open_cpu_s": figures.threads,
        "goal_percent_of_core": figures.goal_percent,
        "goal_met": figures.goal_met,
    }


def format_report(figures: IdleFigures) -> str:
    """The figures as a few lines of text."""
    lines = [f"Idle CPU of Saytype (model {figures.model}, microphone {figures.device!r})"]
    for label, phase in (("held open", figures.mic_open), ("closed", figures.mic_closed)):
        lines.append(
            f"  microphone {label:<9}: {phase.cpu_s_per_min:6.3f} CPU s/min = "
            f"{phase.percent_of_core:5.2f} % of one core ({phase.cpu_s:.2f} s over "
            f"{phase.wall_s:.0f} s)"
        )
    verdict = "met" if figures.goal_met else "NOT met"
    lines.append(f"  goal ≤ {figures.goal_percent:g} % of one core with the mic open: {verdict}")
    busiest = list(figures.threads.items())[:5]
    if busiest:
        lines.append(
            "  busiest threads (mic open, CPU s): "
            + ", ".join(f"{name} {used:.2f}" for name, used in busiest)
        )
    return "\n".join(lines)
