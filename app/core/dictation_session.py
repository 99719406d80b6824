"""The dictation state machine: idle → listening → finishing → delivering → idle.

Kept apart from the widgets (CONVENTIONS #10) so every transition, including a
cancel from each state, is unit-tested without a QApplication. The session only
decides whether an event is allowed and what the new state is; the controller
that owns it does the work (start the job, deliver the text). Events that do
not apply to the current state (a "stop" from a keybinding while idle, a final
for a job that was cancelled) are ignored and reported as such, never raised:
they arrive from hotkeys, the tray and the control socket in any order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

log = logging.getLogger(__name__)


class DictationState(Enum):
    """Where the current dictation is."""

    IDLE = "idle"
    LISTENING = "listening"
    FINISHING = "finishing"  # released; the final text is being decoded
    DELIVERING = "delivering"  # final text saved; being pasted or typed
    ERROR = "error"  # the last dictation failed; a new one may start


ACTIVE_STATES = frozenset(
    {
        DictationState.LISTENING,
        DictationState.FINISHING,
        DictationState.DELIVERING,
    }
)
# The microphone's audio belongs to the dictation (its words are not in history yet).
HEARING_STATES = frozenset({DictationState.LISTENING, DictationState.FINISHING})


@dataclass(frozen=True)
class StateChange:
    """One transition, as told to observers."""

    old: DictationState
    new: DictationState
    job_id: int | None
    reason: str


class DictationSession:
    """Tracks one dictation at a time and the job that serves it.

    Args:
        on_change: called after each transition with the :class:`StateChange`.
    """

    def __init__(self, on_change: Callable[[StateChange], None] | None = None) -> None:
        self._on_change = on_change
        self.state = DictationState.IDLE
        self.job_id: int | None = None
        self.error: str | None = None

    @property
    def active(self) -> bool:
        """Whether a dictation is under way (listening, finishing or delivering)."""
        return self.state in ACTIVE_STATES

    @property
    def hearing(self) -> bool:
        """Whether the microphone's audio belongs to a dictation (listening or finishing)."""
        return self.state in HEARING_STATES

    def start(self, job_id: int) -> bool:
        """A new dictation began with job ``job_id``; allowed from idle or error."""
        if self.state not in {DictationState.IDLE, DictationState.ERROR}:
            return False
        self.error = None
        self.job_id = job_id
        self._move(DictationState.LISTENING, "start")
        return True

    def finish(self) -> bool:
        """The key was released (or Stop pressed): decode the final text."""
        if self.state is not DictationState.LISTENING:
            return False
        self._move(DictationState.FINISHING, "finish")
        return True

    def final_received(self, job_id: int) -> bool:
        """The final text of ``job_id`` arrived; True when it belongs to this dictation."""
        if job_id != self.job_id or self.state not in {
            DictationState.LISTENING,
            DictationState.FINISHING,
        }:
            return False
        self._move(DictationState.DELIVERING, "final")
        return True

    def delivered(self) -> bool:
        """Delivery is over (done, or nothing to deliver); back to idle."""
        if self.state is not DictationState.DELIVERING:
            return False
        self.job_id = None
        self._move(DictationState.IDLE, "delivered")
        return True

    def cancel(self) -> int | None:
        """Drop the dictation from any active state; returns the job id to cancel."""
        if not self.active:
            return None
        job_id = self.job_id
        self.job_id = None
        self._move(DictationState.IDLE, "cancel")
        return job_id

    def fail(self, job_id: int | None, message: str) -> bool:
        """The dictation of ``job_id`` (None: the current one) failed with ``message``."""
        if not self.active or (job_id is not None and job_id != self.job_id):
            return False
        self.error = message
        self.job_id = None
        self._move(DictationState.ERROR, "failed")
        return True

    def dismiss_error(self) -> bool:
        """The user has seen the error; back to idle."""
        if self.state is not DictationState.ERROR:
            return False
        self.error = None
        self._move(DictationState.IDLE, "dismissed")
        return True

    def _move(self, new: DictationState, reason: str) -> None:
        change = StateChange(self.state, new, self.job_id, reason)
        self.state = new
        log.info("dictation %s → %s (%s)", change.old.value, new.value, reason)
        if self._on_change is not None:
            self._on_change(change)
