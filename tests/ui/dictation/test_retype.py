"""History → Re-type: a countdown, one delivery per click, and never a key into Saytype.

Before, Re-type delivered at once into "the focused application", which after
the click was Saytype itself: with Type delivery the typed spaces pressed the
focused Re-type button again, without end. These tests pin the countdown and
the guard in the delivery service; tests/test_desktop_e2e_retype.py does it
through real typing into xterm.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import MESSAGE_OWN_WINDOW
from app.ui.dictation.delivery_service import DeliveryService
from app.ui.dictation.live_view import NoticeBar
from app.ui.dictation.retype import MESSAGE_STILL_FOCUSED, RetypeBanner, RetypeCountdown
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_keyboard import FakeKeyboard

pytestmark = pytest.mark.gui


class Focus:
    """Whether Saytype has the focus, as the test says."""

    def __init__(self) -> None:
        self.ours = True

    def __call__(self) -> bool:
        return self.ours


@pytest.fixture
def focus() -> Focus:
    return Focus()


@pytest.fixture
def delivery() -> FakeDelivery:
    return FakeDelivery()


@pytest.fixture
def countdown(delivery: FakeDelivery, focus: Focus) -> RetypeCountdown:
    return RetypeCountdown(delivery, focus, seconds=1)


def test_the_text_is_delivered_once_after_the_user_clicks_elsewhere(
    qtbot: QtBot, countdown: RetypeCountdown, delivery: FakeDelivery, focus: Focus
) -> None:
    seconds: list[int] = []
    countdown.counting.connect(seconds.append)
    assert countdown.request("Send the report.")
    assert delivery.requests == []  # never at once: Saytype has the focus right after the click
    focus.ours = False  # the user clicks the target window
    with qtbot.waitSignal(countdown.finished, timeout=3000) as finished:
        pass
    assert finished.args == ["pasted"]
    assert delivery.delivered_texts == ["Send the report."]
    assert seconds == [1, 0]


def test_a_second_click_while_one_is_under_way_is_refused(
    qtbot: QtBot, countdown: RetypeCountdown, delivery: FakeDelivery, focus: Focus
) -> None:
    assert countdown.request("once")
    assert not countdown.request("once")
    focus.ours = False
    with qtbot.waitSignal(countdown.finished, timeout=3000):
        pass
    assert delivery.delivered_texts == ["once"]


def test_nothing_is_typed_while_saytype_keeps_the_focus(
    qtbot: QtBot, countdown: RetypeCountdown, delivery: FakeDelivery
) -> None:
    notices: list[tuple[str, str]] = []
    countdown.notice.connect(lambda level, message: notices.append((level, message)))
    with qtbot.waitSignal(countdown.finished, timeout=3000) as finished:
        countdown.request("not into Saytype")
    assert finished.args == ["clipboard"]
    assert delivery.requests == []
    assert delivery.clipboard == "not into Saytype"
    assert notices == [("warning", MESSAGE_STILL_FOCUSED)]


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
def test_a_re_type_that_goes_in_takes_back_the_warning_of_the_one_before(
    qtbot: QtBot, countdown: RetypeCountdown, delivery: FakeDelivery, focus: Focus
) -> None:
    # A new user's "Nothing was typed: Saytype still had the focus" stayed on the window for
    # good, after the next re-type had gone in.
    window = NoticeBar()
    qtbot.addWidget(window)
    countdown.notice.connect(window.show_notice)
    countdown.resolved.connect(window.withdraw)
    with qtbot.waitSignal(countdown.finished, timeout=3000):
        countdown.request("Send the report.")
    assert window.messages == [MESSAGE_STILL_FOCUSED]
    focus.ours = False
    with qtbot.waitSignal(countdown.finished, timeout=3000) as finished:
        countdown.request("Send the report.")
    assert finished.args == ["pasted"]
    assert window.messages == []


def test_cancel_types_nothing(
    qtbot: QtBot, countdown: RetypeCountdown, delivery: FakeDelivery, focus: Focus
) -> None:
    countdown.request("dropped")
    focus.ours = False
    with qtbot.waitSignal(countdown.finished, timeout=1000) as finished:
        countdown.cancel()
    assert finished.args == ["cancelled"]
    with qtbot.assertNotEmitted(delivery.delivered, wait=1300):
        pass  # the countdown's due time passes with nothing sent
    assert delivery.requests == []
    assert not countdown.busy


def test_the_banner_counts_down_and_hides(
    qtbot: QtBot, delivery: FakeDelivery, focus: Focus
) -> None:
    countdown = RetypeCountdown(delivery, focus, seconds=2)
    holder = QWidget()
    qtbot.addWidget(holder)
    banner = RetypeBanner(countdown, holder)
    assert banner.isHidden()
    countdown.request("text")
    assert not banner.isHidden()
    assert "in 2 seconds" in banner.label.text()
    qtbot.waitUntil(lambda: "in 1 second." in banner.label.text(), timeout=2000)
    banner.cancel_button.click()
    assert banner.isHidden()


# ---- the delivery service never sends keys into Saytype ------------------------------------


@pytest.fixture
def own_window_keyboard() -> FakeKeyboard:
    return FakeKeyboard(window_pid=os.getpid())


@pytest.fixture
def service(qtbot: QtBot, own_window_keyboard: FakeKeyboard) -> Iterator[DeliveryService]:
    delivery = DeliveryService(keyboard=own_window_keyboard, modifier_timeout_s=0.3)
    yield delivery
    delivery.shutdown()


@pytest.mark.parametrize("method", ["type", "paste", "erase"])
def test_keys_are_never_sent_while_a_saytype_window_has_the_x_focus(
    qtbot: QtBot, service: DeliveryService, own_window_keyboard: FakeKeyboard, method: str
) -> None:
    with qtbot.waitSignal(service.failed, timeout=3000) as failed:
        service.deliver("the words", method)
    assert failed.args is not None
    assert failed.args[1] == MESSAGE_OWN_WINDOW
    assert own_window_keyboard.sent == []
    if method != "erase":
        assert QGuiApplication.clipboard().text() == "the words"


def test_keys_are_never_sent_while_qt_says_saytype_has_the_focus(qtbot: QtBot) -> None:
    keyboard = FakeKeyboard()  # the X server would say another window; Qt knows better
    service = DeliveryService(keyboard=keyboard, own_window_active=lambda: True)
    try:
        with qtbot.waitSignal(service.failed, timeout=3000) as failed:
            service.deliver("the words", "type")
        assert failed.args is not None
        assert failed.args[1] == MESSAGE_OWN_WINDOW
        assert keyboard.sent == []
    finally:
        service.shutdown()
