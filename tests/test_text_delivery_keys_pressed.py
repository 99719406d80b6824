"""Keys pressed part way through a typed text: the service pauses, then types the rest once.

The real keyboard's part (seeing the keys between bursts) is in
tests/test_delivery_x11_keys_pressed.py; here a fake keyboard stops part way.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import (
    MESSAGE_CANCELLED_PART_WAY,
    MESSAGE_CANCELLED_REST,
    keys_held_message,
)
from app.core.output.text_delivery import InjectionError
from app.ui.dictation.delivery_service import DeliveryService
from tests.fakes.fake_keyboard import FakeKeyboard

pytestmark = pytest.mark.gui


def test_the_rest_goes_out_once_the_keys_are_up_however_long_they_were_held(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    keyboard.press_part_way(5, "control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        service.deliver("Hello there")
    # Past the modifier timeout (0.3 s): the start is in the app, so the rest must wait on.
    with qtbot.waitSignal(service.failed, timeout=1000, raising=False) as failed:
        pass
    assert not failed.signal_triggered
    with qtbot.waitSignal(service.delivered, timeout=2000):
        keyboard.release_all()
    assert [(s.value, s.modifiers_held) for s in keyboard.sent] == [
        ("Hello", frozenset()),
        (" there", frozenset()),
    ]


@pytest.mark.parametrize("copy_on_failure", [True, False])
def test_a_cancel_part_way_says_what_happened_and_counts_what_went_in(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard, copy_on_failure: bool
) -> None:
    QGuiApplication.clipboard().setText("older")
    keyboard.press_part_way(5, "control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        request_id = service.deliver("Hello there", clipboard_on_failure=copy_on_failure)
    with qtbot.waitSignal(service.failed, timeout=2000) as failed:
        service.cancel_pending()
    message = MESSAGE_CANCELLED_PART_WAY if copy_on_failure else MESSAGE_CANCELLED_REST
    assert failed.args == [request_id, message]
    assert service.typed_before_failure(request_id) == len("Hello")
    assert keyboard.typed() == "Hello"
    assert QGuiApplication.clipboard().text() == ("Hello there" if copy_on_failure else "older")


def test_a_failure_after_a_pause_still_counts_what_went_in(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    # Counted as nothing, the piece came back whole and its start was typed twice.
    keyboard.press_part_way(5, "control")
    with qtbot.waitSignal(service.waiting_for_release, timeout=2000):
        request_id = service.deliver("Hello there", clipboard_on_failure=False)
    keyboard.fail_next(InjectionError("the keyboard was unplugged"))
    with qtbot.waitSignal(service.failed, timeout=2000):
        keyboard.release_all()
    assert service.typed_before_failure(request_id) == len("Hello")


def test_keys_held_before_the_first_character_wait_as_before_any_text(
    qtbot: QtBot, service: DeliveryService, keyboard: FakeKeyboard
) -> None:
    # Nothing is in the app yet: after the usual wait the text goes to the clipboard.
    keyboard.press_part_way(0, "control")
    with qtbot.waitSignal(service.failed, timeout=3000) as failed:
        service.deliver("Hello there")
    assert failed.args[1] == keys_held_message(frozenset({"control"}))
    assert failed.args[1].startswith("Release the keys held (Ctrl): ")
    assert keyboard.typed() == ""
    assert QGuiApplication.clipboard().text() == "Hello there"
