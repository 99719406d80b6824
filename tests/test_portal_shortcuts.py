"""The portal route's pure parts: the chord as an XDG trigger, and when the route is chosen.

The real chain (a key pressed in KWin, the portal's signals, Saytype's
dictation) is tests/test_hotkey_portal_kde.py.
"""

from __future__ import annotations

import pytest

from app.core.hotkeys.chord import parse_chord
from app.core.hotkeys.hotkey_route import choose_hotkey_route
from app.core.hotkeys.portal_shortcuts import portal_offers_global_shortcuts, xdg_trigger

WAYLAND = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}


@pytest.mark.parametrize(
    ("chord", "trigger"),
    [
        ("ctrl+shift+space", "CTRL+SHIFT+space"),
        ("super+alt+d", "ALT+LOGO+d"),
        ("ctrl+page_down", "CTRL+Next"),
        ("f9", "F9"),
        ("altgr+space", None),  # the XDG spec has no AltGr
    ],
)
def test_the_chord_is_written_as_the_xdg_shortcuts_spec_writes_a_trigger(
    chord: str, trigger: str | None
) -> None:
    assert xdg_trigger(parse_chord(chord)) == trigger


def test_a_wayland_session_whose_portal_offers_global_shortcuts_takes_the_portal_route() -> None:
    assert choose_hotkey_route(WAYLAND, lambda _env: True).name == "portal"
    assert choose_hotkey_route(WAYLAND, lambda _env: False).name == "compositor"
    assert choose_hotkey_route(WAYLAND).name == "compositor"  # not asked


def test_sway_never_asks_the_portal() -> None:
    # xdg-desktop-portal before 1.18 would answer with another desktop's backend.
    def asked(_env: object) -> bool:
        raise AssertionError("asked the portal under sway")

    assert choose_hotkey_route({**WAYLAND, "SWAYSOCK": "/run/s.sock"}, asked).name == "compositor"


def test_x11_never_asks_the_portal() -> None:
    def asked(_env: object) -> bool:
        raise AssertionError("asked the portal on X11")

    assert choose_hotkey_route({"DISPLAY": ":1"}, asked).name == "x11-grab"


def test_without_a_session_bus_there_is_no_portal() -> None:
    assert portal_offers_global_shortcuts(WAYLAND) is False
