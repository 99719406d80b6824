"""The hotkey bridge for this session: the user's chord, heard where the session allows.

Through the desktop portal's global shortcuts where it offers them, else the X
server's keys (on Wayland, only those typed into XWayland windows; compositor
bindings run ``saytype start|stop`` there).
"""

from __future__ import annotations

import logging
import os

from app.core.hotkeys import portal_shortcuts
from app.core.hotkeys.chord import DEFAULT_CHORD, display_chord, parse_chord
from app.core.hotkeys.hotkey_route import choose_hotkey_route
from app.core.settings import Settings
from app.ui.dictation.hotkey_bridge import HotkeyBridge

log = logging.getLogger(__name__)


def build_hotkey_bridge(settings: Settings, notices: list[tuple[str, str]]) -> HotkeyBridge:
    """The bridge for ``settings``' chord; a chord that does not parse adds a notice."""
    try:
        chord = parse_chord(settings.hotkey)
    except ValueError as exc:  # settings validate with the same grammar; never crash on it
        notices.append(("warning", f"{exc}. Using {display_chord(DEFAULT_CHORD)} instead."))
        chord = DEFAULT_CHORD
    route = choose_hotkey_route(os.environ, portal_shortcuts.portal_offers_global_shortcuts)
    log.info("hotkey route %s: %s", route.name, route.reason)
    portal = portal_shortcuts.portal_listener_factory(lambda: hotkeys.chord, os.environ)
    hotkeys = HotkeyBridge(
        chord,
        settings.hotkey_mode,
        settings.hold_threshold_ms / 1000,
        listener_factory=portal if route.name == "portal" else None,
        rebind_on_chord_change=route.name == "portal",
    )
    return hotkeys
