"""A private Xvfb server for tests that need a real X display (typing, hotkeys, screenshots).

The server picks its own free display number (``-displayfd``), so parallel or
leftover servers never collide, and it is killed when the context ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.ci import fail_missing

_START_TIMEOUT_S = 20


@dataclass(frozen=True)
class XServer:
    """A running Xvfb and the ``DISPLAY`` value that reaches it."""

    display: str
    process: subprocess.Popen[bytes]

    def env(self, **extra: str) -> dict[str, str]:
        """This process's environment pointed at the server (for subprocesses)."""
        return {**os.environ, "DISPLAY": self.display, **extra}


@contextmanager
def running_xvfb(screen: str = "1280x800x24") -> Iterator[XServer]:
    """Start Xvfb and yield it; skip (fail in CI) when Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        fail_missing("needs Xvfb (apt install xvfb)")
    read_fd, write_fd = os.pipe()
    # -noreset: an X server resets when its last client leaves, and a client connecting
    # during the reset has its connection reset (a test opening the display just after
    # the one before closed it).
    command = ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"]
    process = subprocess.Popen(
        [*command, "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            # Xvfb writes the display number once it accepts connections.
            number = _read_display_number(pipe, process)
        yield XServer(display=f":{number}", process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=_START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_display_number(pipe: object, process: subprocess.Popen[bytes]) -> int:
    import select

    ready, _, _ = select.select([pipe], [], [], _START_TIMEOUT_S)
    line = pipe.readline() if ready else b""  # type: ignore[attr-defined]
    if not line.strip():
        process.kill()
        raise RuntimeError("Xvfb did not start (no display number within 20 s)")
    return int(line.strip())
