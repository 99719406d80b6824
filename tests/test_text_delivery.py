"""Text delivery rules and the DeliveryService with a fake keyboard (offscreen clipboard)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import (
    MESSAGE_CANCELLED_REST,
    MESSAGE_CANCELLED_WAITING,
    MESSAGE_FOCUS_MOVED,
    MESSAGE_NOT_TAKEN,
    MESSAGE_PINNED_FOCUS_MOVED,
    MESSAGE_TEXT_FOCUS_MOVED,
)
from app.core.output.delivery_queue import DeliveryQueue
from app.core.output.paste_keys import CTRL_SHIFT_V, CTRL_V, SHIFT_INSERT, paste_chord_for
from app.core.output.text_delivery import (
    DeliveryCancelled,
    ModifiersHeld,
    WindowPin,
    wait_for_modifier_release,
)
from app.core.output.x11_keysyms import keysym_for_char
from app.ui.dictation.delivery_service import DeliveryService
from tests.fakes.fake_keyboard import FakeKeyboard


class FakeClock:
    """Monotonic time that moves only when the code under test pauses."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.now += seconds


# ---- core rules (no Qt) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window_class", "chord"),
    [
        ("XTerm", SHIFT_INSERT),
        ("UXTerm", SHIFT_INSERT),
        ("URxvt", SHIFT_INSERT),
        ("Gnome-terminal", CTRL_SHIFT_V),
        ("konsole", CTRL_SHIFT_V),
        ("Xfce4-terminal", CTRL_SHIFT_V),
        ("Alacritty", CTRL_SHIFT_V),
        ("kitty", CTRL_SHIFT_V),
        ("Terminator", CTRL_SHIFT_V),
        ("Tilix", CTRL_SHIFT_V),
        ("org.wezfurlong.wezterm", CTRL_SHIFT_V),
        ("foot", CTRL_SHIFT_V),
        ("footclient", CTRL_SHIFT_V),
        ("com.mitchellh.ghostty", CTRL_SHIFT_V),
        ("org.gnome.Ptyxis", CTRL_SHIFT_V),
        ("org.gnome.Console", CTRL_SHIFT_V),
        ("firefox", CTRL_V),
        ("org.kde.konsolekalendar", CTRL_V),
        ("Console", CTRL_V),
        ("Gedit", CTRL_V),
        ("", CTRL_V),
        (None, CTRL_V),
    ],
)
def test_paste_keys_follow_the_focused_application(
    window_class: str | None, chord: tuple[str, ...]
) -> None:
    assert paste_chord_for(window_class) == chord


def test_modifier_wait_returns_at_once_when_nothing_is_held() -> None:
    clock, keyboard, waited = FakeClock(), FakeKeyboard(), []
    wait_for_modifier_release(keyboard, 2.0, waited.append, clock, clock.pause)
    assert waited == []
    assert clock.now == 0.0


def test_modifier_wait_lasts_until_release() -> None:
    clock, keyboard, waited = FakeClock(), FakeKeyboard(), []
    keyboard.hold("control", "shift")

    def pause(seconds: float) -> None:
        clock.pause(seconds)
        if clock.now >= 0.5:
            keyboard.release_all()

    wait_for_modifier_release(keyboard, 2.0, waited.append, clock, pause)
    assert waited == [frozenset({"control", "shift"})]
    assert 0.5 <= clock.now < 0.6


def test_modifier_wait_gives_up_after_the_timeout() -> None:
    clock, keyboard = FakeClock(), FakeKeyboard()
    keyboard.hold("control")
    with pytest.raises(ModifiersHeld, match="control"):
        wait_for_modifier_release(keyboard, 2.0, None, clock, clock.pause)
    assert clock.now == pytest.approx(2.0, abs=0.02)


def test_esc_held_while_the_text_waits_cancels_it() -> None:
    # A vim user pressed Esc just after letting go: the text waited for the key, and its
    # cancel came a moment after the key went up, so the text went in after the Esc.
    clock, keyboard = FakeClock(), FakeKeyboard()
    keyboard.hold("key Escape")
    with pytest.raises(DeliveryCancelled):
        wait_for_modifier_release(keyboard, 2.0, None, clock, clock.pause)
    assert clock.now == 0.0  # at once: nothing waits for the cancel to arrive


def test_text_waits_as_long_as_the_hotkey_is_held_for_the_next_dictation() -> None:
    # A new user pressed the hotkey again 0.1-0.4 s after a release: the last text waited
    # for the keys, gave up after 2 s of the next dictation and went to the clipboard.
    clock, keyboard = FakeClock(), FakeKeyboard()
    keyboard.hold("control", "shift")
    dictating = True

    def pause(seconds: float) -> None:
        nonlocal dictating
        clock.pause(seconds)
        if clock.now >= 12.0:  # the next dictation's keys go up after 12 s
            dictating = False
            keyboard.release_all()

    wait_for_modifier_release(keyboard, 2.0, None, clock, pause, dictating=lambda: dictating)
    assert 12.0 <= clock.now < 12.1
    keyboard.hold("control")  # held, but for no dictation: the timeout stands
    with pytest.raises(ModifiersHeld):
        wait_for_modifier_release(keyboard, 2.0, None, clock, clock.pause, dictating=lambda: False)


def test_queue_keeps_order_and_ids_and_can_be_cleared() -> None:
    queue = DeliveryQueue()
    first, second = queue.add("one", "type"), queue.add("two", "paste")
    assert (first.request_id, second.request_id) == (1, 2)
    popped = queue.pop()
    assert popped is not None
    assert popped.text == "one"
    assert [r.text for r in queue.clear()] == ["two"]
    assert queue.pop() is None
    with pytest.raises(ValueError, match="unknown delivery method"):
        queue.add("x", "shout")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("char", "keysym"),
    [("a", 0x61), ("é", 0xE9), ("—", 0x1002014), ("你", 0x1004F60), ("🎉", 0x101F389)],
)
def test_keysyms_for_characters(char: str, keysym: int) -> None:
    assert keysym_for_char(char) == keysym


# ---- the service (offscreen clipboard, fake keyboard) ---------------------------------------


@pytest.mark.gui
def test_requests_are_delivered_in_order(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    texts = [f" chunk {n}" for n in range(8)]
    done: list[int] = []
    service.delivered.connect(lambda rid, _how: done.append(rid))
    ids = [service.deliver(text) for text in texts]
    qtbot.waitUntil(lambda: len(done) == len(texts), timeout=5000)
    assert done == ids
    assert keyboard.typed() == "".join(texts)
    assert not service.is_busy()


@pytest.mark.gui
def test_paste_sends_the_chord_for_the_window_and_restores_the_clipboard(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("before")
    keyboard.window_class = "XTerm"
    with qtbot.waitSignal(service.delivered, timeout=5000) as delivered:
        service.deliver("the transcript", "paste")
        qtbot.waitUntil(lambda: clipboard.text() == "the transcript", timeout=2000)
    assert delivered.args is not None
    assert delivered.args[1] == "pasted"
    assert [(s.kind, s.value) for s in keyboard.sent] == [("chord", "shift+insert")]
    assert clipboard.text() == "before"


@pytest.mark.gui
def test_a_copy_made_right_after_the_paste_is_not_undone_by_the_restore(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("before")
    service.set_options("paste", restore_delay_ms=1500)  # nothing here fetches: the delay runs
    with qtbot.waitSignal(service.failed, timeout=5000):
        service.deliver("the transcript", "paste")
        qtbot.waitUntil(lambda: bool(keyboard.sent), timeout=2000)  # the paste keys went out
        clipboard.setText("my new copy")  # the user copies something at once
    assert clipboard.text() == "my new copy"  # not "before" again, nor the transcript


@pytest.mark.gui
def test_a_paste_no_application_takes_fails_with_the_text_on_the_clipboard(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    # The paste keys went to a window that closed, or to the desktop: nothing fetched the
    # text. It was marked pasted and the old clipboard put back, so the words were nowhere.
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("before")
    service.set_options("paste", restore_delay_ms=300)
    with qtbot.waitSignal(service.failed, timeout=5000) as failed:
        service.deliver("the transcript", "paste")
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_NOT_TAKEN
    assert [(s.kind, s.value) for s in keyboard.sent] == [("chord", "ctrl+v")]
    assert clipboard.text() == "the transcript"


@pytest.mark.gui
def test_delivery_waits_for_held_modifiers(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    keyboard.hold("control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        service.deliver("hello")
    assert keyboard.sent == []
    with qtbot.waitSignal(service.delivered, timeout=2000):
        keyboard.release_all()
    assert [(s.value, s.modifiers_held) for s in keyboard.sent] == [("hello", frozenset())]


@pytest.mark.gui
@pytest.mark.parametrize("method", ["type", "paste"])
def test_held_modifiers_past_the_timeout_fail_with_the_text_on_the_clipboard(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard, method: str
) -> None:
    keyboard.hold("control")
    with qtbot.waitSignal(service.failed, timeout=3000) as failed:
        request_id = service.deliver("keep this", method)
    assert failed.args == [request_id, failed.args[1]]
    assert failed.args[1].startswith("Release the keys held (Ctrl): the text was not typed")
    assert keyboard.sent == []
    assert QGuiApplication.clipboard().text() == "keep this"


@pytest.mark.gui
@pytest.mark.parametrize("copy_on_failure", [True, False])
def test_a_cancel_stops_the_text_waiting_for_the_keys_held(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard, copy_on_failure: bool
) -> None:
    # Esc while the text waited for Ctrl to be let go: the text still went in afterwards.
    QGuiApplication.clipboard().setText("older")
    keyboard.hold("control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        request_id = service.deliver("rm -rf build", "type", clipboard_on_failure=copy_on_failure)
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.cancel_pending()
    assert failed.args == [
        request_id,
        MESSAGE_CANCELLED_WAITING if copy_on_failure else MESSAGE_CANCELLED_REST,
    ]
    keyboard.release_all()
    with qtbot.waitSignal(service.delivered, timeout=2000):  # the next request is not cancelled
        service.deliver("ls", "type")
    assert keyboard.typed() == "ls"
    assert QGuiApplication.clipboard().text() == ("rm -rf build" if copy_on_failure else "older")


@pytest.mark.gui
def test_a_profiles_enter_after_the_text_waits_out_the_next_dictations_hold(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    # The hotkey pressed again right after a paste: its keys stay down for the whole next
    # dictation. The Enter after the text once failed 2 s later ("Release the hotkey keys:
    # the text was not typed… It is on the clipboard"), so a terminal never ran the line.
    keyboard.hold("control", "shift")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        service.deliver("enter", "keys")
    with qtbot.assertNotEmitted(service.failed, wait=900):  # three text timeouts go by
        pass
    assert keyboard.sent == []
    with qtbot.waitSignal(service.delivered, timeout=2000):
        keyboard.release_all()
    assert [(s.kind, s.value) for s in keyboard.sent] == [("chord", "enter")]


@pytest.mark.gui
def test_a_profiles_enter_is_pressed_only_in_the_profiles_window(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    # The profile (a terminal's: Enter after the text) was chosen at the press; the user
    # then clicked a chat window, where an Enter sends the message.
    keyboard.window_class = "Chromium"
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.deliver("enter", "keys", only_into="XTerm")
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_FOCUS_MOVED
    keyboard.window_class = "xterm"  # the same class, as the window manager spells it
    with qtbot.waitSignal(service.delivered, timeout=2000):
        service.deliver("enter", "keys", only_into="XTerm")
    assert [(s.kind, s.value) for s in keyboard.sent] == [("chord", "enter")]
    assert QGuiApplication.clipboard().text() != "enter"


@pytest.mark.gui
@pytest.mark.parametrize("method", ["type", "paste"])
def test_a_text_goes_only_into_the_window_it_was_said_for(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard, method: str
) -> None:
    keyboard.window_class = "Chromium"  # clicked after the hotkey was let go in a terminal
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.deliver("rm -rf build", method, only_into="XTerm")
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_TEXT_FOCUS_MOVED
    assert keyboard.sent == []
    assert QGuiApplication.clipboard().text() == "rm -rf build"  # not lost
    keyboard.window_class = "xterm"
    with qtbot.waitSignal(service.delivered, timeout=2000):
        service.deliver("ls", method, only_into="XTerm")
        if method == "paste":  # the terminal takes the text: its read is the fetch
            qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "ls", timeout=2000)
    assert keyboard.sent


@pytest.mark.gui
def test_a_held_dictation_and_its_enter_go_only_into_the_terminal_it_was_held_in(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    # Held to talk in one terminal, let go after a click into a second one: checked by
    # class alone, the text and the profile's Enter ran the command in the second shell.
    held_in = WindowPin()
    held_in.first_into, held_in.window_id = "XTerm", "0x1a00003"
    keyboard.window_class, keyboard.window_id = "XTerm", "0x1c00003"
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.deliver("rm -rf build", "type", only_into=held_in)
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_TEXT_FOCUS_MOVED  # a final's text: on the clipboard
    assert keyboard.sent == []
    assert QGuiApplication.clipboard().text() == "rm -rf build"
    keyboard.window_id = "0x1a00003"  # back in the terminal it was said for
    with qtbot.waitSignal(service.delivered, timeout=2000):
        service.deliver("ls", "type", only_into=held_in)
    keyboard.window_id = "0x1c00003"  # clicked away before the Enter
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.deliver("enter", "keys", only_into=held_in)
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_FOCUS_MOVED
    assert keyboard.typed() == "ls"


# Where the focus goes between two pieces of one dictation: (class, window id) after the
# first piece, during the second, and back.
FOCUS_MOVES = {
    # A click on a terminal in the middle of a dictation split its words between two apps
    # (the second part began with the first's full stop).
    "another app": [("Gedit", None), ("XTerm", None), ("gedit", None)],
    # Two terminals share a class: the rest must not be typed into the second shell.
    "a second terminal": [("XTerm", "0x1a00003"), ("XTerm", "0x1c00003"), ("XTerm", "0x1a00003")],
}


@pytest.mark.gui
@pytest.mark.parametrize("moves", FOCUS_MOVES.values(), ids=FOCUS_MOVES.keys())
def test_pinned_pieces_go_only_into_the_window_the_first_went_into(
    qtbot: QtBot,
    service: DeliveryService,
    keyboard: FakeKeyboard,
    moves: list[tuple[str, str | None]],
) -> None:
    first, elsewhere, back = moves
    pin = WindowPin()
    keyboard.window_class, keyboard.window_id = first
    with qtbot.waitSignal(service.delivered, timeout=2000):
        service.deliver("Dear Sam,", "type", only_into=pin)
    keyboard.window_class, keyboard.window_id = elsewhere
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.deliver(" the build broke.", "type", clipboard_on_failure=False, only_into=pin)
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_PINNED_FOCUS_MOVED
    assert keyboard.typed() == "Dear Sam,"
    keyboard.window_class, keyboard.window_id = back  # back: the rest goes in
    with qtbot.waitSignal(service.delivered, timeout=2000):
        service.deliver(" the build broke.", "type", only_into=pin)
    assert keyboard.typed() == "Dear Sam, the build broke."


@pytest.mark.gui
@pytest.mark.parametrize("method", ["type", "paste"])
def test_injection_failure_leaves_the_text_on_the_clipboard(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard, method: str
) -> None:
    QGuiApplication.clipboard().setText("older")
    keyboard.fail_next()
    with qtbot.waitSignal(service.failed, timeout=3000) as failed:
        service.deliver("dictated words", method)
    assert failed.args is not None
    assert "clipboard" in failed.args[1]
    assert QGuiApplication.clipboard().text() == "dictated words"
    with qtbot.waitSignal(service.delivered, timeout=3000):
        service.deliver(" next", "type")  # the queue goes on after a failure
    assert keyboard.typed() == " next"


@pytest.mark.gui
def test_cancel_pending_drops_queued_requests(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    keyboard.hold("control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        service.deliver(" first")
    service.deliver(" dropped")
    with qtbot.waitSignal(service.failed, timeout=2000):  # the one waiting is cancelled too
        service.cancel_pending()
    keyboard.release_all()
    qtbot.waitUntil(lambda: not service.is_busy(), timeout=2000)
    assert keyboard.typed() == ""


@pytest.mark.gui
def test_a_cancel_with_nothing_under_way_cancels_no_later_request(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    service.cancel_pending()  # Esc on an idle delivery
    keyboard.hold("control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        service.deliver(" later")
    with qtbot.waitSignal(service.delivered, timeout=2000):
        keyboard.release_all()
    assert keyboard.typed() == " later"


@pytest.mark.gui
def test_clipboard_method_only_copies(qtbot: QtBot, service: DeliveryService) -> None:
    with qtbot.waitSignal(service.delivered, timeout=2000) as delivered:
        service.deliver("just copy", "clipboard")
    assert delivered.args is not None
    assert delivered.args[1] == "clipboard"
    assert QGuiApplication.clipboard().text() == "just copy"


@pytest.mark.gui
def test_without_x11_delivery_fails_clearly(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    delivery = DeliveryService()  # the real X11 keyboard, which cannot open here
    try:
        with qtbot.waitSignal(delivery.failed, timeout=5000) as failed:
            delivery.deliver("no display", "type")
        assert failed.args is not None
        assert "X11" in failed.args[1]
        assert QGuiApplication.clipboard().text() == "no display"
    finally:
        delivery.shutdown()


@pytest.mark.gui
def test_a_profiles_paste_keys_and_keys_after_the_text_go_in_order(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    keyboard.window_class = "XTerm"  # would paste with Shift+Insert without the profile
    done: list[tuple[int, str]] = []
    service.delivered.connect(lambda rid, how: done.append((rid, how)))
    pasted = service.deliver("ls -l", "paste", paste_keys=("ctrl", "shift", "v"))
    entered = service.deliver("ctrl+enter", "keys")
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "ls -l", timeout=2000)  # taken
    qtbot.waitUntil(lambda: len(done) == 2, timeout=5000)
    assert done == [(pasted, "pasted"), (entered, "keys")]
    assert [(s.kind, s.value) for s in keyboard.sent] == [
        ("chord", "ctrl+shift+v"),
        ("chord", "ctrl+enter"),
    ]


@pytest.mark.gui
def test_keys_that_cannot_be_pressed_leave_the_clipboard_alone(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    QGuiApplication.clipboard().setText("mine")
    keyboard.fail_next()
    with qtbot.waitSignal(service.failed, timeout=5000):
        service.deliver("enter", "keys")
    assert QGuiApplication.clipboard().text() == "mine"
