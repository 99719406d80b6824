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
from pathlib import Path

from app.core.output.paste_keys import CTRL_V, paste_chord_for
from app.core.profiles.sway_focus import focused_in_tree

log = logging.getLogger(__name__)

_TIMEOUT_S = 2.0

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


def focused_app_id(environ: Mapping[str, str], runner: Runner = subprocess.run) -> str | None:
    """The focused window's app id (Wayland) or class (XWayland); None when unknown."""
    return _focused(environ, runner)[0]


def focused_window_address(
    environ: Mapping[str, str], runner: Runner = subprocess.run
) -> str | None:
    """The focused window itself (sway's container id, Hyprland's address); None when unknown."""
    return _focused(environ, runner)[1]


def nothing_focused(environ: Mapping[str, str], runner: Runner = subprocess.run) -> bool:
    """Whether the compositor says no window has the keyboard focus (an empty workspace).

    False where it cannot tell: only sway and Hyprland answer.
    """
    if environ.get("SWAYSOCK"):
        tree = _ask(["swaymsg", "-s", environ["SWAYSOCK"], "-r", "-t", "get_tree"], environ, runner)
        return isinstance(tree, dict) and focused_in_tree(tree) is None
    if environ.get("HYPRLAND_INSTANCE_SIGNATURE"):
        active = _ask(["hyprctl", "activewindow", "-j"], environ, runner)
        return isinstance(active, dict) and not active.get("address")
    return False


def _focused(environ: Mapping[str, str], runner: Runner) -> tuple[str | None, str | None]:
    """The focused window's (app id or class, id) as the compositor tells them."""
    if environ.get("SWAYSOCK"):
        tree = _ask(["swaymsg", "-s", environ["SWAYSOCK"], "-r", "-t", "get_tree"], environ, runner)
        focused = focused_in_tree(tree)  # the profiles' reading of sway's tree, shared
        if focused is None:
            return None, None
        known = focused.window_class
        if paste_chord_for(known) == CTRL_V and focused.pid:
            known = _terminal_program(focused.pid) or known
        return known or None, focused.window_id or None
    if environ.get("HYPRLAND_INSTANCE_SIGNATURE"):
        active = _ask(["hyprctl", "activewindow", "-j"], environ, runner)
        if not isinstance(active, dict):
            return None, None
        name, address = active.get("class"), active.get("address")
        return (str(name) if name else None), (str(address) if address else None)
    return None, None


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
        """The focused window where the compositor says (sway, Hyprland); else None."""
        return focused_window_address(self._environ)

    def keys_go_nowhere(self) -> bool:
        """Whether the compositor says no window would get keys (sway, Hyprland); else False."""
        return nothing_focused(self._environ)


def _terminal_program(pid: int) -> str | None:
    """The program of process ``pid`` when it is a terminal with paste keys of its own.

    ``foot --app-id notes`` is still foot: by its app id alone it got Ctrl+V, which foot
    takes as a literal ^V typed into the shell.
    """
    try:
        program = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return program if paste_chord_for(program) != CTRL_V else None


def _ask(command: list[str], environ: Mapping[str, str], runner: Runner) -> object:
    try:
        result = runner(command, env=dict(environ), capture_output=True, timeout=_TIMEOUT_S)
        return json.loads(result.stdout) if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.debug("could not ask the compositor for the focus: %s", exc)
        return None
