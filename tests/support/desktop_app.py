"""Running ``saytype`` as a subprocess on a test X server and PulseAudio daemon."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

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
        time.sleep(0.05)  # polling another process's state; the condition is the sync
