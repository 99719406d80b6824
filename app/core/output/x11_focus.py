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

    def _focus_ancestry(self) -> Iterator[Any]:
        """The focused window, then its parents up to (not including) the root."""
        window = self._display.get_input_focus().focus
        root = self._display.screen().root
        while window and not isinstance(window, int) and window != root:
            yield window
            window = window.query_tree().parent
