"""A private session D-Bus and real mpv players on it (mpv-mpris makes them MPRIS players).

The bus is a ``dbus-daemon --session`` of the test's own, so a test never
touches a user's players; mpv plays into the private PulseAudio daemon's null
sink, so it really plays (and its status really changes) without speakers.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ci import fail_missing
from tests.support.private_bus import running_session_bus
from tests.support.pulse import PulseDaemon

BINARIES = ("dbus-daemon", "mpv")
MPRIS_PLUGIN = Path("/etc/mpv/scripts/mpris.so")  # where Debian's mpv-mpris puts it


@contextmanager
def private_session_bus() -> Iterator[str]:
    """Start a session bus of our own; yield its address."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if missing or not MPRIS_PLUGIN.exists():
        fail_missing(f"needs {', '.join(missing) or 'mpv-mpris'} (apt install dbus mpv mpv-mpris)")
    with running_session_bus() as address:
        yield address


@contextmanager
def running_mpv(
    bus: str, pulse: PulseDaemon, media: Path, *, paused: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """mpv looping ``media`` into the null sink, on ``bus`` (playing, or paused from the start)."""
    env = pulse.full_env()
    env["DBUS_SESSION_BUS_ADDRESS"] = bus
    player = subprocess.Popen(
        [
            "mpv", "--no-config", f"--script={MPRIS_PLUGIN}", "--no-video", "--no-terminal",
            "--ao=pulse", "--loop-file=inf", *(["--pause"] if paused else []), str(media),
        ],
        env=env,
    )  # fmt: skip
    try:
        yield player
    finally:
        player.terminate()
        player.wait(timeout=30)
