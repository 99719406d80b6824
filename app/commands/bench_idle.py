"""``saytype bench idle``: what Saytype costs while it waits for the next dictation.

A dictation app runs all day and is used a few minutes of it, so its idle cost
is paid all day: on a laptop it is battery. This starts the real desktop app
(``saytype``, as a user does) twice with private settings and data folders, a
copy of the user's settings: once with the microphone held open for the
pre-roll (``keep_mic_open``), once with it closed until a dictation. After the
model has loaded it reads the process's CPU time (every thread, from
``/proc/PID``) over ``--seconds`` of wall time. The sound server's own CPU is
another process and is not counted.

A separate process rather than the app built in this one: the measurement then
holds nothing of the bench, and the import layers keep the subcommands apart
from the composition root (``app.main``). It needs what the app needs: a display
and a microphone, and Linux's ``/proc``. It refuses to run beside a running
Saytype, whose control socket the measured one would take over.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

GOAL_PERCENT = 0.3  # of one core, with the microphone held open
_SETTLE_S = 3.0  # after the model loads and the mic opens: start-up work drains first
_START_TIMEOUT_S = 300.0  # the model may be a large one, on a slow disk
_QUIT_TIMEOUT_S = 30.0
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
    threads: dict[str, float]  # CPU seconds per thread ("name [tid]") over the mic-open phase
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


def run_idle(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``saytype bench idle``: measure, print the figures; 1 when it cannot run here."""

    def progress(text: str) -> None:
        stderr.write(text + "\n")

    try:
        figures = measure_idle(
            args.seconds,
            model=args.model,
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
    progress: Callable[[str], None] = lambda _text: None,
    settle_s: float = _SETTLE_S,
) -> IdleFigures:
    """Start Saytype, wait for its model, and measure ``seconds``; mic held open, then closed.

    Each measurement starts ``settle_s`` after the model is ready, so that start-up
    work (the model load, the device opening) is done.

    Raises:
        IdleBenchError: no display, no microphone, the app failed, or Saytype runs already.
    """
    from app.core.control_channel import ControlError, send_command
    from app.core.display_check import display_problem

    problem = display_problem(os.environ)
    if problem is not None:
        raise IdleBenchError(f"the idle bench needs a display: {problem}")
    if not Path("/proc/self/stat").exists():
        raise IdleBenchError("the idle bench reads /proc, which this system does not have")
    try:
        send_command("status", timeout_s=2.0)
    except ControlError:
        pass
    else:
        raise IdleBenchError("Saytype is running: quit it first (the bench starts its own).")
    settings = _bench_settings(model)
    phases: list[IdlePhase] = []
    threads: dict[str, float] = {}
    device: str | None = None
    for keep_open in (True, False):
        label = "held open" if keep_open else "closed"
        progress(f"Starting Saytype (microphone {label}) and loading the model…")
        with _running_saytype(settings.replace(keep_mic_open=keep_open)) as app:
            app.wait_for("model ready")
            if keep_open:
                device = app.wait_for_microphone()
            progress(f"Measuring {seconds:g} s with the microphone {label}…")
            time.sleep(settle_s)  # the app's work, not ours: we only wait
            before = _thread_cpu(app.pid)
            wall = time.monotonic()
            time.sleep(seconds)
            after = _thread_cpu(app.pid)
            wall = time.monotonic() - wall
        phases.append(IdlePhase(keep_open, wall, sum(after.values()) - sum(before.values())))
        if keep_open:
            threads = _thread_delta(before, after)
    return IdleFigures(phases[0], phases[1], settings.model, device, threads)


def _bench_settings(model: str) -> Any:
    """The user's settings with ``model`` (as its folder when installed, found by path)."""
    from app.commands.cli_settings import settings_for_command
    from app.core.engine.model_folder import ModelError
    from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
    from app.core.paths import models_dir

    settings = settings_for_command()
    if model != BUNDLED_MODEL:
        try:
            model = str(resolve_model(model, models_dir()).path)
        except ModelError as exc:
            raise IdleBenchError(str(exc)) from exc
    return settings.replace(model=model)


class _App:
    """The Saytype process being measured, and the log it writes (stderr, --verbose)."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log
        self.pid = process.pid

    def _text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, marker: str) -> str:
        """Wait until the log holds ``marker``; return the log line that has it."""
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            for line in self._text().splitlines():
                if marker in line:
                    return line
            if self.process.poll() is not None:
                raise IdleBenchError(f"Saytype exited ({self.process.returncode}):\n{self._text()}")
            if time.monotonic() > deadline:
                raise IdleBenchError(f"Saytype never logged {marker!r}:\n{self._text()}")
            time.sleep(0.1)  # another process's log: polling is the only way to see it

    def wait_for_microphone(self) -> str | None:
        """Wait for the held-open microphone; its name, or IdleBenchError when it failed."""
        line = self.wait_for("app.ui.shell.wiring: microphone ")
        if line.rstrip().endswith("unavailable"):
            reasons = [t for t in self._text().splitlines() if "microphone" in t.lower()]
            raise IdleBenchError(
                "the idle bench needs a microphone, and none opened:\n" + "\n".join(reasons)
            )
        opened = [t for t in self._text().splitlines() if " open at " in t]
        if not opened:
            return None
        return opened[-1].split("microphone ", 1)[1].split(" open at ")[0].strip("'\"")


@contextmanager
def _running_saytype(settings: Any) -> Iterator[_App]:
    """``saytype --verbose`` with private settings/data folders holding ``settings``."""
    import sys

    from app.core.control_channel import ControlError, send_command
    from app.core.settings_file import save_settings, settings_path

    with tempfile.TemporaryDirectory(prefix="saytype-bench-idle-") as home:
        env = dict(os.environ)
        for name in _PRIVATE_DIRS:
            env[name] = str(Path(home) / name.lower())
        config = Path(env["XDG_CONFIG_HOME"]) / "saytype"
        save_settings(settings, config / settings_path().name)
        log = Path(home) / "saytype.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "app", "--verbose"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            yield _App(process, log)
        finally:
            try:
                send_command("quit", timeout_s=5.0)
            except ControlError:
                process.terminate()
            try:
                process.wait(_QUIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far per thread of process ``pid`` (its OS thread names)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError as exc:
        raise IdleBenchError(f"Saytype exited while being measured ({exc})") from exc
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        totals[f"{name} [{task.name}]"] = (int(fields[11]) + int(fields[12])) / ticks
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
