"""A stand-in for ``pynput.keyboard.Listener``: a thread that delivers keys the test sends.

Like pynput's, the listener is a thread of its own and calls ``on_press`` /
``on_release`` with ``(key, injected)`` from that thread, so the bridge's
cross-thread hand-off runs for real. Keys are :class:`FakeKey` members (pynput's
``Key`` is an Enum too) or :class:`FakeKeyCode` characters with an X keysym.
:class:`ManualClock` lets a test decide how long a key was held.
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

KeyCallback = Callable[[Any, bool], None]


class FakeKey(enum.Enum):
    """The special keys, named as pynput names them."""

    ctrl = "Control_L"
    ctrl_r = "Control_R"
    shift = "Shift_L"
    shift_r = "Shift_R"
    alt = "Alt_L"
    alt_gr = "Mode_switch"
    cmd = "Super_L"
    space = "space"
    esc = "Escape"
    enter = "Return"
    f9 = "F9"


@dataclass(frozen=True)
class FakeKeyCode:
    """A character key, like pynput's ``KeyCode``: ``vk`` is the X keysym."""

    char: str | None = None
    vk: int | None = None


_STOP = object()


class FakeKeyListener(threading.Thread):
    """Delivers queued key events to the callbacks from its own thread, in order."""

    def __init__(
        self,
        on_press: KeyCallback,
        on_release: KeyCallback,
        fail_to_start: bool = False,
        ready_gate: threading.Event | None = None,
    ) -> None:
        super().__init__(name="fake-key-listener", daemon=True)
        self._on_press = on_press
        self._on_release = on_release
        self._events: queue.Queue[Any] = queue.Queue()
        self._ready = threading.Event()
        self._fail_to_start = fail_to_start
        self._ready_gate = ready_gate

    def run(self) -> None:
        if self._fail_to_start:
            return  # dies before ready, like pynput when its X connection fails
        if self._ready_gate is not None:
            self._ready_gate.wait()  # a slow XRecord set-up
        self._ready.set()
        while (event := self._events.get()) is not _STOP:
            is_down, key, injected = event
            (self._on_press if is_down else self._on_release)(key, injected)
            self._events.task_done()
        self._events.task_done()

    def wait(self) -> None:
        # Returns once ready, or once the thread has died (so no waiter is left behind).
        while not self._ready.wait(0.01) and self.is_alive():
            pass

    def stop(self) -> None:
        self._events.put(_STOP)

    # --- for tests ---------------------------------------------------------------------

    def send(self, events: Iterable[tuple[bool, Any]], injected: bool = False) -> None:
        """Queue ``(is_down, key)`` events and return once the callbacks have run for them."""
        for is_down, key in events:
            self._events.put((is_down, key, injected))
        self._events.join()

    def press(self, *keys: Any) -> None:
        """Press keys in order (and return once delivered)."""
        self.send((True, key) for key in keys)

    def release(self, *keys: Any) -> None:
        """Release keys in order (and return once delivered)."""
        self.send((False, key) for key in keys)


class FakeListenerFactory:
    """A ``listener_factory`` that keeps the listeners it made."""

    def __init__(
        self,
        fail_to_start: bool = False,
        raise_on_create: str | None = None,
        ready_gate: threading.Event | None = None,
    ) -> None:
        self.listeners: list[FakeKeyListener] = []
        self._ready_gate = ready_gate
        self._fail_to_start = fail_to_start
        self._raise_on_create = raise_on_create

    def __call__(self, on_press: KeyCallback, on_release: KeyCallback) -> FakeKeyListener:
        if self._raise_on_create is not None:
            raise ImportError(self._raise_on_create)
        listener = FakeKeyListener(on_press, on_release, self._fail_to_start, self._ready_gate)
        self.listeners.append(listener)
        return listener

    @property
    def last(self) -> FakeKeyListener:
        return self.listeners[-1]


class ManualClock:
    """Monotonic seconds that move only when the test says so (thread-safe)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
