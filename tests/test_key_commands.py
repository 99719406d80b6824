"""``saytype press|release``: the moments they carry, and the order they are obeyed in."""

from __future__ import annotations

import subprocess
import sys
import time

from app.core.control_channel import key_time
from app.core.hotkeys.gesture import HotkeyAction
from app.core.hotkeys.key_commands import EARLY_RELEASE_S, BoundKeyGesture

START, FINISH = [HotkeyAction.START], [HotkeyAction.FINISH]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_time_is_when_the_process_began_not_when_python_was_ready() -> None:
    before = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", "from app.core.control_channel import key_time;"
         "import time; print(key_time(), time.monotonic())"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    stamped, ready = map(float, child.stdout.split())
    # The process's start (10 ms ticks), on this process's clock: before Python was ready.
    assert before - 0.02 <= stamped < ready
    assert key_time() <= time.monotonic()


def test_a_hold_starts_at_the_press_and_finishes_at_the_release() -> None:
    keys = BoundKeyGesture(Clock())
    assert keys.press(10.0) == START
    assert keys.gesture.chord_held
    assert keys.release(10.8) == FINISH
    assert not keys.gesture.chord_held


def test_a_tap_whose_release_came_first_is_still_a_tap() -> None:
    keys = BoundKeyGesture(Clock())
    assert keys.release(10.05) == []  # its press is on the way
    assert keys.press(10.0) == START  # and the release follows it at once: a tap
    assert not keys.gesture.chord_held
    assert keys.gesture.active  # listening until the next press
    assert keys.press(12.0) == FINISH
    assert keys.release(12.04) == []


def test_in_hold_mode_the_same_tap_starts_and_finishes() -> None:
    keys = BoundKeyGesture(Clock(), mode="hold")
    keys.release(10.05)
    assert keys.press(10.0) == [HotkeyAction.START, HotkeyAction.FINISH]


def test_in_toggle_mode_only_presses_count() -> None:
    keys = BoundKeyGesture(Clock(), mode="toggle")
    assert keys.press(10.0) == START
    assert keys.release(11.0) == []
    assert keys.press(12.0) == FINISH
    assert keys.release(13.0) == []


def test_a_release_older_than_its_press_or_long_waiting_is_not_joined_to_it() -> None:
    clock = Clock()
    keys = BoundKeyGesture(clock)
    keys.release(9.0)  # an earlier press's, whose press never came
    assert keys.press(10.0) == START
    assert keys.gesture.chord_held  # the chord is down until its own release

    keys = BoundKeyGesture(clock)
    keys.release(20.05)
    clock.now += EARLY_RELEASE_S + 1
    assert keys.press(20.0) == START
    assert keys.gesture.chord_held


def test_a_command_for_a_moment_before_one_obeyed_is_dropped() -> None:
    keys = BoundKeyGesture(Clock())
    assert keys.press(10.0) == START
    assert keys.release(10.5) == FINISH
    assert keys.press(10.2) == []  # overtaken on the way: it would start a dictation for good
    assert not keys.gesture.active


def test_a_dictation_finished_elsewhere_makes_the_next_press_start_one() -> None:
    keys = BoundKeyGesture(Clock())
    keys.release(10.05)
    assert keys.press(10.0) == START
    keys.gesture.set_active(False)  # the window's Stop button
    assert keys.press(11.0) == START
