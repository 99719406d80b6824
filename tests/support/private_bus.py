"""The command line of a private session bus that starts no services by itself.

A stock ``dbus-daemon --session`` activates any installed service a client asks
for. Qt asks for the desktop portal at start-up, so with xdg-desktop-portal
installed (the KDE hotkey tests need it) every test bus started a portal and its
KDE backend, which outlived the bus. Tests start what they need themselves.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.support.ci import fail_missing

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def session_bus_command() -> list[str]:
    """``dbus-daemon`` for a session bus without service activation; prints its address."""
    config = Path(tempfile.gettempdir()) / "saytype-test-session-bus.conf"
    if not config.exists() or config.read_text(encoding="utf-8") != _CONFIG:
        config.write_text(_CONFIG, encoding="utf-8")
    return ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"]


@contextlib.contextmanager
def running_session_bus() -> Iterator[str]:
    """Start a session bus of the test's own; yield its address."""
    if shutil.which("dbus-daemon") is None:
        fail_missing("needs dbus-daemon (apt install dbus-daemon)")
    daemon = subprocess.Popen(
        session_bus_command(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its complaint about the fd limit, as not root
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()  # printed once it accepts connections
        assert address.startswith("unix:"), address
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        if daemon.stdout is not None:
            daemon.stdout.close()


def wait_until(condition: Callable[[], bool], what: str, bus: str, timeout_s: float = 30.0) -> None:
    """Wait until ``condition`` holds, checking it again after each signal on ``bus``.

    What the tests wait for on a bus comes with a signal: a name coming or going
    (``NameOwnerChanged``), a player's status (MPRIS ``PropertiesChanged``), a tray
    item leaving (``StatusNotifierItemUnregistered``). The subscription comes before
    the first check, so no change is missed.
    """
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + timeout_s
    with open_dbus_connection(bus=bus) as connection:
        rule = MatchRule(type="signal")
        connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=timeout_s)
        with connection.filter(rule) as signals:
            while not condition():
                left = deadline - time.monotonic()
                assert left > 0, f"timed out waiting for {what}"
                with contextlib.suppress(TimeoutError):
                    connection.recv_until_filtered(signals, timeout=left)
