"""The hotkey bridge for this session: the user's chord, heard where the session allows.

Through the desktop portal's global shortcuts where it offers them, else the X
server's keys (on Wayland, only those typed into XWayland windows; compositor
bindings run ``saytype start|stop`` there).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial

from app.core.hotkeys import portal_shortcuts
from app.core.hotkeys.bound_keys import old_hold_bindings, saytype_is_bound
from app.core.hotkeys.chord import DEFAULT_CHORD, display_chord, parse_chord
from app.core.hotkeys.hotkey_route import choose_hotkey_route
from app.core.settings import Settings
from app.ui.dictation.hotkey_bridge import HotkeyBridge

log = logging.getLogger(__name__)


def build_hotkey_bridge(
    settings: Settings, notices: list[tuple[str, str]], notify: Callable[[str, str], object]
) -> HotkeyBridge:
    """The bridge for ``settings``' chord; a chord that does not parse adds a notice.

    ``notify(level, message)`` tells the user when the hotkey cannot be heard, unless
    the compositor already runs Saytype's commands on a key (then that is no news).
    """
    try:
        chord = parse_chord(settings.hotkey)
    except ValueError as exc:  # settings validate with the same grammar; never crash on it
        notices.append(("warning", f"{exc}. Using {display_chord(DEFAULT_CHORD)} instead."))
        chord = DEFAULT_CHORD
    old = old_hold_bindings(os.environ)  # an older Saytype's lines: say how to replace them
    route = choose_hotkey_route(
        os.environ, portal_shortcuts.portal_offers_global_shortcuts, saytype_is_bound, lambda _: old
    )
    if old and route.fix:
        notices.append(("warning", route.fix))
    log.info("hotkey route %s: %s", route.name, route.reason)
    portal = portal_shortcuts.portal_listener_factory(lambda: hotkeys.chord, os.environ)
    hotkeys = HotkeyBridge(
        chord,
        settings.hotkey_mode,
        settings.hold_threshold_ms / 1000,
        listener_factory=portal if route.name == "portal" else None,
        rebind_on_chord_change=route.name == "portal",
    )
    bound = route.name == "compositor" and (old or not route.fix)
    hotkeys.error.connect(partial(_tell_unavailable, notify, bound))
    return hotkeys


def _tell_unavailable(notify: Callable[[str, str], object], bound: bool, message: str) -> None:
    if bound:  # the X11 listener has no display here, and needs none
        log.info("the compositor runs Saytype's commands on its bindings: %s", message)
        return
    notify("warning", message)
