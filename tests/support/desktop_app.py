"""Running ``saytype`` as a subprocess on a test X server and PulseAudio daemon."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core.control_channel import ControlError, ControlReply, send_command
from tests.support.pulse import PulseDaemon
from tests.support.xserver import XServer


def app_environment(xserver: XServer, pulse: PulseDaemon, home: Path) -> dict[str, str]:
    """The X display, the sound server, and private XDG folders under ``home``."""
    env = pulse.full_env(xserver.env())
    env.update(
        QT_QPA_PLATFORM="xcb",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
    )
    return env


def file_log(home: Path) -> str:
    """The app's own log file under ``home``: its stderr misses lines while sounddevice
    silences fd 2 (python-sounddevice points it at /dev/null while PortAudio starts)."""
    path = home / "state" / "saytype" / "log" / "saytype.log"
    return path.read_text(errors="replace") if path.exists() else ""


def wait_while_running(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes],
    log: Path,
    timeout: float,
) -> None:
    """Poll ``condition`` until it holds; fail with the app's log if it exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(
                f"saytype exited ({process.returncode}) while waiting for {what}:\n"
                + log.read_text(errors="replace")
            )
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n" + log.read_text(errors="replace"))
        # Another process's state has no event to wait on; its exit has: wait on that.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)


_START_TIMEOUT_S = 60.0
_REPO = Path(__file__).resolve().parents[2]


@dataclass
class RunningSaytype:
    """The app under test: its process, environment and data folder."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    data_dir: Path
    log: Path

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``saytype ARGS`` against this instance (the control socket)."""
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    @property
    def socket(self) -> Path:
        """The control socket this instance listens on (from its XDG_RUNTIME_DIR)."""
        runtime = self.env.get("XDG_RUNTIME_DIR")
        assert runtime, "the test environment sets XDG_RUNTIME_DIR"
        return Path(runtime) / "saytype" / "control.sock"

    def send(self, command: str, *args: str) -> ControlReply:
        """Send ``command`` straight to the control socket (no CLI start-up in between)."""
        return send_command(command, list(args), path=self.socket, timeout_s=10.0)

    def state(self) -> str:
        """The dictation state, as ``saytype status`` prints it first (asked on the socket).

        Polls ask the socket, not a ``saytype status`` process: each of those is a
        Python start-up competing with the app for the CPU. The command itself is
        tested in tests/test_gui_crash_recovery.py.
        """
        return self.send("status").state

    def model_ready(self) -> bool:
        """Whether the app answers and says its model is ready (``saytype status``'s line)."""
        try:
            return self.send("status").message == "model: ready"
        except ControlError:  # not listening yet
            return False

    def history(self) -> list[tuple[str, str | None]]:
        """(text, delivered_to) of every history entry, oldest first."""
        path = self.data_dir / "saytype" / "history.sqlite3"
        if not path.exists():
            return []
        with sqlite3.connect(path) as db:
            return list(db.execute("SELECT text, delivered_to FROM dictations ORDER BY id"))

    def wait(self, condition: Callable[[], bool], what: str, timeout: float) -> None:
        """Poll ``condition``; fail with the app's log if it exits or time runs out."""
        wait_while_running(condition, what, self.process, self.log, timeout)

    def log_text(self) -> str:
        """What the app has logged so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def running_saytype(
    xserver: XServer,
    pulse: PulseDaemon,
    home: Path,
    settings: dict[str, Any] | None = None,
    *,
    wait_for_model: bool = True,
    extra_env: dict[str, str] | None = None,
    args: Sequence[str] = (),
) -> Iterator[RunningSaytype]:
    """Start ``saytype --verbose`` with private folders under ``home``; wait for its model.

    ``settings`` (field → value) are written to its settings file first; sound
    cues are off unless they say otherwise (the null sink is the microphone, so a
    cue would hold back the speech a test plays at once; tests/test_sound_cues_pulse.py
    tests them). With ``wait_for_model`` false, it waits only for the control socket.
    ``extra_env`` is added to its environment (a Wayland session's, a private session bus);
    ``args`` to its command line.
    """
    env = {**app_environment(xserver, pulse, home), **(extra_env or {})}
    env["HF_HUB_OFFLINE"] = "1"
    settings = {"sound_cues": False, **(settings or {})}
    config = home / "config" / "saytype"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    log = home / "saytype.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--verbose", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=_REPO,
        )
    app = RunningSaytype(process, env, home / "data", log)
    try:
        if wait_for_model:
            app.wait(app.model_ready, "the model to load", _START_TIMEOUT_S)
        else:
            app.wait(app.socket.exists, "the control socket", _START_TIMEOUT_S)
        yield app
    finally:
        app.command("quit", "--force")  # whatever the test left queued
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
