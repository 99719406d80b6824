"""The hotkey bridge: keys from the listener thread become GUI-thread signals; failures a message.

These tests use a fake listener thread (tests/fakes/fake_key_listener.py) and a
manual clock, so hold times are exact. A real pynput listener on a private Xvfb
with xdotool is tests/ui/dictation/test_hotkey_bridge_x11.py; the portal's
listener, tests/ui/dictation/test_hotkey_bridge_portal.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication, QObject, Signal
from pytestqt.qtbot import QtBot

from app.core.hotkeys.chord import parse_chord
from app.ui.dictation.hotkey_bridge import HotkeyBridge, key_name, unavailable_message
from tests.fakes.fake_key_listener import (
    FakeKey,
    FakeKeyCode,
    FakeKeyListener,
    FakeListenerFactory,
    ManualClock,
)

pytestmark = pytest.mark.gui

CHORD = (FakeKey.ctrl, FakeKey.shift, FakeKey.space)
RELEASE = (FakeKey.space, FakeKey.shift, FakeKey.ctrl)


@dataclass
class Rig:
    bridge: HotkeyBridge
    keys: FakeKeyListener
    clock: ManualClock
    seen: list[str]

    def deliver(self) -> None:
        """Run the GUI thread's queued key events (the listener posted them already)."""
        QCoreApplication.processEvents()


def record(bridge: HotkeyBridge) -> list[str]:
    seen: list[str] = []
    bridge.start_requested.connect(lambda: seen.append("start"))
    bridge.finish_requested.connect(lambda: seen.append("finish"))
    bridge.cancel_requested.connect(lambda: seen.append("cancel"))
    bridge.error.connect(lambda message: seen.append(f"error: {message}"))
    return seen


@pytest.fixture
def rig(qtbot: QtBot) -> Iterator[Rig]:
    factory = FakeListenerFactory()
    clock = ManualClock()
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory, clock=clock)
    seen = record(bridge)
    with qtbot.waitSignal(bridge.listening):
        bridge.start()
    assert bridge.is_listening
    yield Rig(bridge, factory.last, clock, seen)
    bridge.stop()
    assert not factory.last.is_alive()


def test_hold_starts_then_finishes_when_the_held_back_release_settles(
    rig: Rig, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(rig.bridge.start_requested, timeout=2000):
        rig.keys.press(*CHORD)
    rig.clock.advance(0.5)
    rig.keys.release(FakeKey.space)  # modifiers still down: only the poll timer can settle it
    rig.deliver()
    assert rig.seen == ["start"]  # not yet: it may be an auto-repeat release/press pair
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.clock.advance(0.06)
    assert rig.seen == ["start", "finish"]


def test_tap_toggles(rig: Rig, qtbot: QtBot) -> None:
    rig.keys.press(*CHORD)
    rig.clock.advance(0.1)
    rig.keys.release(*RELEASE)
    rig.clock.advance(1.0)
    qtbot.waitUntil(lambda: rig.seen == ["start"])
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.keys.press(*CHORD)
    rig.keys.release(*RELEASE)
    rig.deliver()
    assert rig.seen == ["start", "finish"]


def test_held_changes_come_before_the_start_and_finish_they_cause(rig: Rig, qtbot: QtBot) -> None:
    # Type-as-I-speak waits for the release; it must know before the finish arrives.
    rig.bridge.held_changed.connect(lambda held: rig.seen.append(f"held={held}"))
    with qtbot.waitSignal(rig.bridge.start_requested, timeout=2000):
        rig.keys.press(*CHORD)
    rig.clock.advance(0.5)
    rig.keys.release(*RELEASE)
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.clock.advance(0.06)
    assert rig.seen == ["held=True", "start", "held=False", "finish"]


def test_a_tap_reports_the_release_while_dictation_goes_on(rig: Rig, qtbot: QtBot) -> None:
    rig.bridge.held_changed.connect(lambda held: rig.seen.append(f"held={held}"))
    rig.keys.press(*CHORD)
    rig.clock.advance(0.1)
    rig.keys.release(*RELEASE)
    rig.clock.advance(1.0)
    qtbot.waitUntil(lambda: rig.seen == ["held=True", "start", "held=False"])


def test_auto_repeat_pair_is_resolved_as_a_held_key(rig: Rig, qtbot: QtBot) -> None:
    rig.keys.press(*CHORD)
    for _ in range(5):
        rig.clock.advance(0.04)
        rig.keys.send([(False, FakeKey.space), (True, FakeKey.space)])  # X11 auto-repeat
        rig.keys.press(FakeKey.space)  # auto-repeat as a bare repeated press
    rig.clock.advance(1.0)  # far past the repeat window: a pending release would settle now
    with qtbot.assertNotEmitted(rig.bridge.finish_requested, wait=300):
        rig.deliver()
    assert rig.seen == ["start"]
    rig.keys.release(FakeKey.space)
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.clock.advance(0.06)  # held 1.2 s in all: push-to-talk


def test_extra_or_missing_modifiers_fire_nothing(rig: Rig) -> None:
    rig.keys.press(FakeKey.ctrl, FakeKey.alt, FakeKey.shift, FakeKey.space)
    rig.keys.release(FakeKey.space, FakeKey.shift, FakeKey.alt, FakeKey.ctrl)
    rig.clock.advance(1.0)
    rig.keys.press(FakeKey.ctrl, FakeKey.space)
    rig.keys.release(FakeKey.space, FakeKey.ctrl)
    rig.deliver()
    assert rig.seen == []


def test_right_side_modifiers_match(rig: Rig, qtbot: QtBot) -> None:
    with qtbot.waitSignal(rig.bridge.start_requested, timeout=2000):
        rig.keys.press(FakeKey.ctrl_r, FakeKey.shift_r, FakeKey.space)


def test_esc_cancels_toggled_listening(rig: Rig, qtbot: QtBot) -> None:
    rig.keys.press(*CHORD)
    rig.keys.release(*RELEASE)
    rig.clock.advance(1.0)
    with qtbot.waitSignal(rig.bridge.cancel_requested, timeout=2000):
        rig.keys.press(FakeKey.esc)
    assert rig.seen == ["start", "cancel"]


def test_set_active_from_elsewhere_makes_the_next_press_finish(rig: Rig, qtbot: QtBot) -> None:
    rig.bridge.set_active(True)  # started from the window's button
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.keys.press(*CHORD)
    assert rig.seen == ["finish"]


class _Controller(QObject):
    """The controller as the bridge follows it: its state, and whether it listens."""

    state_changed = Signal(str)
    text_out = Signal()  # the final's keys went out
    listening = False
    # A key the user types drops the space a cancelled dictation owed.
    final_delivery = SimpleNamespace(space=SimpleNamespace(forget=lambda: None))


def test_a_hold_pressed_while_the_last_text_is_delivered_ends_at_its_release(
    rig: Rig, qtbot: QtBot
) -> None:
    # Held while the last dictation went from finishing to delivering: the state change
    # made the release do nothing, and the queued dictation listened on with the mic open.
    controller = _Controller()
    rig.bridge.follow(controller)
    with qtbot.waitSignal(rig.bridge.start_requested, timeout=2000):
        rig.keys.press(*CHORD)
    controller.listening = True  # queued: it begins once the last text is delivered
    controller.state_changed.emit("delivering")
    rig.clock.advance(2.0)
    rig.keys.release(*RELEASE)
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.clock.advance(0.1)
    assert rig.seen == ["start", "finish"]


def test_esc_once_the_text_went_out_is_the_apps_not_a_cancel(rig: Rig) -> None:
    # A vim user's Esc just after the paste went in was still taken as Saytype's cancel
    # (the paste waits to give the clipboard back): vim stayed in insert mode, and the
    # ":w" typed next went into the file.
    controller = _Controller()
    rig.bridge.follow(controller)
    controller.state_changed.emit("delivering")
    rig.keys.press(FakeKey.esc)  # the text still waits: Saytype's cancel
    rig.keys.release(FakeKey.esc)
    rig.deliver()
    assert rig.seen == ["cancel"]
    controller.state_changed.emit("delivering")  # the next dictation's text
    controller.text_out.emit()
    rig.clock.advance(1.0)  # a new press, not the last one's auto-repeat
    rig.keys.press(FakeKey.esc)  # the text is in: the app's
    rig.keys.release(FakeKey.esc)
    rig.deliver()
    assert rig.seen == ["cancel"]


def test_set_chord_and_mode(rig: Rig, qtbot: QtBot) -> None:
    rig.bridge.set_chord("alt_gr+f9")
    rig.bridge.set_mode("hold")
    assert rig.bridge.chord == parse_chord("altgr+f9")
    rig.keys.press(*CHORD)
    rig.keys.release(*RELEASE)
    rig.clock.advance(1.0)
    rig.deliver()
    assert rig.seen == []
    with qtbot.waitSignal(rig.bridge.finish_requested, timeout=2000):
        rig.keys.press(FakeKey.alt_gr, FakeKey.f9)
        rig.keys.release(FakeKey.f9)  # a tap, but hold mode finishes on every release
        rig.clock.advance(0.06)
    assert rig.seen == ["start", "finish"]
    with pytest.raises(ValueError, match="Unknown key"):
        rig.bridge.set_chord("ctrl+nonsense")


def test_injected_keys_are_ignored(rig: Rig) -> None:
    rig.keys.send([(True, key) for key in CHORD], injected=True)
    rig.deliver()
    assert rig.seen == []


class _BrokenKey:
    @property
    def vk(self) -> int:
        raise RuntimeError("broken key object")


def test_a_failing_callback_is_logged_and_the_listener_keeps_running(
    rig: Rig, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="app.ui.dictation.hotkey_bridge"):
        rig.keys.press(_BrokenKey())
    assert "hotkey listener callback failed" in caplog.text
    with qtbot.waitSignal(rig.bridge.start_requested, timeout=2000):
        rig.keys.press(*CHORD)


def test_events_queued_before_stop_do_nothing(rig: Rig) -> None:
    rig.keys.press(*CHORD)
    rig.bridge.stop()
    rig.deliver()
    assert rig.seen == []
    assert not rig.bridge.is_listening


@pytest.mark.parametrize(
    ("key", "base_chars", "name"),
    [
        (FakeKey.ctrl_r, None, "ctrl_r"),
        (FakeKey.space, None, "space"),
        (FakeKeyCode("A", 0x41), None, "a"),
        (FakeKeyCode("A", 0x41), {0x41: "a"}, "a"),
        (FakeKeyCode("!", 0x21), {0x21: "1"}, "1"),  # Shift+1 on a US layout
        (FakeKeyCode("!", 0x21), None, "!"),
        (FakeKeyCode(None, 0x1008FF11), None, "vk269025041"),
        (FakeKeyCode(None, None), None, None),
        (None, None, None),
    ],
)
def test_key_name(key: object, base_chars: dict[int, str] | None, name: str | None) -> None:
    assert key_name(key, base_chars) == name


def test_a_listener_that_cannot_be_made_becomes_a_message(qtbot: QtBot) -> None:
    bridge = HotkeyBridge(
        "ctrl+shift+space", listener_factory=FakeListenerFactory(raise_on_create="no backend")
    )
    seen = record(bridge)
    with qtbot.waitSignal(bridge.error) as failed:
        bridge.start()
    message = failed.args[0]
    assert message.startswith("Global hotkeys are not available")
    assert '"saytype keys" prints the lines' in message
    assert seen == [f"error: {message}"]
    assert not bridge.is_listening
    bridge.stop()  # still fine


def test_a_listener_that_dies_before_ready_becomes_a_message(qtbot: QtBot) -> None:
    factory = FakeListenerFactory(fail_to_start=True)
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory)
    with qtbot.waitSignal(bridge.error, timeout=30_000) as failed:
        bridge.start()
    message = failed.args[0]
    assert "did not start" in message or "no X11 display" in message
    assert not factory.last.is_alive()


def test_without_a_display_pynput_is_not_even_tried(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    bridge = HotkeyBridge("ctrl+shift+space")
    with qtbot.assertNotEmitted(bridge.listening), qtbot.waitSignal(bridge.error) as failed:
        bridge.start()  # known at once: the message comes without a thread
    assert failed.args == [
        "Global hotkeys are not available (no X11 display in this Wayland session). Bind the "
        'hotkey in your desktop\'s keyboard settings instead: "saytype keys" prints the lines '
        "for yours."
    ]


def test_an_unreachable_display_becomes_a_message(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":4093")  # nothing listens there
    bridge = HotkeyBridge("ctrl+shift+space")
    with qtbot.waitSignal(bridge.error, timeout=30_000) as failed:
        bridge.start()
    message = failed.args[0]
    assert message.startswith("Global hotkeys are not available (")
    assert ":4093" in message


def test_unavailable_message_names_the_reason() -> None:
    assert "(no X11 display)" in unavailable_message(ImportError("x"), {})
    assert "(bad things)" in unavailable_message(OSError("bad things\nmore"), {"DISPLAY": ":1"})


def test_start_returns_before_the_listener_is_ready(qtbot: QtBot) -> None:
    gate = threading.Event()
    factory = FakeListenerFactory(ready_gate=gate)
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory)
    bridge.start()  # the GUI thread goes on (paints the window) meanwhile
    assert not bridge.is_listening
    with qtbot.waitSignal(bridge.listening):
        gate.set()
    assert bridge.is_listening
    bridge.stop()
    assert not factory.last.is_alive()


def test_a_listener_ready_after_stop_is_stopped_too(qtbot: QtBot) -> None:
    gate = threading.Event()
    factory = FakeListenerFactory(ready_gate=gate)
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory)
    with qtbot.assertNotEmitted(bridge.listening, wait=0):
        bridge.start()
        qtbot.waitUntil(lambda: len(factory.listeners) == 1)
        bridge.stop()  # quitting while XRecord still sets up
        gate.set()
        qtbot.waitUntil(lambda: not factory.last.is_alive())
    assert not bridge.is_listening


def test_a_key_of_the_users_own_is_told_the_hotkeys_are_not(rig: Rig) -> None:
    # A dictation cancelled mid-typing owes the next one a space; Enter typed meanwhile must
    # drop it, or the next line begins with it.
    typed: list[None] = []
    rig.bridge.typed.connect(lambda: typed.append(None))
    rig.keys.press(*CHORD)
    rig.keys.release(*RELEASE)
    rig.keys.press(FakeKey.esc, FakeKey.shift)
    rig.keys.send([(True, FakeKey.enter)], injected=True)  # Saytype's own typing
    rig.deliver()
    assert typed == []
    rig.keys.press(FakeKey.enter)
    rig.deliver()
    assert typed == [None]
