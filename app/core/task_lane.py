"""An executor whose threads exist only while there is work.

``concurrent.futures.ThreadPoolExecutor`` keeps its threads until shutdown, and
Qt's ``QThreadPool`` threads register with Python as dummy threads that never
count as ended; either way a finished app (or a test that checks for leftover
threads) would see threads that do nothing. A :class:`TaskLane` starts a thread
when a call is queued and no thread is free, and the thread ends as soon as the
queue is empty. With ``max_threads=1`` the calls run one at a time in the order
they were submitted: the history uses such a lane so its writes keep their
order, and :meth:`TaskLane.wait_idle` lets a reader or ``close`` wait for them.

Qt-free: the GUI hands results back to its own thread in ``app.ui.shell.background``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_Task = tuple["Future[Any]", Callable[[], Any]]


class TaskLane(Executor):
    """Runs submitted calls on up to ``max_threads`` short-lived threads.

    Args:
        name: Names the threads (``name``, ``name-2``…), so logs and leak checks say whose.
        max_threads: How many calls may run at once; 1 keeps the submission order.
        daemon: Whether the threads may be abandoned at interpreter exit. A lane
            whose work must not be lost (history writes) is not a daemon: Python
            waits for it before the process ends.
    """

    def __init__(self, name: str, max_threads: int = 1, *, daemon: bool = True) -> None:
        if max_threads < 1:
            raise ValueError("a lane needs at least one thread")
        self.name = name
        self._max_threads = max_threads
        self._daemon = daemon
        self._lock = threading.Lock()
        self._queue: deque[_Task] = deque()
        self._threads: set[threading.Thread] = set()
        self._ending: list[threading.Thread] = []  # out of work, returning: joined by wait_idle
        self._started = 0
        self._idle = threading.Condition(self._lock)
        self._busy = 0  # calls taken from the queue and not finished yet
        self._shut = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``fn(*args, **kwargs)``; its future holds the result or the exception.

        Raises:
            RuntimeError: after :meth:`shutdown`.
        """
        future: Future[T] = Future()
        with self._lock:
            if self._shut:
                raise RuntimeError(f"the {self.name} lane is shut down")
            self._queue.append((future, lambda: fn(*args, **kwargs)))
            if len(self._threads) < self._max_threads and len(self._queue) > self._free():
                self._start_thread()
        return future

    def in_lane(self) -> bool:
        """Whether the calling thread is one of this lane's."""
        return threading.current_thread() in self._threads

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Wait until nothing is queued or running (threads ended); False after ``timeout_s``.

        Raises:
            RuntimeError: when called from the lane's own thread (it would wait for itself).
        """
        if self.in_lane():
            raise RuntimeError(f"the {self.name} lane cannot wait for itself")
        with self._idle:
            if not self._idle.wait_for(lambda: not self._threads, timeout_s):
                return False
            ending, self._ending = self._ending, []
        for thread in ending:
            thread.join()  # it has left its loop: this returns at once
        return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new calls; with ``wait``, return once the queued ones have run."""
        with self._lock:
            self._shut = True
            dropped = list(self._queue) if cancel_futures else []
            if cancel_futures:
                self._queue.clear()
        for future, _call in dropped:
            future.cancel()
        if wait:
            self.wait_idle()

    # Lane threads ----------------------------------------------------------------------

    def _free(self) -> int:
        return len(self._threads) - self._busy

    def _start_thread(self) -> None:
        self._ending = [thread for thread in self._ending if thread.is_alive()]
        self._started += 1
        suffix = "" if self._started == 1 else f"-{self._started}"
        thread = threading.Thread(target=self._work, name=self.name + suffix, daemon=self._daemon)
        self._threads.add(thread)
        thread.start()

    def _work(self) -> None:
        me = threading.current_thread()
        while True:
            with self._lock:
                if not self._queue:
                    self._threads.discard(me)
                    self._ending.append(me)
                    self._idle.notify_all()
                    return
                future, call = self._queue.popleft()
                self._busy += 1
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        result = call()
                    except BaseException as exc:  # handed to whoever holds the future
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
            finally:
                with self._lock:
                    self._busy -= 1
