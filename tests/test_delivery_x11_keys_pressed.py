"""Keys the user presses while Saytype types, on a real X server: no key becomes a shortcut.

Type-as-I-speak types while the user may be pressing Ctrl (the stop gesture, a shortcut
of their own). Checked only once before a piece, a Ctrl pressed a moment later applied
to every key of it: " tonight" reached xterm as ^@^T^O^N^I^G^H^T, and a Ctrl+A in a
Qt field let the next piece replace everything. The "user" here presses keys through
XTest on a connection of its own, as a keyboard would, at chosen moments.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from Xlib import XK, X
from Xlib import display as xdisplay
from Xlib.ext import xtest

from app.core.output.delivery_messages import MESSAGE_STOPPED_FOCUS_MOVED, not_sent_message
from app.core.output.delivery_queue import DeliveryQueue
from app.core.output.text_delivery import DeliveryCancelled, FocusMoved, inject
from app.core.output.x11_keyboard import BURST_CHARS, X11KeyInjector
from tests.support.ci import fail_missing
from tests.support.target_window import Target
from tests.support.xserver import XServer, running_xvfb

pytestmark = pytest.mark.integration

TEXT = "Tonight we sail at nine, and nobody is late."
MARKER = "|"  # typed after a stop: whatever arrives before it was sent before it


class _Hand:
    """A user's hand on the keyboard: presses and releases keys through XTest."""

    def __init__(self, display: str) -> None:
        self._display = xdisplay.Display(display)
        self._ctrl = self._display.keysym_to_keycode(XK.string_to_keysym("Control_L"))

    def press_ctrl(self) -> None:
        xtest.fake_input(self._display, X.KeyPress, self._ctrl)
        self._display.sync()  # the server has the key down before this returns

    def release_ctrl(self) -> None:
        xtest.fake_input(self._display, X.KeyRelease, self._ctrl)
        self._display.sync()

    def close(self) -> None:
        self.release_ctrl()
        self._display.close()


class _CtrlAfterTheCheck(X11KeyInjector):
    """Ctrl goes down just after inject() found no key held, before any key is sent."""

    def __init__(self, display: str, hand: _Hand) -> None:
        super().__init__(display)
        self._hand = hand

    def focused_window_pid(self) -> int | None:  # inject() asks right after its check
        self._hand.press_ctrl()
        return super().focused_window_pid()


class _PartWay(X11KeyInjector):
    """``act`` (a hand pressing Ctrl, a click elsewhere) after the first burst of keys."""

    def __init__(self, display: str, act: Callable[[], object]) -> None:
        super().__init__(display)
        self._act = act
        self._looks = 0

    def any_key_down(self) -> bool:
        self._looks += 1
        if self._looks == 2:  # the look before the second burst
            self._display.sync()  # the first burst is in before the hand moves (its own line)
            self._act()
        return super().any_key_down()


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    if shutil.which("xdotool") is None:
        fail_missing("needs xdotool (apt install xdotool)")
    with running_xvfb() as server:
        yield server


@pytest.fixture
def hand(xserver: XServer) -> Iterator[_Hand]:
    user = _Hand(xserver.display)
    yield user
    user.close()


def _type_marker(xserver: XServer) -> None:
    keyboard = X11KeyInjector(xserver.display)
    try:
        keyboard.type_text(MARKER)
    finally:
        keyboard.close()


def _type(keyboard: X11KeyInjector, on_waiting: object, cancelled: object = None) -> str:
    request = DeliveryQueue().add(TEXT, "type")
    try:
        return inject(
            request,
            keyboard,
            on_waiting=on_waiting,  # type: ignore[arg-type]
            own_pid=os.getpid(),
            cancelled=cancelled or (lambda: False),  # type: ignore[arg-type]
        )
    finally:
        keyboard.close()


def test_a_ctrl_pressed_just_after_the_check_waits_for_its_release(
    xserver: XServer, hand: _Hand, target: Target
) -> None:
    waited: list[frozenset[str]] = []

    def let_go(held: frozenset[str]) -> None:
        waited.append(held)
        assert target.text() == ""  # nothing went out with Ctrl down
        hand.release_ctrl()

    assert _type(_CtrlAfterTheCheck(xserver.display, hand), let_go) == "typed"
    target.wait_for_text(TEXT)
    assert waited == [frozenset({"control"})]


def test_a_ctrl_pressed_part_way_pauses_the_rest_until_its_release(
    xserver: XServer, hand: _Hand, target: Target
) -> None:
    waited: list[str] = []

    def let_go(held: frozenset[str]) -> None:
        waited.append(target.wait_for_text(TEXT[:BURST_CHARS]))  # the start is in, no more
        hand.release_ctrl()

    assert _type(_PartWay(xserver.display, hand.press_ctrl), let_go) == "typed"
    target.wait_for_text(TEXT)
    assert waited == [TEXT[:BURST_CHARS]]


def test_a_cancel_while_the_keys_are_held_part_way_types_no_more(
    xserver: XServer, hand: _Hand, qt_field: Target
) -> None:
    qt_field.focus()
    qt_field.reset()
    waited: list[frozenset[str]] = []
    with pytest.raises(DeliveryCancelled) as stopped:
        _type(
            _PartWay(xserver.display, hand.press_ctrl),
            waited.append,
            cancelled=lambda: bool(waited),
        )
    assert stopped.value.typed == BURST_CHARS
    hand.release_ctrl()
    _type_marker(xserver)  # anything sent before the marker arrives before it
    qt_field.wait_for_text(TEXT[:BURST_CHARS] + MARKER)


def test_the_rest_never_goes_into_a_window_focused_while_the_keys_were_held(
    xserver: XServer, hand: _Hand, qt_field: Target, terminal: Target
) -> None:
    # Alt+Tab part way: Alt pauses the typing, and the rest must not land in the next app.
    qt_field.focus()
    qt_field.reset()
    terminal.reset()

    def switch_windows(held: frozenset[str]) -> None:
        terminal.focus()
        hand.release_ctrl()

    _stopped_when_the_focus_moved(
        xserver, _PartWay(xserver.display, hand.press_ctrl), switch_windows, qt_field, terminal
    )


def test_the_rest_never_goes_into_a_window_clicked_while_it_types(
    xserver: XServer, qt_field: Target, terminal: Target
) -> None:
    # A long final typed at the release, and a click on a terminal part way: the rest of
    # the text ran in that shell, its line breaks as Enters.
    qt_field.focus()
    qt_field.reset()
    terminal.reset()
    keyboard = _PartWay(xserver.display, terminal.focus)
    _stopped_when_the_focus_moved(xserver, keyboard, None, qt_field, terminal)


def _stopped_when_the_focus_moved(
    xserver: XServer,
    keyboard: X11KeyInjector,
    on_waiting: Callable[[frozenset[str]], None] | None,
    typed_into: Target,
    focused: Target,
) -> None:
    """TEXT typed with ``keyboard`` stops after its first burst: none of it in ``focused``."""
    request = DeliveryQueue().add(TEXT, "type")
    try:
        with pytest.raises(FocusMoved) as stopped:
            inject(request, keyboard, on_waiting=on_waiting)
    finally:
        keyboard.close()
    assert stopped.value.typed == BURST_CHARS
    assert not_sent_message(request, stopped.value) == MESSAGE_STOPPED_FOCUS_MOVED
    _type_marker(xserver)
    focused.wait_for_text(MARKER)
    typed_into.wait_for_text(TEXT[:BURST_CHARS])
