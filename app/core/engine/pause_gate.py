"""Live dictation before file jobs: a gate that file work waits at between segments.

One model serves both. While the user dictates, the gate is closed and a file
job that reaches a segment boundary waits there, so the dictation's passes do
not queue behind file segments; when the dictation ends the gate opens and the
file job resumes where it stopped. Cancelling a file job also wakes it, so a
cancel is never stuck behind a dictation.
"""

from __future__ import annotations

import threading

from app.core.engine.cancellation import CancellationToken

_CHECK_INTERVAL_S = 0.1


class PauseGate:
    """Closed while any dictation runs (counted, so overlapping ones nest)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._holders = 0

    @property
    def is_open(self) -> bool:
        """Whether file work may proceed now."""
        return self._open.is_set()

    def close(self) -> None:
        """A dictation started: file work pauses at its next boundary."""
        with self._lock:
            self._holders += 1
            self._open.clear()

    def release(self) -> None:
        """A dictation ended: file work resumes when no other dictation holds the gate."""
        with self._lock:
            self._holders = max(0, self._holders - 1)
            if self._holders == 0:
                self._open.set()

    def wait(self, cancel: CancellationToken | None = None, timeout_s: float | None = None) -> bool:
        """Block while closed; True when open, False on cancel or timeout."""
        waited = 0.0
        while not self._open.wait(_CHECK_INTERVAL_S):
            if cancel is not None and cancel.cancelled:
                return False
            waited += _CHECK_INTERVAL_S
            if timeout_s is not None and waited >= timeout_s:
                return False
        return not (cancel is not None and cancel.cancelled)


class GateHold:
    """One dictation source's hold on a :class:`PauseGate`: taken or given back once each."""

    def __init__(self, gate: PauseGate) -> None:
        self._gate = gate
        self._held = False

    def set(self, held: bool) -> None:
        """Hold the gate closed (file work waits) or give it back; repeats change nothing."""
        if held and not self._held:
            self._gate.close()
        elif not held and self._held:
            self._gate.release()
        self._held = held
