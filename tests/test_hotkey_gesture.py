"""The hotkey gesture as a table of key-event scripts and the actions they must cause.

A script is a list of ``(time, steps)``: ``+name`` presses a key, ``-name``
releases it, ``poll`` calls ``poll(time)``, ``active``/``inactive`` call
``set_active``. After the script the runner polls far in the future, so any
held-back release is settled.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.hotkeys.chord import parse_chord
from app.core.hotkeys.gesture import STALE_KEY_S, GestureMode, HotkeyAction, HotkeyGesture

START, FINISH, CANCEL = HotkeyAction.START, HotkeyAction.FINISH, HotkeyAction.CANCEL
CHORD_DOWN = "+ctrl +shift +space"
CHORD_UP = "-space -shift -ctrl"  # trigger first
XDOTOOL_UP = "-ctrl -shift -space"  # modifiers first, as xdotool keyup ctrl+shift+space does

Script = list[tuple[float, str]]


def run(
    script: Script, mode: GestureMode = "auto", chord: str = "ctrl+shift+space"
) -> list[tuple[float, HotkeyAction]]:
    """Feed the script to a fresh gesture; return each action with the time of its cause."""
    gesture = HotkeyGesture(parse_chord(chord), mode=mode)
    out: list[tuple[float, HotkeyAction]] = []
    for t, steps in script:
        for step in steps.split():
            if step == "poll":
                actions = gesture.poll(t)
            elif step in {"active", "inactive"}:
                gesture.set_active(step == "active")
                actions = []
            elif step[0] == "+":
                actions = gesture.key_down(step[1:], t)
            else:
                actions = gesture.key_up(step[1:], t)
            out.extend((t, action) for action in actions)
    out.extend((math.inf, action) for action in gesture.poll(1e9))
    return out


def actions_of(script: Script, mode: GestureMode = "auto", chord: str = "ctrl+shift+space"):
    return [action for _, action in run(script, mode, chord)]


def repeats(key: str, start: float, stop: float, step: float = 0.04) -> Script:
    """X11-style auto-repeat as release/press pairs, with the app polling in between."""
    out: Script = []
    t = start
    while t < stop:
        out += [(t, f"-{key}"), (t + 0.002, f"+{key}"), (t + step / 2, "poll")]
        t += step
    return out


CASES: dict[str, tuple[Script, GestureMode, list[HotkeyAction]]] = {
    "tap starts, next tap finishes": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (1.0, CHORD_DOWN), (1.1, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "a tap alone keeps listening": ([(0.0, CHORD_DOWN), (0.1, CHORD_UP)], "auto", [START]),
    "hold finishes on release": ([(0.0, CHORD_DOWN), (0.8, CHORD_UP)], "auto", [START, FINISH]),
    "release exactly at the threshold is a hold": (
        [(0.0, CHORD_DOWN), (0.3, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "release just before the threshold is a tap": (
        [(0.0, CHORD_DOWN), (0.299, CHORD_UP)],
        "auto",
        [START],
    ),
    "release just after the threshold is a hold": (
        [(10.0, CHORD_DOWN), (10.301, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "auto-repeat as repeated presses never finishes a hold early": (
        [(0.0, CHORD_DOWN), *[(0.1 + i * 0.04, "+space poll") for i in range(20)], (1.2, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "auto-repeat as repeated presses never toggles a tap": (
        [(0.0, CHORD_DOWN), (0.1, "+space"), (0.15, "+space"), (0.2, CHORD_UP)],
        "auto",
        [START],
    ),
    "auto-repeat as release/press pairs never finishes a hold early": (
        [(0.0, CHORD_DOWN), *repeats("space", 0.1, 1.0), (1.2, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "a release/press pair just inside the window is auto-repeat": (
        [(0.0, CHORD_DOWN), (0.1, "-space"), (0.149, "+space"), (0.2, "poll"), (0.25, CHORD_UP)],
        "auto",
        [START],
    ),
    "auto-repeat pairs while toggled never start again": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (1.0, CHORD_DOWN), *repeats("space", 1.1, 2.0)],
        "auto",
        [START, FINISH],
    ),
    "a second press within the debounce time is ignored": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (0.2, CHORD_DOWN), (0.25, CHORD_UP)],
        "auto",
        [START],
    ),
    "a press after the debounce time finishes": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (0.26, CHORD_DOWN), (0.3, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "a bouncing trigger (release, press within ms) is one press": (
        [(0.0, CHORD_DOWN), (0.01, "-space"), (0.015, "+space"), (0.1, CHORD_UP)],
        "auto",
        [START],
    ),
    "an extra modifier means no fire": (
        [(0.0, "+ctrl +alt +shift +space"), (0.1, "-space -shift -alt -ctrl")],
        "auto",
        [],
    ),
    "an extra modifier on the finishing press means no finish": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (1.0, "+ctrl +alt +shift +space")],
        "auto",
        [START],
    ),
    "altgr is not alt": ([(0.0, "+altgr +q")], "auto", []),
    "a missing modifier means no fire": (
        [(0.0, "+ctrl +space"), (0.1, "-space -ctrl")],
        "auto",
        [],
    ),
    "right-side modifiers match": (
        [(0.0, "+ctrl_r +shift_r +space"), (0.5, "-space -shift_r -ctrl_r")],
        "auto",
        [START, FINISH],
    ),
    "left ctrl with right shift matches": (
        [(0.0, "+ctrl +shift_r +space"), (0.1, "-space -shift_r -ctrl")],
        "auto",
        [START],
    ),
    "another ordinary key held means no fire": ([(0.0, "+a " + CHORD_DOWN)], "auto", []),
    "the trigger pressed before its modifiers does not fire": (
        [(0.0, "+space +ctrl +shift")],
        "auto",
        [],
    ),
    "letting go of a modifier first ends a hold": (
        [(0.0, CHORD_DOWN), (0.5, "-ctrl"), (2.0, "-shift -space")],
        "auto",
        [START, FINISH],
    ),
    "letting go of a modifier first ends a tap": (
        [(0.0, CHORD_DOWN), (0.1, "-ctrl"), (2.0, "-shift -space")],
        "auto",
        [START],
    ),
    "xdotool's release order (modifiers first) works for a hold": (
        [(0.0, CHORD_DOWN), (0.5, XDOTOOL_UP)],
        "auto",
        [START, FINISH],
    ),
    "releasing one of two held ctrl keys keeps the chord": (
        [(0.0, "+ctrl +ctrl_r +shift +space"), (0.1, "-ctrl"), (0.2, "poll"), (0.6, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "re-pressing a modifier while the trigger stays down does not fire": (
        [(0.0, CHORD_DOWN), (0.1, "-ctrl"), (0.5, "+ctrl"), (0.9, "-ctrl -shift -space")],
        "auto",
        [START],
    ),
    "esc cancels while the chord is held, and the release does nothing": (
        [(0.0, CHORD_DOWN), (0.5, "+esc -esc"), (1.0, CHORD_UP)],
        "auto",
        [START, CANCEL],
    ),
    "esc cancels toggled listening": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (1.0, "+esc -esc")],
        "auto",
        [START, CANCEL],
    ),
    "esc with another modifier does not cancel": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (1.0, "+alt +esc")],
        "auto",
        [START],
    ),
    "esc while idle does nothing": ([(0.0, "+esc -esc"), (0.5, "poll")], "auto", []),
    "esc after a cancel does nothing, and the chord starts again": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (1.0, "+esc -esc +esc -esc"), (2.0, CHORD_DOWN)],
        "auto",
        [START, CANCEL, START],
    ),
    "dictation ended elsewhere mid-hold: the release does nothing": (
        [(0.0, CHORD_DOWN), (0.2, "inactive"), (1.0, CHORD_UP)],
        "auto",
        [START],
    ),
    "dictation ended elsewhere after a tap: the next press starts": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP), (0.5, "inactive"), (1.0, CHORD_DOWN)],
        "auto",
        [START, START],
    ),
    "dictation started elsewhere: a press finishes": (
        [(0.0, "active"), (1.0, CHORD_DOWN), (1.5, CHORD_UP)],
        "auto",
        [FINISH],
    ),
    "set_active(True) after our own start changes nothing": (
        [(0.0, CHORD_DOWN), (0.01, "active"), (0.6, CHORD_UP)],
        "auto",
        [START, FINISH],
    ),
    "hold mode: a tap finishes on release": (
        [(0.0, CHORD_DOWN), (0.1, CHORD_UP)],
        "hold",
        [START, FINISH],
    ),
    "hold mode: started elsewhere, press and release finish": (
        [(0.0, "active"), (1.0, CHORD_DOWN), (1.1, "poll"), (2.0, CHORD_UP)],
        "hold",
        [FINISH],
    ),
    "toggle mode: a long hold keeps listening": (
        [(0.0, CHORD_DOWN), (2.0, CHORD_UP)],
        "toggle",
        [START],
    ),
    "toggle mode: the next press finishes": (
        [(0.0, CHORD_DOWN), (2.0, CHORD_UP), (3.0, CHORD_DOWN), (5.0, CHORD_UP)],
        "toggle",
        [START, FINISH],
    ),
}


@pytest.mark.parametrize(("script", "mode", "expected"), CASES.values(), ids=CASES.keys())
def test_gesture_table(script: Script, mode: GestureMode, expected: list[HotkeyAction]) -> None:
    assert actions_of(script, mode) == expected


def test_a_release_waits_out_the_repeat_window_before_finishing() -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"), repeat_window_s=0.05)
    pressed = [action for key in ("ctrl", "shift", "space") for action in gesture.key_down(key, 0)]
    assert pressed == [START]
    assert gesture.next_deadline() is None
    assert gesture.key_up("space", 1.0) == []
    assert gesture.next_deadline() == pytest.approx(1.05)
    assert gesture.poll(1.04) == []
    assert gesture.poll(1.05) == [FINISH]
    assert gesture.next_deadline() is None


def test_the_next_event_settles_a_held_back_release_without_a_poll() -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"))
    for key in ("ctrl", "shift", "space"):
        gesture.key_down(key, 0.0)
    assert gesture.key_up("space", 1.0) == []
    assert gesture.key_up("shift", 1.01) == [FINISH]  # the space release was real


def test_a_shifted_letter_chord_matches_whatever_case_arrives() -> None:
    script: Script = [(0.0, "+ctrl +shift +A"), (0.5, "-shift -ctrl -a")]
    assert actions_of(script, chord="ctrl+shift+a") == [START, FINISH]


def test_held_modifiers_fold_left_and_right() -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+space"))
    gesture.key_down("ctrl_r", 0.0)
    gesture.key_down("shift", 0.0)
    gesture.key_down("a", 0.0)
    assert gesture.held_modifiers() == {"ctrl", "shift"}
    gesture.key_up("ctrl_r", 0.1)
    gesture.poll(1.0)
    assert gesture.held_modifiers() == {"shift"}


def test_set_chord_and_mode_apply_to_the_next_press() -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"))
    gesture.set_chord(parse_chord("alt+f9"))
    gesture.set_mode("hold")
    assert gesture.key_down("ctrl", 0.0) + gesture.key_down("shift", 0.0) == []
    assert gesture.key_down("space", 0.0) == []
    for key in ("space", "shift", "ctrl"):
        gesture.key_up(key, 0.1)
    gesture.poll(1.0)
    assert gesture.key_down("alt_r", 2.0) + gesture.key_down("f9", 2.0) == [START]
    gesture.key_up("f9", 2.05)
    assert gesture.poll(3.0) == [FINISH]


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown hotkey mode"):
        HotkeyGesture(parse_chord("ctrl+space"), mode="sometimes")  # type: ignore[arg-type]


KEYS = ["ctrl", "ctrl_r", "shift", "shift_r", "alt", "altgr", "space", "esc", "a"]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["down", "up", "poll", "inactive"]),
        st.sampled_from(KEYS),
        st.sampled_from([0.0, 0.001, 0.02, 0.049, 0.05, 0.051, 0.1, 0.149, 0.15, 0.29, 0.3, 1.0]),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(steps=STEPS, mode=st.sampled_from(["auto", "hold", "toggle"]))
def test_random_events_never_finish_or_cancel_before_a_start(
    steps: list[tuple[str, str, float]], mode: GestureMode
) -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"), mode=mode)
    active = False
    t = 0.0
    for op, key, dt in steps:
        t += dt
        if op == "inactive":
            gesture.set_active(False)
            active = False
            continue
        if op == "down":
            actions = gesture.key_down(key, t)
        elif op == "up":
            actions = gesture.key_up(key, t)
        else:
            actions = gesture.poll(t)
        deadline = gesture.next_deadline()
        assert deadline is None or deadline >= t - 0.05
        for action in actions:
            if action is START:
                assert not active, "START while already active"
                active = True
            else:
                assert active, f"{action} without an earlier START"
                active = False
        assert gesture.active == active


def test_a_letter_whose_release_was_lost_stops_blocking_the_chord() -> None:
    # Saytype's own typed letters reach the listener; one seen going down and never up
    # made every later chord press "Ctrl+Shift+M+Space", and the hotkey went dead.
    lost: Script = [(0.0, "+m")]
    assert actions_of([*lost, (0.5, CHORD_DOWN), (0.6, CHORD_UP)]) == []  # maybe still held
    assert actions_of([*lost, (STALE_KEY_S + 0.1, CHORD_DOWN), (3.0, CHORD_UP)]) == [START, FINISH]


def test_a_letter_really_held_keeps_blocking_the_chord() -> None:
    held: Script = [(0.0, "+m"), *repeats("m", 0.66, 5.0)]  # X11 repeats a held key
    assert actions_of([*held, (5.0, CHORD_DOWN), (5.1, CHORD_UP)]) == []


def test_after_saytype_types_its_letters_no_longer_count_as_held() -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"))
    gesture.key_down("ctrl", 0.0)
    gesture.key_down("n", 0.1)  # typed by Saytype; its release never came
    gesture.forget_typed_keys()
    assert gesture.held_modifiers() == {"ctrl"}  # the user's own modifier stays
    gesture.key_down("shift", 0.2)
    assert gesture.key_down("space", 0.3) == [START]


def test_esc_cancels_a_released_dictation_while_it_finishes() -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"))
    for t, key in ((0.0, "ctrl"), (0.0, "shift"), (0.0, "space")):
        gesture.key_down(key, t)
    released = [action for key in ("space", "shift", "ctrl") for action in gesture.key_up(key, 1.0)]
    assert released + gesture.poll(2.0) == [FINISH]
    assert gesture.key_down("esc", 2.1) == []  # nothing to cancel
    gesture.key_up("esc", 2.15)
    gesture.set_cancellable(True)  # released, still decoding or being delivered
    assert gesture.key_down("esc", 2.5) == [CANCEL]
    assert not gesture.cancellable
