"""The hotkey bridge on the desktop portal's route: the key the desktop chose, and rebinding.

On the GlobalShortcuts portal the chord in Settings is a suggestion: the user
may pick another key when the desktop asks, and Plasma keeps the key it bound
first (measured: binding Ctrl+Alt+D after Ctrl+Shift+Space still reports
``Ctrl+Shift+Space``). The bridge binds again when the chord changes and says
so when the desktop's key is another one. A fake listener stands for the
portal's (the real one is tests/test_hotkey_portal_kde.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.core.hotkeys.chord import parse_chord
from app.core.hotkeys.portal_shortcuts import desktop_key_differs
from app.ui.dictation.hotkey_bridge import HotkeyBridge
from tests.fakes.fake_key_listener import FakeKeyListener

pytestmark = pytest.mark.gui


class PortalLikeFactory:
    """Listeners that report the key the desktop bound, as the portal's listener does."""

    def __init__(self, desktop_trigger: str) -> None:
        self.desktop_trigger = desktop_trigger
        self.listeners: list[FakeKeyListener] = []

    def __call__(
        self, on_press: Callable[[Any, bool], None], on_release: Callable[[Any, bool], None]
    ) -> FakeKeyListener:
        listener = FakeKeyListener(on_press, on_release, False, None)
        listener.desktop_trigger = self.desktop_trigger  # type: ignore[attr-defined]
        self.listeners.append(listener)
        return listener


def started(qtbot: QtBot, factory: PortalLikeFactory, rebinds: bool = True) -> HotkeyBridge:
    bridge = HotkeyBridge(
        "ctrl+shift+space", listener_factory=factory, rebind_on_chord_change=rebinds
    )
    with qtbot.waitSignal(bridge.listening):
        bridge.start()
    return bridge


@pytest.mark.parametrize(
    ("description", "differs"),
    [
        ("Ctrl+Shift+Space", False),
        ("Shift+Ctrl+Space", False),
        ("Ctrl+Alt+D", True),
        ("Meta+D", True),
        ("<Control><Shift>space", False),  # not written as a chord: not taken as a difference
        ("", False),
    ],
)
def test_the_desktops_description_is_compared_as_a_chord(description: str, differs: bool) -> None:
    assert desktop_key_differs(parse_chord("ctrl+shift+space"), description) is differs


def test_a_desktop_key_other_than_the_chord_is_named_with_where_to_change_it(
    qtbot: QtBot,
) -> None:
    factory = PortalLikeFactory("Ctrl+Alt+D")
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory)
    with qtbot.waitSignal(bridge.error) as error:
        bridge.start()
    assert error.args[0].startswith(
        "Your desktop gives Saytype's hotkey the key Ctrl+Alt+D, not Ctrl+Shift+Space: "
        "change it in your desktop's shortcut settings"
    )
    bridge.stop()


def test_the_chords_own_key_says_nothing(qtbot: QtBot) -> None:
    factory = PortalLikeFactory("Ctrl+Shift+Space")
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory)
    with qtbot.assertNotEmitted(bridge.error, wait=0), qtbot.waitSignal(bridge.listening):
        bridge.start()
    bridge.stop()


def test_a_new_chord_binds_again_through_a_new_listener(qtbot: QtBot) -> None:
    factory = PortalLikeFactory("Ctrl+Shift+Space")
    bridge = started(qtbot, factory)
    first = factory.listeners[0]
    factory.desktop_trigger = "Ctrl+Shift+Space"  # Plasma keeps the key it bound first
    with qtbot.waitSignal(bridge.error) as error:
        bridge.set_chord("ctrl+alt+d")
    assert len(factory.listeners) == 2
    assert not first.is_alive()
    assert "key Ctrl+Shift+Space, not Ctrl+Alt+D" in error.args[0]
    assert bridge.is_listening
    bridge.stop()


def test_the_same_chord_or_a_bridge_that_does_not_rebind_keeps_its_listener(
    qtbot: QtBot,
) -> None:
    for rebinds, chord in ((True, "ctrl+shift+space"), (False, "ctrl+alt+d")):
        factory = PortalLikeFactory("")
        bridge = started(qtbot, factory, rebinds)
        bridge.set_chord(chord)
        assert len(factory.listeners) == 1
        assert bridge.chord == parse_chord(chord)
        bridge.stop()
