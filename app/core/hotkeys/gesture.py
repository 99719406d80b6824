"""The hotkey gesture: key events in, START / FINISH / CANCEL out, with no clock of its own.

Push-to-talk and toggle share one chord. In ``auto`` mode a press starts
dictation; releasing after ``hold_threshold_s`` finishes it (push-to-talk),
releasing sooner leaves it listening until the next press (toggle). Peers got
the details wrong (whisper-writer #90, Handy #1539: firing on the wrong chord,
toggling on auto-repeat), so the rules here are strict:

* a chord fires only when exactly its modifiers are held (left and right
  variants alike) and no other ordinary key is down;
* a repeated press of a key already down (auto-repeat) is ignored;
* X11 may also report auto-repeat as a release immediately followed by a press
  of the same key, so every release is held back for ``repeat_window_s`` and
  dropped if the key comes straight back; :meth:`HotkeyGesture.poll` settles
  held-back releases once :meth:`HotkeyGesture.next_deadline` has passed;
* a chord press within ``debounce_s`` of the last chord release is ignored;
* Esc cancels an active dictation, after which the chord's release does nothing.

Time comes in with every event (seconds, any monotonic origin), so the whole
machine is deterministic and tested without threads or sleeps.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.core.hotkeys.chord import Chord, modifier_of, physical_key

log = logging.getLogger(__name__)

GestureMode = Literal["auto", "hold", "toggle"]
GESTURE_MODES: tuple[GestureMode, ...] = ("auto", "hold", "toggle")

_CANCEL_KEY = "esc"
_EPSILON_S = 1e-9  # a release "exactly" at the threshold counts as a hold despite float rounding


class HotkeyAction(enum.Enum):
    """What the gesture asks the app to do."""

    START = "start"
    FINISH = "finish"
    CANCEL = "cancel"


class _Press(enum.Enum):
    """What the chord press now held down did, which decides what its release does."""

    STARTED = "started"  # its release may finish (hold) or leave dictation listening (tap)
    INERT = "inert"  # finished, cancelled, debounced or overtaken: its release does nothing


@dataclass(frozen=True)
class _HeldChord:
    press: _Press
    since: float


@dataclass(frozen=True)
class _PendingRelease:
    key: str  # physical name
    t: float


# A letter held this long with no auto-repeat press is no longer held: its release was lost.
# X11 repeats a held key after 0.66 s and then every 40 ms by default.
STALE_KEY_S = 2.0
# Past X11's auto-repeat delay: a key really held has repeated by then (its time is fresh),
# so an older one that the X server says is up lost its release on the way.
LOST_RELEASE_S = 0.7


class HotkeyGesture:
    """Turns normalized key events into dictation actions for one chord.

    Args:
        chord: The chord to watch.
        mode: ``"auto"`` (hold = push-to-talk, tap = toggle), ``"hold"`` (every
            release finishes; a press during a dictation started elsewhere takes
            it over until release) or ``"toggle"`` (only the next press finishes).
        hold_threshold_s: In auto mode, a press held at least this long is a hold.
        repeat_window_s: A release followed within this time by a press of the
            same key is X11 auto-repeat and ignored.
        debounce_s: A chord press this soon after the last chord release is ignored.
    """

    def __init__(
        self,
        chord: Chord,
        mode: GestureMode = "auto",
        hold_threshold_s: float = 0.3,
        repeat_window_s: float = 0.05,
        debounce_s: float = 0.15,
    ) -> None:
        if mode not in GESTURE_MODES:
            raise ValueError(f"Unknown hotkey mode {mode!r}; use one of {', '.join(GESTURE_MODES)}")
        self._chord = chord
        self._mode: GestureMode = mode
        self._hold_threshold_s = hold_threshold_s
        self._repeat_window_s = repeat_window_s
        self._debounce_s = debounce_s
        # Physical names of keys held down, with when each was last pressed (or repeated).
        self._down: dict[str, float] = {}
        self._keys_really_down: Callable[[], frozenset[str] | None] | None = None
        self._pending: _PendingRelease | None = None
        self._held: _HeldChord | None = None
        self._last_release_t: float | None = None
        self._active = False
        self._cancellable = False  # released, still finishing: Esc cancels it too

    @property
    def chord(self) -> Chord:
        """The chord being watched."""
        return self._chord

    @property
    def mode(self) -> GestureMode:
        """The current mode."""
        return self._mode

    @property
    def active(self) -> bool:
        """Whether the gesture believes a dictation is running."""
        return self._active

    @property
    def chord_held(self) -> bool:
        """Whether the chord is down now (its release may still be held back for auto-repeat)."""
        return self._held is not None

    def set_chord(self, chord: Chord) -> None:
        """Watch another chord; a chord held right now no longer counts."""
        self._chord = chord
        self._held = None

    def set_mode(self, mode: GestureMode) -> None:
        """Switch mode; applies from the next chord press."""
        if mode not in GESTURE_MODES:
            raise ValueError(f"Unknown hotkey mode {mode!r}; use one of {', '.join(GESTURE_MODES)}")
        self._mode = mode

    @property
    def hold_threshold_s(self) -> float:
        """In auto mode, a press held at least this long is a hold."""
        return self._hold_threshold_s

    def set_hold_threshold(self, seconds: float) -> None:
        """In auto mode, a press held ``seconds`` or longer is a hold (from the next press)."""
        self._hold_threshold_s = seconds

    @property
    def cancellable(self) -> bool:
        """Whether Esc cancels a dictation that was released and is still finishing."""
        return self._cancellable

    def set_cancellable(self, cancellable: bool) -> None:
        """Tell the gesture a released dictation is (or is no longer) finishing."""
        self._cancellable = cancellable

    def set_active(self, active: bool) -> None:
        """Tell the gesture a dictation started or ended by another route.

        The window button, the tray, ``saytype toggle`` or a failed start all
        change this, so the next chord press means start or finish correctly.
        Ending a dictation while its chord is still held makes that chord's
        release do nothing.
        """
        if active == self._active:
            return
        self._active = active
        if not active and self._held is not None:
            self._held = _HeldChord(_Press.INERT, self._held.since)

    def held_modifiers(self) -> frozenset[str]:
        """Canonical modifiers held down now, as this event stream tells it."""
        return frozenset(
            modifier for modifier in map(modifier_of, self._down) if modifier is not None
        )

    def next_deadline(self) -> float | None:
        """When :meth:`poll` should next be called, or None when nothing is waiting."""
        if self._pending is None:
            return None
        return self._pending.t + self._repeat_window_s

    def poll(self, t: float) -> list[HotkeyAction]:
        """Settle a held-back release once ``repeat_window_s`` has passed without a re-press."""
        deadline = self.next_deadline()
        if deadline is None or t < deadline:
            return []
        return self._settle_pending()

    def key_down(self, name: str, t: float) -> list[HotkeyAction]:
        """A key went down at ``t`` (seconds); returns the actions it causes."""
        key = physical_key(name)
        pending = self._pending
        if pending is not None and pending.key == key and t - pending.t <= self._repeat_window_s:
            self._pending = None  # a release/press pair: X11 auto-repeat, the key never left
            self._down[key] = t
            return []
        actions = self._settle_pending()
        if key in self._down:
            self._down[key] = t
            return actions  # auto-repeat as repeated presses
        self._down[key] = t
        return actions + self._on_press(key, t)

    def key_up(self, name: str, t: float) -> list[HotkeyAction]:
        """A key went up at ``t``; the release takes effect after ``repeat_window_s``."""
        key = physical_key(name)
        actions = self._settle_pending()
        if key in self._down:
            self._pending = _PendingRelease(key, t)
        return actions

    def _settle_pending(self) -> list[HotkeyAction]:
        pending, self._pending = self._pending, None
        if pending is None:
            return []
        self._down.pop(pending.key, None)
        return self._on_release(pending.key, pending.t)

    def _on_press(self, key: str, t: float) -> list[HotkeyAction]:
        if key == _CANCEL_KEY and (self._active or self._cancellable) and self._cancel_allowed():
            self._active = self._cancellable = False
            if self._held is not None:
                self._held = _HeldChord(_Press.INERT, self._held.since)
            return [HotkeyAction.CANCEL]
        if key == self._chord.key:
            return self._on_chord_key_press(t)
        return []

    def chord_down(self, t: float) -> list[HotkeyAction]:
        """The whole chord went down at ``t``, as a compositor's key binding tells it
        (``saytype press``): the compositor matched the keys, so none are checked here."""
        return self._settle_pending() + self._on_whole_chord_press(t)

    def chord_up(self, t: float) -> list[HotkeyAction]:
        """The chord bound in a compositor went up at ``t`` (``saytype release``)."""
        return self._settle_pending() + self._on_release(self._chord.key, t)

    def _on_chord_key_press(self, t: float) -> list[HotkeyAction]:
        if not self._exactly_chord_held(t):
            return []
        return self._on_whole_chord_press(t)

    def _on_whole_chord_press(self, t: float) -> list[HotkeyAction]:
        recent = self._last_release_t is not None and t - self._last_release_t < self._debounce_s
        if recent:
            self._held = _HeldChord(_Press.INERT, t)
            return []
        if not self._active:
            self._active = True
            self._held = _HeldChord(_Press.STARTED, t)
            return [HotkeyAction.START]
        if self._mode == "hold" and self._held is None:
            # Started elsewhere (window, tray): in hold mode a press takes over the dictation.
            self._held = _HeldChord(_Press.STARTED, t)
            return []
        self._active = False
        self._held = _HeldChord(_Press.INERT, t)
        return [HotkeyAction.FINISH]

    def _on_release(self, key: str, t: float) -> list[HotkeyAction]:
        held = self._held
        if held is None:
            return []
        if key != self._chord.key:
            modifier = modifier_of(key)
            if modifier not in self._chord.modifiers:
                return []  # not part of the chord (None for an ordinary key)
            if modifier in self.held_modifiers():
                return []  # the other side's key still holds this modifier
        self._held = None
        self._last_release_t = t
        if held.press is not _Press.STARTED or not self._active:
            return []
        if self._mode == "toggle":
            return []
        is_hold = t - held.since + _EPSILON_S >= self._hold_threshold_s
        if self._mode == "hold" or is_hold:
            self._active = False
            return [HotkeyAction.FINISH]
        return []  # a tap: keep listening until the next press

    def check_keys_with(self, keys_really_down: Callable[[], frozenset[str] | None] | None) -> None:
        """Ask ``keys_really_down`` (the X server's own key state) before refusing a chord.

        It names the ordinary keys down now (None: it cannot tell). When it sees none
        but the chord's, a key the event stream left "down" for longer than
        :data:`LOST_RELEASE_S` lost its release on the way and is forgotten: under
        load the listener lost the rest of a long text Saytype had just typed, and a
        letter held "down" made the next chord press do nothing.
        """
        self._keys_really_down = keys_really_down

    def _exactly_chord_held(self, t: float) -> bool:
        if self.held_modifiers() != self._chord.modifiers:
            return False
        others = {
            key
            for key, since in self._down.items()
            if key != self._chord.key and modifier_of(key) is None and t - since < STALE_KEY_S
        }
        lost = {key for key in others if t - self._down[key] > LOST_RELEASE_S}
        if lost and self._keys_really_down is not None:
            really = self._keys_really_down()
            # Only a server that sees no key but the chord's: two tables may name a key
            # apart, and a key held with the chord must never be forgotten.
            if really is not None and not really - {self._chord.key}:
                for key in lost:
                    del self._down[key]  # its release was lost
                others -= lost
        return not others

    def forget_typed_keys(self) -> None:
        """Forget every ordinary key held down but the chord's own (Saytype just typed).

        Keys Saytype types reach the listener as the user's would (XTest sets no
        flag to tell them apart), and a release seen under another name, or lost,
        left a letter "held" for good: every chord press then had an extra key, and
        the hotkey went dead. Modifiers stay: the user may be holding the chord.
        """
        self._down = {
            key: since
            for key, since in self._down.items()
            if key == self._chord.key or modifier_of(key) is not None
        }

    def _cancel_allowed(self) -> bool:
        # Esc cancels with no modifiers, or with just the chord's while the chord is held.
        allowed = self._chord.modifiers if self._held is not None else frozenset()
        return self.held_modifiers() <= allowed
