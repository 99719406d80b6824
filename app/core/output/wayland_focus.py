"""Which application has the keyboard focus in a Wayland session, asked of the compositor.

Wayland tells no client which window is focused, but the paste keys depend on
it (terminals such as foot paste with Ctrl+Shift+V). sway answers over its IPC
socket (``SWAYSOCK``, ``swaymsg -t get_tree``) and Hyprland through ``hyprctl
activewindow -j``; elsewhere the answer is "unknown" and Ctrl+V is used.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable, Mapping

from app.core.profiles.sway_focus import focused_in_tree

log = logging.getLogger(__name__)

_TIMEOUT_S = 2.0

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


def focused_app_id(environ: Mapping[str, str], runner: Runner = subprocess.run) -> str | None:
    """The focused window's app id (Wayland) or class (XWayland); None when unknown."""
    if environ.get("SWAYSOCK"):
        tree = _ask(["swaymsg", "-s", environ["SWAYSOCK"], "-r", "-t", "get_tree"], environ, runner)
        focused = focused_in_tree(tree)  # the profiles' reading of sway's tree, shared
        return (focused.window_class or None) if focused is not None else None
    if environ.get("HYPRLAND_INSTANCE_SIGNATURE"):
        active = _ask(["hyprctl", "activewindow", "-j"], environ, runner)
        name = active.get("class") if isinstance(active, dict) else None
        return str(name) if name else None
    return None


class WaylandKeyboardFocus:
    """What a keyboard in a Wayland session can tell of the focus and the keys held.

    Shared by the Wayland keyboards (wtype, uinput, the remote-control portal);
    each sets ``_environ``, the session's environment.
    """

    _environ: Mapping[str, str]

    def modifiers_down(self) -> frozenset[str]:
        """Always empty: Wayland shows no client the keys held in other windows."""
        return frozenset()

    def focused_window_class(self) -> str | None:
        """The focused app's id where the compositor says (sway, Hyprland); else None (Ctrl+V)."""
        return focused_app_id(self._environ)

    def focused_window_pid(self) -> int | None:
        """Unknown on Wayland."""
        return None

    def focused_window_id(self) -> str | None:
        """Unknown here: a pinned dictation is kept to the app's id (class) only."""
        return None


def _ask(command: list[str], environ: Mapping[str, str], runner: Runner) -> object:
    try:
        result = runner(command, env=dict(environ), capture_output=True, timeout=_TIMEOUT_S)
        return json.loads(result.stdout) if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.debug("could not ask the compositor for the focus: %s", exc)
        return None
