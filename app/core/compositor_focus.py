"""Ask a Wayland compositor to bring Saytype's window to the front.

On Wayland no app may raise its own window: Qt's ``activateWindow`` needs an
activation token, and ``saytype show`` run from a key binding (or a second
launch) carries none, so the window stayed behind, even on another workspace,
while the command said it had come to the front. sway and Hyprland take the
request over IPC, naming the window by our process id. Elsewhere (X11, GNOME,
KDE) Qt's own request is all there is.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from collections.abc import Mapping

log = logging.getLogger(__name__)

_TIMEOUT_S = 2.0


def focus_command(environ: Mapping[str, str], pid: int) -> list[str] | None:
    """The command that focuses process ``pid``'s window here; None where none does."""
    sway = environ.get("SWAYSOCK", "")
    if sway and shutil.which("swaymsg"):
        return ["swaymsg", "-s", sway, f"[pid={pid}] focus"]
    if environ.get("HYPRLAND_INSTANCE_SIGNATURE") and shutil.which("hyprctl"):
        return ["hyprctl", "dispatch", "focuswindow", f"pid:{pid}"]
    return None


def ask_compositor_to_focus(environ: Mapping[str, str], pid: int) -> bool:
    """Ask, off the calling thread (the GUI must not wait on IPC); False where it cannot."""
    command = focus_command(environ, pid)
    if command is None:
        return False

    def run() -> None:
        try:
            done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("could not ask the compositor to show the window: %s", exc)
            return
        if done.returncode != 0:
            log.info("the compositor did not show the window: %s", done.stdout or done.stderr)

    threading.Thread(target=run, name="compositor-focus", daemon=True).start()
    return True
