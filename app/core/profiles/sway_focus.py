"""What the focused window is in a sway session (app id and title), for the profile rules.

Wayland shows no client another's windows, but sway answers over its IPC
socket (``$SWAYSOCK``): ``swaymsg -t get_tree`` lists every window, the focused
one marked. A native Wayland window has an ``app_id`` (``foot``,
``org.gnome.Nautilus``); an Xwayland window has its X11 ``WM_CLASS`` in
``window_properties``, so the same rules match it as on X11. Other compositors
do not tell (yet): the Default profile applies there. Called off the GUI thread.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Mapping

from app.core.profiles.profile_rules import WindowIdentity

log = logging.getLogger(__name__)

_TIMEOUT_S = 2.0


class SwayFocusedWindow:
    """Asks sway which window has the focus.

    Args:
        socket: sway's IPC socket (``$SWAYSOCK``).
    """

    def __init__(self, socket: str) -> None:
        self._socket = socket

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SwayFocusedWindow | None:
        """The lookup for this session, or None when it is not sway (or swaymsg is missing)."""
        socket = environ.get("SWAYSOCK", "")
        if not socket or shutil.which("swaymsg") is None:
            return None
        return cls(socket)

    def identify(self) -> WindowIdentity | None:
        """The focused window's app id (or Xwayland WM_CLASS) and title, or None."""
        tree = self._tree()
        return focused_in_tree(tree) if tree is not None else None

    def last_other(self, own_pid: int) -> WindowIdentity | None:
        """The window most recently focused that is not process ``own_pid``'s, or None."""
        tree = self._tree()
        return last_focused_in_tree(tree, own_pid) if tree is not None else None

    def _tree(self) -> object | None:
        try:
            result = subprocess.run(
                ["swaymsg", "-s", self._socket, "-r", "-t", "get_tree"],
                capture_output=True,
                timeout=_TIMEOUT_S,
                check=True,
            )
            tree: object = json.loads(result.stdout)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            log.info("sway did not say which window has the focus: %s", exc)
            return None
        return tree


def focused_in_tree(tree: object) -> WindowIdentity | None:
    """The focused window of a sway ``get_tree`` reply, or None when no window has the focus."""
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, dict):
            continue
        if node.get("focused") and node.get("type") in _WINDOW_TYPES:
            return _identity(node)
        nodes += [*node.get("nodes", []), *node.get("floating_nodes", [])]
    return None


def last_focused_in_tree(tree: object, own_pid: int) -> WindowIdentity | None:
    """The most recently focused window of a ``get_tree`` reply not owned by ``own_pid``.

    Every container lists its children's ids in ``focus``, most recently focused
    first, so following those lists depth first meets the windows newest first.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        children = [*node.get("nodes", []), *node.get("floating_nodes", [])]
        if not children:
            if node.get("type") in _WINDOW_TYPES and node.get("pid") != own_pid:
                return _identity(node)
            continue
        recency = {node_id: rank for rank, node_id in enumerate(node.get("focus", []))}
        ordered = sorted(children, key=lambda child: recency.get(child.get("id"), len(recency)))
        stack += reversed(ordered)  # the newest is popped first
    return None


_WINDOW_TYPES = frozenset({"con", "floating_con"})


def _identity(node: dict[str, object]) -> WindowIdentity:
    x11 = node.get("window_properties") or {}
    assert isinstance(x11, dict)
    app_id = str(node.get("app_id") or "")
    return WindowIdentity(
        instance=app_id or str(x11.get("instance") or ""),
        window_class=app_id or str(x11.get("class") or ""),
        title=str(node.get("name") or ""),
        window_id=str(node.get("id") or ""),
        pid=pid if isinstance(pid := node.get("pid"), int) else 0,
    )
