"""The one way to leave the GUI thread: run a call elsewhere, get its result back on the GUI thread.

Anything that may wait on a disk, a device or another process (an fsync, an X
round-trip, a folder walk, a listener that takes seconds to get ready) goes
through :func:`run_in_background`. The call runs on a :class:`TaskLane` thread
(a shared one by default, or the caller's own serial lane when order matters,
as for history writes); its result or exception comes back through a queued
signal to a small relay object living on the GUI thread, which then calls
``on_done(result)`` or ``on_error(exception)`` there. Callbacks are never
called before :func:`run_in_background` returns.

A result whose receiver has been deleted by then (the window closed, a panel
rebuilt) is dropped. The receiver is the ``receiver`` argument, or the QObject
that ``on_done`` is a bound method of.

The idea is Picard's ``run_task``/``to_main`` (picard/util/thread.py); the
relay is a signal rather than a posted event so Qt's own connection bookkeeping
decides whether anyone is still listening.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.core.task_lane import TaskLane

log = logging.getLogger(__name__)

T = TypeVar("T")

SHARED_LANE = TaskLane("background", max_threads=4, daemon=True)
"""Independent short jobs; their threads end when idle. Use a lane of your own for ordered work."""

# Alive until delivered and a little after (a QObject is not freed inside its own slot);
# only touched on the GUI thread.
_relays: set[_Relay] = set()


class _Relay(QObject):
    """Carries one call's outcome from the lane thread to the GUI thread."""

    arrived = Signal(object)  # the finished Future

    def __init__(
        self,
        on_done: Callable[[Any], object] | None,
        on_error: Callable[[BaseException], object] | None,
        receiver: QObject | None,
        what: str,
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._receiver = None if receiver is None else weakref.ref(receiver)
        self._what = what
        self.delivered = False
        self.arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def post(self, future: Future[Any]) -> None:
        """Lane thread: hand the finished future over (emitting is thread-safe)."""
        self.arrived.emit(future)

    @Slot(object)
    def _deliver(self, future: Future[Any]) -> None:
        on_done, on_error = self._on_done, self._on_error
        self._on_done = self._on_error = None  # what they hold is not kept alive any longer
        self.delivered = True
        if self._receiver is not None:
            receiver = self._receiver()
            if receiver is None or not shiboken6.isValid(receiver):
                log.debug("%s finished after its receiver was deleted: result dropped", self._what)
                return
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            if on_done is not None:
                on_done(future.result())
        elif on_error is not None:
            on_error(error)
        else:
            log.error("%s failed in the background", self._what, exc_info=error)


def run_in_background(
    fn: Callable[[], T],
    on_done: Callable[[T], object] | None = None,
    on_error: Callable[[BaseException], object] | None = None,
    *,
    lane: Executor | None = None,
    receiver: QObject | None = None,
) -> Future[T]:
    """Run ``fn()`` off the GUI thread; call ``on_done(result)`` or ``on_error(exc)`` on it later.

    Call this from the GUI thread (the thread of the relay that brings the result back).

    Args:
        fn: The blocking work. It must not touch widgets.
        on_done: Called on the GUI thread with ``fn``'s result.
        on_error: Called on the GUI thread with the exception ``fn`` raised; without
            it, the exception is logged with its traceback.
        lane: Where to run: :data:`SHARED_LANE` by default; a ``TaskLane(max_threads=1)``
            runs calls in submission order.
        receiver: When this QObject is deleted before the result arrives, the result
            is dropped. Defaults to the QObject ``on_done`` is a bound method of.

    Returns:
        The future, for callers that need to wait at a shutdown (never on the GUI thread
        in normal running).
    """
    if receiver is None:
        owner = getattr(on_done, "__self__", None)
        receiver = owner if isinstance(owner, QObject) else None
    what = getattr(fn, "__qualname__", None) or type(fn).__name__
    _relays.difference_update([old for old in _relays if old.delivered])
    relay = _Relay(on_done, on_error, receiver, what)
    _relays.add(relay)
    try:
        future = (lane or SHARED_LANE).submit(fn)
    except RuntimeError as exc:  # the lane was shut down: the error arrives like any other
        future = Future()
        future.set_exception(exc)
    future.add_done_callback(relay.post)
    return future
