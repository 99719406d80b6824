"""The hotkey bridge with a real pynput listener on a private Xvfb, keys from xdotool.

What a person's keyboard does that a fake listener cannot: X11 auto-repeat
while a key is held, real modifier state, and Shift turning "1" into "!".
The rest of the bridge is tests/ui/dictation/test_hotkey_bridge.py.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import SignalInstance
from pytestqt.qtbot import QtBot

from app.core.hotkeys.gesture import LOST_RELEASE_S
from app.ui.dictation.hotkey_bridge import HotkeyBridge, key_name
from tests.support.ci import fail_missing
from tests.support.xserver import running_xvfb
from tests.ui.dictation.test_hotkey_bridge import record

pytestmark = [pytest.mark.gui, pytest.mark.integration]

# A person's pause between two taps: twice the gesture's 150 ms debounce, inside which
# a second press is taken for a bounce of the first.
PAUSE_BETWEEN_TAPS_S = 0.3
# How far past the bridge's hold threshold a real hold lasts.
HOLD_MARGIN_S = 0.1


class SteppedClock:
    """Monotonic time that a test can also move forward: a person's pause, without waiting.

    The bridge stamps each key with it as the key reaches the GUI thread, so a
    step taken once a key's signal is in lands between that key and the next.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def step(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


@dataclass
class RealRig:
    bridge: HotkeyBridge
    display: str
    seen: list[str]
    clock: SteppedClock

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env={"DISPLAY": self.display}, check=True, timeout=10)


@pytest.fixture
def real_rig(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[RealRig]:
    if shutil.which("xdotool") is None:
        fail_missing("needs xdotool (apt install xdotool)")
    threads_before = set(threading.enumerate())
    with running_xvfb() as xserver:
        # pynput and Xlib read DISPLAY when they connect; monkeypatch restores it afterwards.
        monkeypatch.setenv("DISPLAY", xserver.display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        clock = SteppedClock()
        bridge = HotkeyBridge("ctrl+shift+space", clock=clock)
        seen = record(bridge)
        with qtbot.waitSignal(bridge.listening, timeout=30_000):
            bridge.start()
        try:
            yield RealRig(bridge, xserver.display, seen, clock)
        finally:
            bridge.stop()
    assert set(threading.enumerate()) - threads_before == set()  # the listener thread ended


class KeyCounter:
    """A second, plain pynput listener that counts raw presses of one key."""

    def __init__(self, name: str) -> None:
        from app.ui.dictation.hotkey_bridge import pynput_listener_factory

        self.presses = 0
        self._name = name
        self._listener = pynput_listener_factory(self._on_press, lambda _key, _injected: None)

    def _on_press(self, key: object, _injected: bool) -> None:
        if key_name(key) == self._name:
            self.presses += 1

    def __enter__(self) -> KeyCounter:
        self._listener.start()
        self._listener.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.stop()
        self._listener.join(5)


def test_real_hold_is_push_to_talk_and_auto_repeat_never_toggles(
    real_rig: RealRig, qtbot: QtBot
) -> None:
    with KeyCounter("space") as space:
        with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
            real_rig.xdotool("keydown", "ctrl+shift+space")
        # Held until the X server auto-repeats the key (after 660 ms on Xvfb): the repeats
        # are what must not toggle.
        qtbot.waitUntil(lambda: space.presses > 1, timeout=5000)
        with qtbot.waitSignal(real_rig.bridge.finish_requested, timeout=5000):
            real_rig.xdotool("keyup", "ctrl+shift+space")
    assert space.presses > 1, "Xvfb sent no auto-repeat, so this test proved less than it says"
    assert real_rig.seen == ["start", "finish"]


def tap_chord(rig: RealRig, qtbot: QtBot, answer: SignalInstance) -> None:
    """Tap the chord, wait for ``answer`` and for the release to be in, then pause as a person.

    The gesture's debounce counts from the chord's release, and a tap's release is
    held back a moment for auto-repeat: waiting for ``held_changed(False)`` makes
    the pause start from it, however late the listener thread delivered it.
    """
    with qtbot.waitSignals(
        [answer, rig.bridge.held_changed],
        check_params_cbs=[None, lambda held: not held],
        timeout=5000,
    ):
        rig.xdotool("key", "ctrl+shift+space")
    rig.clock.step(PAUSE_BETWEEN_TAPS_S)  # the pause between a person's taps


def test_real_tap_toggles_and_esc_cancels(real_rig: RealRig, qtbot: QtBot) -> None:
    tap_chord(real_rig, qtbot, real_rig.bridge.start_requested)
    tap_chord(real_rig, qtbot, real_rig.bridge.finish_requested)
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")
    with qtbot.waitSignal(real_rig.bridge.cancel_requested, timeout=5000):
        real_rig.xdotool("key", "Escape")
    assert real_rig.seen == ["start", "finish", "start", "cancel"]


def test_real_esc_cancels_a_released_dictation_still_finishing(
    real_rig: RealRig, qtbot: QtBot
) -> None:
    # Esc just after the release went to the terminal before the text did (a new user).
    tap_chord(real_rig, qtbot, real_rig.bridge.start_requested)
    tap_chord(real_rig, qtbot, real_rig.bridge.finish_requested)
    real_rig.bridge.follow_dictation("finishing")  # the controller: decoding the last words
    with qtbot.waitSignal(real_rig.bridge.cancel_requested, timeout=5000):
        real_rig.xdotool("key", "Escape")
    real_rig.bridge.follow_dictation("idle")  # delivered: Esc is the app's again
    with qtbot.assertNotEmitted(real_rig.bridge.cancel_requested, wait=300):
        real_rig.xdotool("key", "Escape")
    assert real_rig.seen == ["start", "finish", "cancel"]


def test_real_extra_modifier_fires_nothing(real_rig: RealRig, qtbot: QtBot) -> None:
    held: list[bool] = []
    real_rig.bridge.held_changed.connect(held.append)
    real_rig.xdotool("key", "ctrl+alt+shift+space")
    real_rig.xdotool("key", "ctrl+space")
    # Events arrive in order: once the exact chord's release is in, the others were seen
    # first. Had either been taken for the chord, its press would show as held too.
    with qtbot.waitSignals(
        [real_rig.bridge.start_requested, real_rig.bridge.held_changed],
        check_params_cbs=[None, lambda down: not down],
        timeout=5000,
    ):
        real_rig.xdotool("key", "ctrl+shift+space")
    assert held == [True, False]
    assert real_rig.seen == ["start"]


def test_real_shifted_digit_chord_held_past_the_threshold(real_rig: RealRig, qtbot: QtBot) -> None:
    # Shift+1 arrives from pynput as "!" and its release as "1" once Shift is up.
    real_rig.bridge.set_chord("ctrl+shift+1")
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("keydown", "ctrl+shift+1")
    # Held past the threshold: the press is in (its START came), so the hold counts from
    # before this step.
    real_rig.clock.step(real_rig.bridge.hold_threshold_s + HOLD_MARGIN_S)
    with qtbot.waitSignal(real_rig.bridge.finish_requested, timeout=5000):
        real_rig.xdotool("keyup", "ctrl+shift+1")
    assert real_rig.seen == ["start", "finish"]


def test_shift_tab_let_go_shift_first_leaves_no_key_held(real_rig: RealRig, qtbot: QtBot) -> None:
    # Shift+Tab presses as ISO_Left_Tab; with Shift up first, Tab releases as "tab". Were
    # the two named apart, "Tab" would stay held and no exact chord would match again.
    real_rig.xdotool("keydown", "shift+Tab")
    real_rig.xdotool("keyup", "shift")
    real_rig.xdotool("keyup", "Tab")
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")
    assert real_rig.seen == ["start"]


def test_a_key_whose_release_the_listener_lost_does_not_kill_the_hotkey(
    real_rig: RealRig, qtbot: QtBot
) -> None:
    # Under load the listener lost the end of a long text Saytype had typed: one letter
    # went down and never came up, and the next chord press did nothing. The X server
    # knows that no letter is down, and is asked before the chord is refused.
    real_rig.xdotool("keydown", "s")
    real_rig.xdotool("keyup", "s")
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")  # the listener and the server agree
    real_rig.bridge.set_active(False)
    real_rig.clock.step(PAUSE_BETWEEN_TAPS_S)
    real_rig.bridge._on_key_event("s", True, real_rig.clock())  # its release is lost
    real_rig.clock.step(LOST_RELEASE_S + HOLD_MARGIN_S)  # a key held that long would repeat
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")
    assert real_rig.seen == ["start", "start"]


def test_a_key_really_held_with_the_chord_is_never_forgotten(
    real_rig: RealRig, qtbot: QtBot
) -> None:
    # Keycode 94 (the key left of Z on a 105-key board) types "<", which the gesture's
    # table names after the comma key: the server must not be taken to say it is up.
    real_rig.xdotool("keydown", "94")
    real_rig.clock.step(LOST_RELEASE_S + HOLD_MARGIN_S)
    real_rig.xdotool("key", "ctrl+shift+space")  # an extra key held: nothing
    real_rig.xdotool("keyup", "94")
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")
    assert real_rig.seen == ["start"]


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_esc_in_a_question_of_ours_answers_it_and_keeps_the_dictation(
    real_rig: RealRig, qtbot: QtBot
) -> None:
    # A new user backed out of "Quit Saytype?" with Esc during a dictation: the grab took
    # the key as a cancel, the dictation was lost and the question stayed open.
    from PySide6.QtWidgets import QApplication, QWidget

    from app.ui.shell.questions import ask

    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    answers: list[str] = []
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")
    real_rig.bridge.set_active(True)  # the app's answer to the start: Esc is grabbed
    assert real_rig.bridge._grab_lane.wait_idle(5.0)
    box = ask(
        window,
        "Quit Saytype?",
        "A dictation is under way.",
        "Quit",
        "Keep running",
        lambda: answers.append("yes"),
        on_no=lambda: answers.append("no"),
    )
    box.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=5000)
    real_rig.xdotool("key", "Escape")
    qtbot.waitUntil(lambda: answers == ["no"], timeout=5000)
    assert not box.isVisible()
    assert real_rig.seen == ["start"]  # not cancelled
    # With the question gone, Esc cancels the dictation again.
    with qtbot.waitSignal(real_rig.bridge.cancel_requested, timeout=5000):
        real_rig.xdotool("key", "Escape")


@pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|grabbing|raise)")
def test_esc_that_closes_a_menu_of_ours_keeps_the_dictation(
    real_rig: RealRig, qtbot: QtBot
) -> None:
    # A new user opened the Dictation menu during a dictation and closed it with Esc: the
    # menu closed, and the listener took the same key as a cancel of the dictation.
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication, QMenu

    menu = QMenu()
    menu.addAction("Cancel")
    with qtbot.waitSignal(real_rig.bridge.start_requested, timeout=5000):
        real_rig.xdotool("key", "ctrl+shift+space")
    real_rig.bridge.set_active(True)  # the app's answer to the start: Esc is grabbed
    assert real_rig.bridge._grab_lane.wait_idle(5.0)
    menu.popup(QPoint(100, 100))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=5000)
    # An open menu's Esc: Qt's popup holds the keyboard on X11 and closes itself. The test's
    # Qt has no X connection, so the menu is closed by hand: once while the listener's
    # report of the key is still queued (the GUI thread waits on xdotool), once after it.
    real_rig.xdotool("key", "Escape")
    menu.close()
    assert_not_cancelled(real_rig, qtbot)
    menu.popup(QPoint(100, 100))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=5000)
    real_rig.xdotool("key", "Escape")
    assert_not_cancelled(real_rig, qtbot)
    menu.close()
    with qtbot.waitSignal(real_rig.bridge.cancel_requested, timeout=5000):
        real_rig.xdotool("key", "Escape")  # no menu: Esc cancels again


def assert_not_cancelled(real_rig: RealRig, qtbot: QtBot) -> None:
    # The listener's report of the Esc is queued before the next key's: once that key is
    # in, the Esc has been handled.
    with qtbot.waitSignal(real_rig.bridge.typed, timeout=5000):
        real_rig.xdotool("key", "a")
    assert real_rig.seen == ["start"]
