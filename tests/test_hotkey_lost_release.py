"""A key whose release the listener lost: the X server is asked before a chord is refused.

Under load the key listener lost the end of a long text Saytype had typed: one letter
went down and never came up, and the next chord press did nothing, so the dictation
spoken then was lost. The gesture asks :class:`~app.core.hotkeys.x11_keys.X11KeyState`
(the real X server: tests/ui/dictation/test_hotkey_bridge_x11.py) before it refuses.
"""

from __future__ import annotations

import pytest

from app.core.hotkeys.chord import parse_chord
from app.core.hotkeys.gesture import STALE_KEY_S, HotkeyAction, HotkeyGesture

START = HotkeyAction.START
FINISH = HotkeyAction.FINISH


def test_a_key_whose_release_was_lost_is_asked_about_before_the_chord_is_refused() -> None:
    # Under load the listener lost the end of a long text Saytype typed: "s" went down
    # and never up, and the next chord press, a second later, did nothing.
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"))
    gesture.key_down("s", 0.0)
    asked: list[str] = []

    def the_server_says(*down: str) -> None:
        def keys_really_down() -> frozenset[str]:
            asked.append("asked")
            return frozenset(down)

        gesture.check_keys_with(keys_really_down)

    the_server_says("s", "space")  # the user really holds S with the chord: no start
    for key in ("ctrl", "shift"):
        gesture.key_down(key, 0.9)
    assert gesture.key_down("space", 1.0) == []
    gesture.key_up("space", 1.05)
    gesture.poll(1.2)
    the_server_says("space")  # S is up: its release was lost, so it is forgotten
    assert gesture.key_down("space", 1.3) == [START]
    gesture.key_up("space", 1.35)
    gesture.poll(1.5)  # a tap: the dictation goes on until the next press
    the_server_says("s", "space")  # not asked again: S is no longer held in the gesture
    assert gesture.key_down("space", 1.6) == [FINISH]
    assert asked == ["asked", "asked"]


@pytest.mark.parametrize(
    ("pressed_at", "server_says"),
    [
        (0.5, ("space",)),  # pressed just before: it may be let go since (a race), kept
        (0.0, ("less", "space")),  # another key is down, maybe this one by another name
        (0.0, None),  # the display cannot be asked
    ],
)
def test_a_key_left_down_is_kept_unless_the_server_clearly_says_it_is_up(
    pressed_at: float, server_says: tuple[str, ...] | None
) -> None:
    gesture = HotkeyGesture(parse_chord("ctrl+shift+space"))
    answer = None if server_says is None else frozenset(server_says)
    gesture.check_keys_with(lambda: answer)
    gesture.key_down("s", pressed_at)
    for key in ("ctrl", "shift"):
        gesture.key_down(key, 0.9)
    assert gesture.key_down("space", 1.0) == []
    gesture.key_up("space", 1.05)
    gesture.poll(1.2)
    assert gesture.key_down("space", pressed_at + STALE_KEY_S + 0.1) == [START]
