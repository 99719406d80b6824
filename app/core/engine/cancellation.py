"""Cooperative cancellation shared between a requester and a long job.

Jobs check the token between segments; cancellation is its own path (an
exception type or a flag), never a string match on an error message.
"""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """Raised by :meth:`CancellationToken.raise_if_cancelled` once cancel was requested."""


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
