"""A desktop notification from a process without a window (``saytype toggle`` from a key).

A keybinding shows nothing its command prints: when ``saytype toggle`` finds no
running Saytype, the key seems dead. This asks the desktop's notification server
(``org.freedesktop.Notifications``) to say why, through ``notify-send`` or, where
libnotify's tool is missing, GLib's ``gdbus``. Only the standard library and a
short timeout: a keybinding must answer fast, and a desktop without a notification
server still gets the message on stderr.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

log = logging.getLogger(__name__)

APP_NAME = "Saytype"
ICON = "saytype"
EXPIRE_MS = 6000
_TIMEOUT_S = 3.0


def notify(summary: str, body: str = "") -> bool:
    """Show ``summary`` (and ``body``) as a notification; whether a server took it."""
    command = _command(summary, body)
    if command is None:
        log.info("no notify-send or gdbus to tell the desktop: %s", summary)
        return False
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("the desktop was not told (%s): %s", exc, summary)
        return False
    if done.returncode != 0:
        log.info("the desktop was not told (%s): %s", done.stderr.strip(), summary)
    return done.returncode == 0


def _command(summary: str, body: str) -> list[str] | None:
    notify_send = shutil.which("notify-send")
    if notify_send:
        return [
            notify_send,
            f"--app-name={APP_NAME}",
            f"--icon={ICON}",
            f"--expire-time={EXPIRE_MS}",
            "--",
            summary,
            body,
        ]
    gdbus = shutil.which("gdbus")
    if gdbus:
        # Notify(app_name, replaces_id, icon, summary, body, actions, hints, expire_timeout);
        # gdbus reads each argument as a GVariant text and takes the types from the server.
        return [
            gdbus,
            "call",
            "--session",
            "--dest=org.freedesktop.Notifications",
            "--object-path=/org/freedesktop/Notifications",
            "--method=org.freedesktop.Notifications.Notify",
            _gvariant_string(APP_NAME),
            "0",
            _gvariant_string(ICON),
            _gvariant_string(summary),
            _gvariant_string(body),
            "[]",
            "{}",
            str(EXPIRE_MS),
        ]
    return None


def _gvariant_string(text: str) -> str:
    """``text`` as a GVariant string literal (gdbus parses each argument as one)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{escaped}'"
