"""Cooperative cancellation shared between a requester and a long job.

Jobs check the token between segments; cancellation is its own path (an
exception type or a flag), never a string match on an error message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class Cancelled(Exception):
    """Raised by :meth:`CancellationToken.raise_if_cancelled` once cancel was requested."""


class Superseded(Exception):
    """Raised inside a live pass whose result newer work would replace anyway."""


class Checkpoint(Protocol):
    """What a long step checks between the stages it cannot interrupt."""

    def raise_if_cancelled(self) -> None:
        """Raise (:class:`Cancelled` or :class:`Superseded`) when the work should stop."""


class CancellationToken:
    """A thread-safe, one-way flag: once cancelled, it stays cancelled."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Request cancellation. Safe to call from any thread, any number of times."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancellation was requested."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled


class PassCheckpoint:
    """A live pass's checkpoint: the job's cancellation first, then ``superseded``.

    ``superseded`` says the pass's result is no longer wanted (the key went up
    while it ran and the final decode will hear more), so the final can start
    sooner.
    """

    def __init__(
        self, cancel: CancellationToken | None, superseded: Callable[[], bool] | None
    ) -> None:
        self._cancel = cancel
        self._superseded = superseded

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` or :class:`Superseded`, cancellation taking precedence."""
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        if self._superseded is not None and self._superseded():
            raise Superseded
