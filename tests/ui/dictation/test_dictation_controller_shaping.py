"""The controller shapes what it shows, saves and delivers; "scratch that" backspaces live.

Same rig as tests/ui/dictation/test_dictation_controller.py: real worker thread, ring buffer,
MicSource on a fake device, sqlite history; a scripted model and a recording delivery.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.dictation.dictation_controller import DictationController
from tests.fakes.fake_delivery import FakeDelivery
from tests.support.controller_rig import build_rig

pytestmark = pytest.mark.gui

SAID = "dear Anna comma I will call you tomorrow scratch that I will call tonight period bye"
WORDS = SAID.split(" ")
SHAPED = "Dear Anna, I will call tonight. Bye"


def _controller(tmp_path: Path, **settings: object) -> tuple[DictationController, FakeDelivery]:
    rig = build_rig(tmp_path, WORDS, **settings)
    rig.controller.setProperty("parts", [rig.worker, rig.mic, rig.history])  # kept for closing
    return rig.controller, rig.delivery


def _dictate_everything(qtbot: QtBot, controller: DictationController) -> None:
    worker = controller.property("parts")[0]
    seen: list[str] = []
    worker.committed.connect(lambda _job, text: seen.append(text))
    with qtbot.waitSignal(controller.completed, timeout=10_000):
        assert controller.start(source="hotkey")
        # The script commits every word but the newest once it has all been heard.
        qtbot.waitUntil(lambda: "period" in "".join(seen), timeout=10_000)
        controller.stop()


def _close(controller: DictationController) -> None:
    worker, mic, history = controller.property("parts")
    controller.cancel()
    assert worker.shutdown(5000)
    mic.close()
    history.close()


def _screen(delivery: FakeDelivery) -> str:
    """The focused app's text after every request: typed text, or backspaces."""
    screen = ""
    for _id, text, method in delivery.requests:
        screen = screen[: len(screen) - len(text)] if method == "erase" else screen + text
    return screen


def test_shaped_text_is_shown_saved_and_pasted(qtbot: QtBot, tmp_path: Path) -> None:
    controller, delivery = _controller(tmp_path, trailing_space=True)
    shown: list[str] = []
    controller.final_text.connect(shown.append)
    try:
        _dictate_everything(qtbot, controller)
        history = controller.property("parts")[2]
        assert history.latest().text == SHAPED
        assert shown == [SHAPED]
        assert controller.last_text == SHAPED
        assert [(text, method) for _id, text, method in delivery.requests] == [
            (SHAPED + " ", "paste")
        ]
    finally:
        _close(controller)


def test_scratch_that_while_typing_as_i_speak_backspaces_the_typed_phrase(
    qtbot: QtBot, tmp_path: Path
) -> None:
    controller, delivery = _controller(tmp_path, type_as_i_speak=True)
    live: list[tuple[str, str]] = []
    controller.live_text.connect(lambda committed, partial: live.append((committed, partial)))
    try:
        _dictate_everything(qtbot, controller)
        erased = [text for _id, text, method in delivery.requests if method == "erase"]
        typed_before = "".join(text for _id, text, method in delivery.requests if method == "type")
        assert _screen(delivery) == SHAPED + " "  # the space a next dictation follows
        assert controller.property("parts")[2].latest().text == SHAPED
        assert erased, "tomorrow was typed before scratch that was heard"
        assert sum(map(len, erased)) <= len(" I will call you tomorrow")
        assert "tomorrow" in typed_before
        assert all(method in {"type", "erase"} for _id, _text, method in delivery.requests)
        assert any("," in committed for committed, _partial in live)  # the window is shaped
    finally:
        _close(controller)


def test_spoken_commands_can_be_turned_off(qtbot: QtBot, tmp_path: Path) -> None:
    controller, delivery = _controller(tmp_path, spoken_commands=False, capitalize_first=False)
    try:
        _dictate_everything(qtbot, controller)
        assert delivery.typed == " ".join(WORDS) + " "
    finally:
        _close(controller)


def test_scratch_that_heard_only_in_the_final_takes_back_every_typed_word(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A tap, type as I speak: "hello world" went out, then "scratch that" came only with the
    # final, whose text is empty. The typed words stayed in the app ("No speech was heard").
    rig = build_rig(tmp_path, ["hello", "world", "scratch", "that"], type_as_i_speak=True)
    notices: list[tuple[str, str]] = []
    rig.controller.notice.connect(lambda level, text: notices.append((level, text)))
    try:
        seen: list[str] = []
        rig.worker.committed.connect(lambda _job, text: seen.append(text))
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            assert rig.controller.start(source="window")  # a click: no keys held
            qtbot.waitUntil(lambda: "world" in rig.delivery.typed, timeout=10_000)
            rig.controller.stop()
        assert done.args == ["none", "window"]
        assert "Hello world" in "".join(t for _i, t, m in rig.delivery.requests if m == "type")
        assert _screen(rig.delivery) == ""  # every typed character taken back
        assert rig.history.latest() is None
        assert ("info", "Scratched: the words typed were taken back.") in notices
    finally:
        rig.close()


def test_a_take_of_only_a_spoken_command_says_so_not_that_no_speech_was_heard(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # "Scratch that" said alone, to undo the dictation before: "No speech was heard."
    from app.ui.dictation.final_delivery import MESSAGE_COMMANDS_ONLY

    rig = build_rig(tmp_path, ["scratch", "that"])
    notices: list[tuple[str, str]] = []
    rig.controller.notice.connect(lambda level, text: notices.append((level, text)))
    try:
        seen: list[str] = []
        rig.worker.committed.connect(lambda _job, text: seen.append(text))
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            assert rig.controller.start(source="hotkey")
            qtbot.waitUntil(lambda: "scratch" in "".join(seen).lower(), timeout=10_000)
            rig.controller.stop()
        assert done.args == ["none", "hotkey"]
        assert rig.delivery.requests == []
        assert ("info", MESSAGE_COMMANDS_ONLY) in notices
    finally:
        rig.close()
