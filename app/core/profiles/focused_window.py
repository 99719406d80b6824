"""What the focused X11 window is (WM_CLASS and title), for the profile rules.

Asked once per hotkey press, off the GUI thread (``ui/dictation/profile_chooser.py``
runs it in a lane of its own): a round trip to the X server must never freeze the
window. The focus is often on a child of the top-level window (xterm's VT100
widget), so the ancestry is walked up to the first window that has a WM_CLASS,
and the title is read from that one (``_NET_WM_NAME`` in UTF-8, else WM_NAME).
On Wayland no client may see another's window; sway tells over its IPC
(``sway_focus.py``), and elsewhere the rules give the Default profile.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from app.core.profiles.profile_rules import WindowIdentity
from app.core.profiles.sway_focus import SwayFocusedWindow

log = logging.getLogger(__name__)


def window_lookup(
    route_name: str, environ: Mapping[str, str]
) -> Callable[[], WindowIdentity | None] | None:
    """How to tell the focused window in this session (keys go by ``route_name``), or None."""
    lookup = _session_lookup(route_name, environ)
    return lookup.identify if lookup is not None else None


def last_app_lookup(
    route_name: str, environ: Mapping[str, str], own_pid: int
) -> Callable[[], WindowIdentity | None] | None:
    """How to tell the app focused last before Saytype in this session, or None."""
    lookup = _session_lookup(route_name, environ)
    return (lambda: lookup.last_other(own_pid)) if lookup is not None else None


def _session_lookup(
    route_name: str, environ: Mapping[str, str]
) -> X11FocusedWindow | SwayFocusedWindow | None:
    if route_name == "x11":
        return X11FocusedWindow()
    return SwayFocusedWindow.from_environment(environ)


class X11FocusedWindow:
    """Reads the focused window's identity; the display opens at the first call.

    Not thread-safe: call it from one thread (the chooser's lane).

    Args:
        display_name: the X display (``$DISPLAY`` when None).
    """

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name
        self._display: Any = None

    def identify(self) -> WindowIdentity | None:
        """The focused window's WM_CLASS and title, or None when X11 cannot tell."""
        try:
            display = self._open()
            for window in _ancestry(display):
                wm_class = window.get_wm_class()
                if wm_class:
                    return WindowIdentity(
                        instance=str(wm_class[0] or ""),
                        window_class=str(wm_class[1] or ""),
                        title=_title(display, window),
                        window_id=hex(window.id),  # as the X11 keyboard names it
                    )
        except Exception as exc:  # a closed display or a window gone mid-walk: no rule applies
            log.info("could not read the focused window: %s", exc)
            self.close()
        return None

    def last_other(self, own_pid: int) -> WindowIdentity | None:
        """The window most likely focused last that is not process ``own_pid``'s, or None.

        The focused window when it is another app's; else the topmost other
        window: a window manager raises the window it focuses, so the stacking
        order (``_NET_CLIENT_LIST_STACKING``, or the X server's own without a
        window manager) lists the windows by when they last had the focus.
        """
        try:
            display = self._open()
            focused = next((w for w in _ancestry(display) if w.get_wm_class()), None)
            for window in _stacked_apps(display, focused):
                if _pid(display, window) != own_pid:
                    wm_class = window.get_wm_class()
                    return WindowIdentity(
                        instance=str(wm_class[0] or ""),
                        window_class=str(wm_class[1] or ""),
                        title=_title(display, window),
                    )
        except Exception as exc:  # a closed display or a window gone mid-walk
            log.info("could not read the last focused window: %s", exc)
            self.close()
        return None

    def close(self) -> None:
        """Close the display connection (a later call opens a new one)."""
        display, self._display = self._display, None
        if display is not None:
            try:
                display.close()
            except Exception as exc:
                log.debug("closing the display: %s", exc)

    def _open(self) -> Any:
        if self._display is None:
            self._display = importlib.import_module("Xlib.display").Display(self._display_name)
        return self._display


def _ancestry(display: Any) -> Iterator[Any]:
    """The focused window, then its parents up to (not including) the root."""
    window = display.get_input_focus().focus
    root = display.screen().root
    while window and not isinstance(window, int) and window != root:
        yield window
        window = window.query_tree().parent


def _stacked_apps(display: Any, focused: Any) -> Iterator[Any]:
    """The focused app window, then the viewable app windows from the top of the stack down."""
    if focused is not None:
        yield focused
    root = display.screen().root
    stacking = root.get_full_property(
        display.intern_atom("_NET_CLIENT_LIST_STACKING"), display.intern_atom("WINDOW")
    )
    if stacking is not None and len(stacking.value):
        for window_id in reversed(list(stacking.value)):
            yield display.create_resource_object("window", int(window_id))
        return
    for top in reversed(root.query_tree().children):  # no window manager: the server's order
        if top.get_attributes().map_state == _IS_VIEWABLE and top.get_wm_class():
            yield top


_IS_VIEWABLE = 2  # X.IsViewable


def _pid(display: Any, window: Any) -> int | None:
    prop = window.get_full_property(display.intern_atom("_NET_WM_PID"), 0)  # 0: AnyPropertyType
    return int(prop.value[0]) if prop is not None and len(prop.value) else None


def _title(display: Any, window: Any) -> str:
    utf8 = display.intern_atom("UTF8_STRING")
    prop = window.get_full_property(display.intern_atom("_NET_WM_NAME"), utf8)
    if prop is not None and prop.value:
        value = prop.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    name = window.get_wm_name()
    if isinstance(name, bytes):
        return name.decode("latin-1")
    return str(name or "")
