"""``saytype bench startup``: how soon the window shows and the model is ready.

Each run starts ``saytype`` (no arguments: the GUI) as a fresh process with
private settings/data folders and the offscreen Qt platform, and reads the
moments it logs "window shown" and "model ready". The baseline, measured in
the same run the same way, is the smallest PySide6 program that shows a
window: the ratio says what Saytype adds on top of Python + Qt start-up.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_BASELINE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.show()
print("window shown", file=sys.stderr, flush=True)
"""
_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class StartupFigures:
    """Median seconds from process start, over ``runs`` runs each."""

    runs: int
    window_shown_s: float
    model_ready_s: float
    baseline_window_s: float
    window_shown_max_s: float

    @property
    def ratio(self) -> float:
        """Saytype's window time over the bare Qt window's."""
        return self.window_shown_s / self.baseline_window_s


def run_startup(runs: int = 5) -> StartupFigures:
    """Start Saytype and the baseline ``runs`` times each, alternating."""
    shown: list[float] = []
    ready: list[float] = []
    baseline: list[float] = []
    for _ in range(runs):
        baseline.append(_time_lines([sys.executable, "-c", _BASELINE], ["window shown"])[0])
        window, model = _time_lines(
            [sys.executable, "-m", "app", "--verbose"], ["window shown", "model ready"]
        )
        shown.append(window)
        ready.append(model)
    return StartupFigures(
        runs=runs,
        window_shown_s=statistics.median(shown),
        model_ready_s=statistics.median(ready),
        baseline_window_s=statistics.median(baseline),
        window_shown_max_s=max(shown),
    )


def _time_lines(command: list[str], markers: list[str]) -> list[float]:
    """Seconds from spawning ``command`` until each marker appears in its stderr."""
    with tempfile.TemporaryDirectory(prefix="saytype-startup-") as home:
        env = _private_env(Path(home))
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        found: dict[str, float] = {}
        try:
            assert process.stderr is not None
            for line in process.stderr:
                for marker in markers:
                    if marker in line and marker not in found:
                        found[marker] = time.perf_counter() - started
                if len(found) == len(markers) or time.perf_counter() - started > _TIMEOUT_S:
                    break
        finally:
            if process.stderr is not None:
                process.stderr.close()
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    missing = [m for m in markers if m not in found]
    if missing:
        raise RuntimeError(f"{command[-1]} never logged {', '.join(missing)}")
    return [found[m] for m in markers]


def _private_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("config", "data", "cache", "state", "runtime"):
        (home / name).mkdir(mode=0o700)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        HF_HUB_OFFLINE="1",
    )
    env.pop("DISPLAY", None)  # no global hotkey grab on the user's own display
    return env


def format_startup(figures: StartupFigures) -> str:
    """The figures as lines for a terminal."""
    return "\n".join(
        [
            f"start-up over {figures.runs} runs (median, offscreen Qt):",
            f"  window shown   {figures.window_shown_s:.2f} s"
            f" (max {figures.window_shown_max_s:.2f} s)",
            f"  model ready    {figures.model_ready_s:.2f} s",
            f"  bare Qt window {figures.baseline_window_s:.2f} s (baseline)",
            f"  ratio          {figures.ratio:.2f}x the baseline's window time",
        ]
    )
