"""A real notification server (dunst) on a private X display and session bus.

``saytype toggle`` run from a keybinding tells the desktop through
``org.freedesktop.Notifications``; dunst is such a server, and ``dunstctl``
reads back what it was told, as a user would see it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support.ci import fail_missing
from tests.support.private_bus import running_session_bus, wait_until
from tests.support.status_notifier import SessionBus
from tests.support.xserver import running_xvfb

NAME = "org.freedesktop.Notifications"


@dataclass(frozen=True)
class NotificationServer:
    """dunst, and the environment that reaches it."""

    env: dict[str, str]

    def shown(self) -> list[dict[str, str]]:
        """The notifications shown so far (summary, body, appname), oldest first."""
        subprocess.run(["dunstctl", "close-all"], env=self.env, check=True, timeout=10)
        history = subprocess.run(
            ["dunstctl", "history"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        entries: list[dict[str, Any]] = json.loads(history.stdout)["data"][0]
        fields = ("summary", "body", "appname")
        return [{f: entry[f]["data"] for f in fields} for entry in reversed(entries)]


@contextmanager
def running_notification_server() -> Iterator[NotificationServer]:
    """dunst on its own Xvfb and session bus; fails naming what is missing."""
    missing = [tool for tool in ("dunst", "dunstctl", "busctl") if shutil.which(tool) is None]
    if missing:
        fail_missing(f"needs {', '.join(missing)} (apt install dunst systemd)")
    with running_xvfb("640x480x24") as xserver, running_session_bus() as bus:
        env = xserver.env(DBUS_SESSION_BUS_ADDRESS=bus)
        dunst = subprocess.Popen(
            ["dunst"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            session = SessionBus(bus)
            wait_until(lambda: NAME in session.names(), f"dunst to own {NAME}", bus)
            yield NotificationServer(env)
        finally:
            dunst.terminate()
            dunst.wait(timeout=30)
