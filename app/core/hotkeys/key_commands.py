"""The hotkey as a compositor's key binding tells it: ``saytype press`` and ``saytype release``.

On sway and Hyprland the compositor runs one command when the chord goes down and
another when it goes up. Each is a process of its own, and under load a quick
tap's release often reached Saytype before its press: the release found nothing
to finish, the press then started a dictation nobody would stop, and every word
said after it was typed into the focused window. So each command carries the
moment its process was started (``control_channel.key_time``), and
:class:`BoundKeyGesture` obeys the two in that order, through the same
:class:`HotkeyGesture` rules as a key grabbed on X11: the hotkey mode of Settings
(hold, tap, or both) applies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.core.hotkeys.chord import Chord
from app.core.hotkeys.gesture import GestureMode, HotkeyAction, HotkeyGesture

BOUND_KEY = "bound-hotkey"  # the chord's key: the compositor matched the real keys
# A release whose press is later than this in coming is not waited for any more.
EARLY_RELEASE_S = 5.0
# A dictation's start is looked for this far back at most, when its key's command came late.
MAX_KEY_DELAY_S = 3.0


def key_delay_s(since: float | None) -> float:
    """How long ago (monotonic) a key went down, up to :data:`MAX_KEY_DELAY_S`; 0 for None."""
    return 0.0 if since is None else min(MAX_KEY_DELAY_S, max(0.0, time.monotonic() - since))


@dataclass(frozen=True)
class _EarlyRelease:
    t: float  # when the key went up
    came: float  # when the command arrived


class BoundKeyGesture:
    """Press and release commands in, dictation actions out, in the order the keys went.

    Args:
        clock: the app's monotonic clock (when a command arrives).
        mode: the hotkey mode, as :class:`HotkeyGesture` takes it.
        hold_threshold_s: a press held this long is a hold (in ``auto`` mode).
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        mode: GestureMode = "auto",
        hold_threshold_s: float = 0.3,
    ) -> None:
        self._clock = clock
        # The compositor repeats nothing and matched the chord: no repeat window, no debounce.
        self.gesture = HotkeyGesture(
            Chord(frozenset(), BOUND_KEY), mode, hold_threshold_s, debounce_s=0.0
        )
        self._early: _EarlyRelease | None = None
        self._last_t: float | None = None

    def press(self, t: float) -> list[HotkeyAction]:
        """The chord went down at ``t`` (its command's ``key_time``); a release already
        here for a later moment follows it at once (a tap whose release overtook it)."""
        early, self._early = self._early, None
        if self._overtaken(t):
            return []
        self._last_t = t
        actions = self.gesture.chord_down(t)
        if early is not None and early.t >= t and self._clock() - early.came <= EARLY_RELEASE_S:
            self._last_t = early.t
            actions += self.gesture.chord_up(early.t)
        return actions

    def release(self, t: float) -> list[HotkeyAction]:
        """The chord went up at ``t``; kept for its press when that has not come yet."""
        if self._overtaken(t):
            return []
        if not self.gesture.chord_held:
            self._early = _EarlyRelease(t, self._clock())
            return []
        self._last_t = t
        return self.gesture.chord_up(t)

    def _overtaken(self, t: float) -> bool:
        """A command for a moment before one already obeyed: it came too late to count."""
        return self._last_t is not None and t < self._last_t
