"""What the X server tells of the focused window: its class, its id, its process.

Shared by the X11 keyboard (``x11_keyboard.X11KeyInjector``), which sets ``_display``
(a python-xlib display) and ``_X`` (``Xlib.X``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class X11KeyboardFocus:
    """The focused top-level window as the delivery rules ask about it."""

    _display: Any
    _X: Any

    def focused_window_class(self) -> str | None:
        """WM_CLASS class of the focused top-level window, or None."""
        for window in self._focus_ancestry():
            wm_class = window.get_wm_class()
            if wm_class:
                return str(wm_class[1] or wm_class[0])
        return None

    def focused_window_id(self) -> str | None:
        """The focused top-level window's X id (the one with a WM_CLASS), or None."""
        for window in self._focus_ancestry():
            if window.get_wm_class():
                return hex(window.id)
        return None

    def focused_window_pid(self) -> int | None:
        """``_NET_WM_PID`` of the focused top-level window, or None when it has none."""
        atom = self._display.intern_atom("_NET_WM_PID")
        for window in self._focus_ancestry():
            prop = window.get_full_property(atom, self._X.AnyPropertyType)
            if prop is not None and len(prop.value):
                return int(prop.value[0])
        return None

    def keys_go_nowhere(self) -> bool:
        """Whether keys sent now would reach no application window.

        With the focus on the root window (or PointerRoot, as without a window
        manager) keys go to the window under the pointer; when the window typed
        into has closed and the pointer is over no other, they reach nothing.
        """
        focus = self._display.get_input_focus().focus
        root = self._display.screen().root
        if not focus:  # X's None: the keyboard's events are discarded
            return True
        if isinstance(focus, int) or focus == root:
            return self._client_under_pointer(root) is None
        return False

    def _focus_ancestry(self) -> Iterator[Any]:
        """The window that gets the keys, then its parents up to (not including) the root."""
        window = self._display.get_input_focus().focus
        root = self._display.screen().root
        if window and (isinstance(window, int) or window == root):  # the pointer's window
            window = self._client_under_pointer(root)
        while window and not isinstance(window, int) and window != root:
            yield window
            window = window.query_tree().parent

    def _client_under_pointer(self, root: Any) -> Any | None:
        """The application window under the pointer (one with a WM_CLASS), or None."""
        window = root
        for _depth in range(8):  # a frame or two of the window manager around it at most
            child = window.query_pointer().child
            if not child or isinstance(child, int):
                return None
            if child.get_wm_class():
                return child
            window = child
        return None
