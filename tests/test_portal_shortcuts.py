"""The portal route's pure parts: the chord as an XDG trigger, when the route is chosen, and
how the portal's signals become the chord's keys.

The real chain (a key pressed in KWin, the portal's signals, Saytype's
dictation) is tests/test_hotkey_portal_kde.py.
"""

from __future__ import annotations

import pytest

from app.core.hotkeys.chord import parse_chord
from app.core.hotkeys.gesture import HotkeyAction, HotkeyGesture
from app.core.hotkeys.hotkey_route import choose_hotkey_route
from app.core.hotkeys.portal_shortcuts import (
    CANCEL,
    DICTATE,
    PortalChordListener,
    portal_offers_global_shortcuts,
    xdg_trigger,
)
from app.core.hotkeys.x11_keys import key_name

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


class _Keys:
    """Records what the listener reports, as the hotkey bridge's callbacks receive it."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def press(self, key: object, injected: bool) -> None:
        assert not injected
        self.events.append(f"+{key_name(key)}")

    def release(self, key: object, injected: bool) -> None:
        self.events.append(f"-{key_name(key)}")


def _listener(keys: _Keys, chord: str = "ctrl+shift+space") -> PortalChordListener:
    return PortalChordListener(keys.press, keys.release, lambda: parse_chord(chord), {})


def test_activated_and_deactivated_are_the_chords_keys_in_a_keyboards_order() -> None:
    keys = _Keys()
    listener = _listener(keys)
    listener.handle_signal("Activated", DICTATE)
    listener.handle_signal("Deactivated", DICTATE)
    assert keys.events == ["+ctrl", "+shift", "+space", "-space", "-shift", "-ctrl"]


def test_a_repeated_activated_while_held_is_auto_repeat_and_ignored() -> None:
    keys = _Keys()
    listener = _listener(keys)
    for _ in range(3):  # KWin sends one per auto-repeat
        listener.handle_signal("Activated", DICTATE)
    listener.handle_signal("Deactivated", DICTATE)
    assert keys.events == ["+ctrl", "+shift", "+space", "-space", "-shift", "-ctrl"]


def test_the_held_chord_drives_the_same_gesture_as_x11() -> None:
    keys = _Keys()
    listener = _listener(keys, "super+f9")
    gesture = HotkeyGesture(parse_chord("super+f9"), "auto", hold_threshold_s=0.3)
    listener.handle_signal("Activated", DICTATE)
    actions = [a for e in keys.events for a in gesture.key_down(e[1:], 0.0)]
    keys.events.clear()
    listener.handle_signal("Deactivated", DICTATE)
    actions += [a for e in keys.events for a in gesture.key_up(e[1:], 1.0)]
    actions += gesture.poll(2.0)
    assert actions == [HotkeyAction.START, HotkeyAction.FINISH]  # held 1 s: push-to-talk


def test_the_cancel_shortcut_is_esc_and_another_press_releases_the_held_one() -> None:
    keys = _Keys()
    listener = _listener(keys)
    listener.handle_signal("Activated", DICTATE)
    listener.handle_signal("Activated", CANCEL)  # the dictate release never came
    listener.handle_signal("Deactivated", CANCEL)
    listener.handle_signal("Activated", "unknown")
    assert keys.events == [
        "+ctrl", "+shift", "+space", "-space", "-shift", "-ctrl", "+esc", "-esc",
    ]  # fmt: skip
