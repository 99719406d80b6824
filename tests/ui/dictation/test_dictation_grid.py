"""Features together: gesture by delivery by type-as-I-speak by the window with the focus.

The worst bugs sat where two features met (type-as-I-speak with hold-to-talk
lost the start; Re-type with Type delivery typed into Saytype). Every cell of
the grid must give the focused app the final text exactly once, in order, or,
when Saytype's own window has the focus, type nothing and show it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import MESSAGE_CANCELLED_WAITING, PASTE_KEYS
from app.core.output.history import NOT_DELIVERED
from app.core.profiles.profile_rules import WindowIdentity
from app.ui.dictation.delivery_service import DeliveryService
from app.ui.dictation.dictation_run import START_COMMAND
from app.ui.dictation.hotkey_bridge import HotkeyBridge
from app.ui.dictation.profile_chooser import ProfileChooser
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_key_listener import FakeKey, FakeKeyListener, FakeListenerFactory
from tests.fakes.fake_keyboard import FakeKeyboard
from tests.support.controller_rig import Rig, build_rig

pytestmark = pytest.mark.gui

WORDS = ["please", "send", "the", "quarterly", "report", "to", "the", "finance", "team"]


# Who starts a dictation of each gesture: `saytype start` and `stop` are what a Wayland
# desktop's key binding runs on the press and the release, so they too are a hold.
_SOURCES = {"hold": "hotkey", "tap": "hotkey", "window": "window", "binding": START_COMMAND}


def _hold_until_commits(qtbot: QtBot, rig: Rig, commits: int = 3) -> None:
    """Press the hotkey, start a dictation and keep the keys down until ``commits`` came."""
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    rig.controller.set_hotkey_held(True)
    assert rig.controller.start(source="hotkey")
    qtbot.waitUntil(lambda: len(seen) >= commits, timeout=10_000)


def _dictate(qtbot: QtBot, rig: Rig, gesture: str) -> list[object]:
    """Dictate with ``gesture``: hold (keys down throughout), tap (keys up), the window, or a
    desktop's binding of `saytype start` and `stop` (no keys Saytype sees)."""
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    controller = rig.controller
    if gesture in {"hold", "tap"}:
        controller.set_hotkey_held(True)
    assert controller.start(source=_SOURCES[gesture])
    if gesture == "tap":
        controller.set_hotkey_held(False)
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=10_000)
    with qtbot.waitSignal(controller.completed, timeout=10_000) as done:
        if gesture == "tap":
            controller.set_hotkey_held(True)  # the second tap finishes on its press
            controller.stop()
            controller.set_hotkey_held(False)
        else:
            if gesture == "hold":
                controller.set_hotkey_held(False)
            controller.stop()
    assert done.args is not None
    return list(done.args)


@pytest.mark.parametrize("own_window", [False, True], ids=["other-app", "saytype-focused"])
@pytest.mark.parametrize("live", [False, True], ids=["at-end", "as-i-speak"])
@pytest.mark.parametrize("delivery", ["paste", "type"])
@pytest.mark.parametrize("gesture", ["hold", "tap", "window"])
def test_each_cell_delivers_the_final_once_or_nothing_into_saytype(  # noqa: PLR0917 - the grid
    qtbot: QtBot, tmp_path: Path, gesture: str, delivery: str, live: bool, own_window: bool
) -> None:
    rig = build_rig(
        tmp_path,
        WORDS,
        FakeDelivery(),
        own_window_active=lambda: own_window,
        delivery=delivery,
        type_as_i_speak=live,
    )
    try:
        where, _source = _dictate(qtbot, rig, gesture)
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert len(final.split()) >= 3
        if own_window:
            assert where == "window"
            assert rig.delivery.requests == []
            # By the hotkey the user meant another app; from the window's button, the window.
            assert rig.delivery.clipboard == (final if gesture != "window" else None)
            return
        # Every word, in order, once; then the space a next dictation follows.
        assert rig.delivery.typed == final + " "
        if live:
            assert where == "typed"
            assert {method for _id, _text, method in rig.delivery.requests} == {"type"}
        else:
            assert where == ("typed" if delivery == "type" else "pasted")
            assert len(rig.delivery.requests) == 1
    finally:
        rig.close()


@contextmanager
def typing_as_spoken(
    tmp_path: Path,
    focus: dict[str, bool],
    keyboard: FakeKeyboard | None = None,
    profiles: ProfileChooser | None = None,
) -> Iterator[tuple[Rig, FakeKeyboard]]:
    """Type as I speak through the real delivery service (``rig.delivery``) and ``keyboard``;
    ``focus["saytype"]`` says whether Saytype's window has the focus. Closed, with the
    service, when the test is done."""
    keyboard = keyboard or FakeKeyboard()
    service = DeliveryService(keyboard=keyboard, own_window_active=lambda: focus["saytype"])
    rig = build_rig(
        tmp_path,
        WORDS,
        service,  # type: ignore[arg-type]
        own_window_active=lambda: focus["saytype"],
        profiles=profiles,
        delivery="type",
        type_as_i_speak=True,
    )
    try:
        yield rig, keyboard
    finally:
        rig.close()
        service.shutdown()


@contextmanager
def following_keys(qtbot: QtBot, controller: object) -> Iterator[FakeKeyListener]:
    """The hotkey bridge on a fake key listener, following ``controller``; keys pressed on it
    have reached the bridge when the block ends."""
    factory = FakeListenerFactory()
    bridge = HotkeyBridge("ctrl+shift+space", listener_factory=factory)
    bridge.follow(controller)
    with qtbot.waitSignal(bridge.listening):
        bridge.start()
    try:
        yield factory.last
        QCoreApplication.processEvents()  # the key events the listener posted
    finally:
        bridge.stop()


def typed_text(keyboard: FakeKeyboard) -> str:
    """What the keyboard typed, all of it."""
    return "".join(sent.value for sent in keyboard.sent if sent.kind == "type")


def test_saytype_taking_the_focus_mid_dictation_leaves_the_rest_on_the_clipboard(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Type as I speak, tapped: words go out as they settle, then the user clicks Saytype's
    # window and finishes. The rest once vanished into the window with no word said.
    focus = {"saytype": False}
    with typing_as_spoken(tmp_path, focus) as (rig, keyboard):
        notices: list[str] = []
        controller = rig.controller
        controller.notice.connect(lambda _level, message: notices.append(message))
        controller.set_hotkey_held(True)
        assert controller.start(source="hotkey")
        controller.set_hotkey_held(False)
        qtbot.waitUntil(lambda: bool(keyboard.sent), timeout=10_000)  # words went out
        focus["saytype"] = True
        with qtbot.waitSignal(controller.state_changed, timeout=10_000):
            controller.stop()
        qtbot.waitUntil(lambda: bool(notices), timeout=10_000)
        final = rig.history.latest().text  # type: ignore[union-attr]
        typed = typed_text(keyboard)
        assert final.startswith(typed.strip())
        assert len(typed.split()) < len(final.split())
        # Only the rest: the user who pasted the whole, as told, got the typed words twice.
        assert (typed + QGuiApplication.clipboard().text()).strip() == final
        assert notices[-1].endswith(
            f"the rest is on the clipboard: paste it with {PASTE_KEYS} after them."
        )
        count = len(typed.split())
        words = "The first word was" if count == 1 else f"The first {count} words were"
        assert notices[-1].startswith(f"Saytype's own window had the keyboard focus. {words} typed")


def test_words_said_while_saytype_had_the_focus_follow_once_it_is_back(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A new user clicked Saytype's window for ten seconds of a tapped dictation with type
    # as I speak, then went back to the app: the words said meanwhile were never typed.
    focus = {"saytype": False}
    with typing_as_spoken(tmp_path, focus) as (rig, keyboard):
        seen: list[str] = []
        rig.worker.committed.connect(lambda _job, text: seen.append(text))
        controller = rig.controller
        assert controller.start(source="hotkey")
        qtbot.waitUntil(lambda: bool(keyboard.sent), timeout=10_000)  # words went out
        focus["saytype"] = True
        said = len(seen)
        qtbot.waitUntil(lambda: len(seen) >= said + 2, timeout=10_000)  # said meanwhile
        focus["saytype"] = False
        with qtbot.waitSignal(controller.completed, timeout=10_000):
            controller.stop()
        final = rig.history.latest().text  # type: ignore[union-attr]
        typed = typed_text(keyboard)
        assert typed.strip() == final  # every word, in order, once


@pytest.mark.parametrize("source", ["hotkey", "window"])
def test_words_said_before_the_focus_left_saytype_are_typed_first(
    qtbot: QtBot, tmp_path: Path, source: str
) -> None:
    # Started with Saytype's window focused (its Record button, or the hotkey there), then the
    # user clicked their app: the words settled before the click were never typed, and the
    # app got ", which has been rainy all week" while history said "typed".
    focus = {"saytype": True}
    with typing_as_spoken(tmp_path, focus) as (rig, keyboard):
        seen: list[str] = []
        rig.worker.committed.connect(lambda _job, text: seen.append(text))
        controller = rig.controller
        assert controller.start(source=source)
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)  # settled, not typed
        assert keyboard.sent == []
        focus["saytype"] = False  # the click on the app
        said = len(seen)
        qtbot.waitUntil(lambda: len(seen) >= said + 2, timeout=10_000)
        with qtbot.waitSignal(controller.completed, timeout=10_000) as done:
            controller.stop()
        assert done.args == ["typed", source]
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert typed_text(keyboard) == final + " "  # every word, in order, once


HELD_IN = ("XTerm", "0x1a00003")


@pytest.mark.parametrize(
    ("gesture", "only_into"),
    [("hold", HELD_IN), ("tap", ("", None)), ("window", ("", None)), ("binding", HELD_IN)],
)
def test_a_held_dictation_goes_only_into_the_window_it_was_held_in(
    qtbot: QtBot, tmp_path: Path, gesture: str, only_into: tuple[str, str | None]
) -> None:
    # A tap may start in one window and finish in the one it is for; a hold is said into
    # one: that terminal, not a second one clicked before the text went out.
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~", window_id=HELD_IN[1])
    rig = build_rig(tmp_path, WORDS, profiles=ProfileChooser(lambda: xterm))
    try:
        _dictate(qtbot, rig, gesture)
        assert len(rig.delivery.only_into) == 1
        assert rig.delivery.target(0) == only_into
    finally:
        rig.close()


def test_esc_after_the_release_keeps_the_text_untyped(qtbot: QtBot, tmp_path: Path) -> None:
    # A vim user pressed Esc just after speaking: the words must not be lost with it.
    rig = build_rig(tmp_path, WORDS)
    try:
        controller = rig.controller
        _hold_until_commits(qtbot, rig)
        with (
            qtbot.waitSignal(controller.history_updated, timeout=10_000) as marked,
            qtbot.waitSignal(controller.completed, timeout=10_000) as done,
        ):
            controller.set_hotkey_held(False)
            controller.stop()
            controller.escape()  # still finishing: the final is not out yet
        assert done.args is not None
        assert done.args[0] == "clipboard"
        entry = rig.history.latest()
        assert entry is not None
        assert len(entry.text.split()) >= 3
        assert rig.delivery.requests == []  # nothing typed
        assert rig.delivery.clipboard == entry.text
        # History marks it as not typed (it looked delivered), as the panel shows it.
        assert entry.delivered_to == NOT_DELIVERED
        assert marked.args == [entry]
    finally:
        rig.close()


def test_esc_after_the_release_of_a_dictation_kept_in_the_window_changes_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Only text meant for an app is held back: one shown in Saytype's window stays there,
    # without a "not typed" mark or a copy on the clipboard.
    rig = build_rig(tmp_path, WORDS, output="window")
    try:
        controller = rig.controller
        _hold_until_commits(qtbot, rig)
        with qtbot.waitSignal(controller.completed, timeout=10_000) as done:
            controller.set_hotkey_held(False)
            controller.stop()
            controller.escape()
        assert done.args is not None
        assert done.args[0] == "window"
        entry = rig.history.latest()
        assert entry is not None
        assert entry.delivered_to != NOT_DELIVERED
        assert rig.delivery.clipboard is None
    finally:
        rig.close()


def test_the_final_going_out_is_told_before_the_dictation_ends(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # From then on an Esc is the app's (vim's), not a cancel: see the hotkey bridge's test.
    rig = build_rig(tmp_path, WORDS)
    try:
        controller = rig.controller
        told_in: list[str] = []
        controller.text_out.connect(lambda: told_in.append(controller.session.state.value))
        _hold_until_commits(qtbot, rig)
        with qtbot.waitSignal(controller.completed, timeout=10_000):
            controller.set_hotkey_held(False)
            controller.stop()
        assert told_in == ["delivering"]  # once, while the dictation still delivers
    finally:
        rig.close()


@pytest.mark.parametrize(
    ("when", "said"),
    [
        ("saving", "Esc: nothing is typed; the text is in history and copied."),
        ("queued", MESSAGE_CANCELLED_WAITING),
    ],
)
def test_esc_as_the_text_sets_out_leaves_it_on_the_clipboard(
    qtbot: QtBot, tmp_path: Path, when: str, said: str
) -> None:
    # Esc as delivery began (the final being saved, or its request queued) dropped the text:
    # not typed, not on the clipboard, no notice; only History's mark said so.
    rig = build_rig(tmp_path, WORDS)
    try:
        controller = rig.controller
        notices: list[str] = []
        controller.notice.connect(lambda _level, text: notices.append(text))
        _hold_until_commits(qtbot, rig)
        if when == "saving":
            controller.state_changed.connect(
                lambda state: controller.escape() if state == "delivering" else None
            )
        else:
            deliver = rig.delivery.deliver

            def escape_before_it_starts(*args: object, **kwargs: object) -> int:
                QTimer.singleShot(0, controller.escape)  # before the fake's start, queued next
                return deliver(*args, **kwargs)  # type: ignore[arg-type]

            rig.delivery.deliver = escape_before_it_starts  # type: ignore[method-assign]
        controller.set_hotkey_held(False)
        controller.stop()
        qtbot.waitUntil(lambda: controller.session.state.value == "idle", timeout=10_000)
        qtbot.waitUntil(lambda: said in notices, timeout=5000)
        entry = rig.history.latest()
        assert entry is not None
        assert rig.delivery.delivered_texts == []  # nothing typed
        assert rig.delivery.clipboard == entry.text
    finally:
        rig.close()


def test_esc_after_the_release_of_a_hold_typed_as_spoken_keeps_the_text(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Held to talk, type as I speak queues the commits until the release; an Esc then took
    # them for typed words and cancelled: no text, no history entry, the journal deleted.
    with typing_as_spoken(tmp_path, {"saytype": False}) as (rig, keyboard):
        controller = rig.controller
        _hold_until_commits(qtbot, rig)
        with qtbot.waitSignal(controller.completed, timeout=10_000) as done:
            controller.set_hotkey_held(False)
            controller.stop()
            controller.escape()  # still finishing: nothing has gone out yet
        assert done.args is not None
        assert done.args[0] == "clipboard"
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert len(final.split()) >= 3
        assert typed_text(keyboard) == ""  # nothing typed


def _typing_into_an_xterm(
    tmp_path: Path, **settings: object
) -> tuple[FakeKeyboard, DeliveryService, Rig]:
    """A real delivery service typing into an xterm (the window ``HELD_IN``), its profile's."""
    keyboard = FakeKeyboard(window_class="XTerm")
    keyboard.window_id = HELD_IN[1]
    xterm = WindowIdentity("xterm", "XTerm", "user@host: ~", window_id=HELD_IN[1])
    service = DeliveryService(keyboard=keyboard, own_window_active=lambda: False)
    rig = build_rig(
        tmp_path,
        WORDS,
        service,  # type: ignore[arg-type]
        own_window_active=lambda: False,
        profiles=ProfileChooser(lambda: xterm),
        delivery="type",
        **settings,
    )
    return keyboard, service, rig


@pytest.mark.parametrize(
    "moved_to", [("Chromium", "0x2000003"), ("XTerm", "0x1c00003")], ids=["browser", "terminal"]
)
def test_a_held_dictation_typed_as_spoken_goes_only_into_the_window_it_was_held_in(
    qtbot: QtBot, tmp_path: Path, moved_to: tuple[str, str]
) -> None:
    # Held to talk with type as I speak, the words wait for the release; a click on
    # another app while speaking sent the whole dictation there (the other path refused),
    # and a second terminal shares the first one's class.
    keyboard, service, rig = _typing_into_an_xterm(tmp_path, type_as_i_speak=True)
    try:
        controller = rig.controller
        _hold_until_commits(qtbot, rig)
        keyboard.window_class, keyboard.window_id = moved_to  # clicked while still speaking
        notices: list[str] = []
        controller.notice.connect(lambda _level, message: notices.append(message))
        controller.set_hotkey_held(False)
        controller.stop()
        qtbot.waitUntil(lambda: bool(notices), timeout=10_000)
        final = rig.history.latest()
        assert final is not None
        assert keyboard.sent == []  # nothing went into the browser
        assert QGuiApplication.clipboard().text() == final.text
        assert notices[-1].startswith("Typing stopped: the keyboard focus left the window")
    finally:
        rig.close()
        service.shutdown()


@pytest.mark.parametrize(
    ("window_after", "keys_between", "space"),
    [("XTerm", (), True), ("Chromium", (), False), ("XTerm", (FakeKey.enter,), False)],
    ids=["same-window", "another-window", "enter-typed-between"],
)
def test_the_dictation_after_a_cancel_mid_typing_does_not_run_into_its_words(
    qtbot: QtBot, tmp_path: Path, window_after: str, keys_between: tuple[str, ...], space: bool
) -> None:
    # Two new users cancelled a dictation typed as spoken, then dictated again in the same
    # terminal: "…by FridayI would like…". The cancel types nothing more; the space for
    # the next dictation goes in before its first words, and only where the words stopped.
    focus = {"saytype": False}
    with typing_as_spoken(tmp_path, focus, FakeKeyboard(window_class="XTerm")) as (rig, keyboard):
        notices: list[str] = []
        rig.controller.notice.connect(lambda _level, message: notices.append(message))
        controller = rig.controller
        assert controller.start(source="hotkey")  # a tap: the keys are up while it types
        qtbot.waitUntil(lambda: len(typed_text(keyboard).split()) >= 2, timeout=10_000)
        controller.cancel()
        qtbot.waitUntil(lambda: not rig.delivery.is_busy(), timeout=10_000)  # the key in flight
        cancelled = typed_text(keyboard)
        assert not cancelled.endswith(" ")  # nothing more after the cancel
        keyboard.window_class = window_after
        with following_keys(qtbot, controller) as keys:  # what the user types meanwhile
            keys.press(*keys_between)
        assert controller.start(source="hotkey")
        qtbot.waitUntil(lambda: len(typed_text(keyboard)) > len(cancelled) + 8, timeout=10_000)
        with qtbot.waitSignal(controller.completed, timeout=10_000):
            controller.stop()
        after = typed_text(keyboard)[len(cancelled) :]
        assert after.startswith(" ") == space, after
        assert after.lstrip()[:1].isalpha()  # one space at most, then the words
        assert not [n for n in notices if "focus" in n]  # a space not typed is not news


def test_a_hold_the_microphone_cut_short_goes_only_into_the_window_it_was_held_in(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The microphone died while the hotkey was still held; the user clicked a second
    # terminal and let go: the words were typed there, as if the hold had been a tap.
    import numpy as np

    from app.core.output.delivery_messages import MESSAGE_TEXT_FOCUS_MOVED
    from tests.fakes.fake_sounddevice import FakeSoundDevice

    unplugging = FakeSoundDevice(np.zeros(8000, np.float32), after_audio="unplug")
    keyboard, service, rig = _typing_into_an_xterm(tmp_path, sound_device=unplugging)
    try:
        controller = rig.controller
        notices: list[str] = []
        controller.notice.connect(lambda _level, message: notices.append(message))
        keyboard.hold("ctrl", "alt")  # the hotkey's keys, down from the start
        controller.set_hotkey_held(True)
        assert controller.start(source="hotkey")
        qtbot.waitUntil(lambda: controller.session.state.value != "listening", timeout=10_000)
        keyboard.window_id = "0x1c00003"  # a second terminal, before the keys go up
        controller.set_hotkey_held(False)
        keyboard.release_all()
        qtbot.waitUntil(lambda: MESSAGE_TEXT_FOCUS_MOVED in notices, timeout=10_000)
        assert keyboard.sent == []
        entry = rig.history.latest()
        assert entry is not None
        assert QGuiApplication.clipboard().text().strip() == entry.text
    finally:
        rig.close()
        service.shutdown()
