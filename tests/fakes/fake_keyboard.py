"""A keyboard that records what it would have sent, for delivery tests without X.

It behaves like :class:`app.core.output.x11_keyboard.X11KeyInjector` as seen
through the ``KeyInjector`` protocol: held modifiers can be pressed and
released from the test thread while the delivery worker polls them, and a
failure can be armed to make the next injection raise.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.output.text_delivery import InjectionError, KeysPressed


@dataclass(frozen=True)
class Sent:
    """One thing the keyboard delivered: typed text or a chord."""

    kind: str  # "type" | "chord"
    value: str  # the text, or the chord as "ctrl+v"
    modifiers_held: frozenset[str]


class FakeKeyboard:
    """Records typed text and chords; thread-safe, since the worker thread calls it."""

    def __init__(self, window_class: str | None = "Gedit", window_pid: int | None = None) -> None:
        self.window_class = window_class
        self.window_pid = window_pid  # the focused window's process (os.getpid(): Saytype's)
        self.window_id: str | None = None  # the focused window itself (None: unknown)
        self._lock = threading.Lock()
        self._held: set[str] = set()
        self._sent: list[Sent] = []
        self._failure: Exception | None = None
        self._press_after: tuple[int, tuple[str, ...]] | None = None
        self.closed = False

    # ---- test controls -------------------------------------------------------------------

    def hold(self, *modifiers: str) -> None:
        """Press and keep ``modifiers`` down (e.g. the hotkey's ``control``)."""
        with self._lock:
            self._held.update(modifiers)

    def release_all(self) -> None:
        """Release every held modifier."""
        with self._lock:
            self._held.clear()

    def fail_next(self, error: Exception | None = None) -> None:
        """Make the next ``type_text``/``send_chord`` raise ``error``."""
        with self._lock:
            self._failure = error or InjectionError("the fake keyboard was told to fail")

    def press_part_way(self, after: int, *modifiers: str) -> None:
        """The next ``type_text`` sends ``after`` characters, then finds ``modifiers`` pressed."""
        with self._lock:
            self._press_after = (after, modifiers)

    @property
    def sent(self) -> list[Sent]:
        """Everything delivered so far, in order."""
        with self._lock:
            return list(self._sent)

    def typed(self) -> str:
        """All typed text joined."""
        return "".join(s.value for s in self.sent if s.kind == "type")

    # ---- KeyInjector -----------------------------------------------------------------------

    def type_text(self, text: str) -> None:
        with self._lock:
            pressed, self._press_after = self._press_after, None
        if pressed is None:
            self._record("type", text)
            return
        after, modifiers = pressed
        self._record("type", text[:after])
        self.hold(*modifiers)
        raise KeysPressed(after)

    def send_chord(self, keys: Sequence[str]) -> None:
        self._record("chord", "+".join(keys))

    def modifiers_down(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._held)

    def focused_window_class(self) -> str | None:
        return self.window_class

    def focused_window_pid(self) -> int | None:
        return self.window_pid

    def focused_window_id(self) -> str | None:
        return self.window_id

    def close(self) -> None:
        self.closed = True

    def _record(self, kind: str, value: str) -> None:
        with self._lock:
            failure, self._failure = self._failure, None
            if failure is not None:
                raise failure
            self._sent.append(Sent(kind, value, frozenset(self._held)))
