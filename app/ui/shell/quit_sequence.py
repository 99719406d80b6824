"""Quitting inside the event loop: ask every thread to end, then wait for them to say so.

A model call cannot be interrupted (a model load, a long file segment), and Qt
aborts the process when a QThread object is destroyed while its thread runs. So
quitting never blocks the GUI thread in ``wait()`` and never drops a running
thread: it waits for each thread's own "ended" signal, with a limit after which
the caller exits the process without destroying anything (``os._exit``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

log = logging.getLogger(__name__)

QUIT_LIMIT_MS = 15_000  # a large model still loading on a slow disk; then exit regardless
# A file segment's words are dropped at a quit (the next start offers the file again): a
# long segment (six decodes at rising temperatures) kept the process 16-18 s after the quit.
FILE_QUIT_PATIENCE_MS = 1_500


@dataclass
class _Waited:
    name: str
    running: Callable[[], bool]
    patience_ms: int | None = None  # waited for this long at most (None: the whole limit)
    given_up: bool = False


class QuitSequence(QObject):
    """Waits for named threads to end; ``finished(all_ended)`` once, at the end or the limit."""

    finished = Signal(bool)

    def __init__(self, limit_ms: int = QUIT_LIMIT_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waited: list[_Waited] = []
        self._limit = QTimer(self)
        self._limit.setSingleShot(True)
        self._limit.setInterval(limit_ms)
        self._limit.timeout.connect(self._give_up)
        # A thread says "finished" just before it ends, so that signal may arrive
        # while it still counts as running: look again shortly until it does not.
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._check)
        self._done = False

    def wait_for(
        self,
        name: str,
        running: Callable[[], bool],
        ended: SignalInstance,
        patience_ms: int | None = None,
    ) -> None:
        """Wait for ``name`` while ``running()``; ``ended`` is emitted when it stops.

        ``patience_ms``: wait no longer than this for it, when nothing it does is lost
        (a file segment whose words a quit drops anyway: the next start offers the file).
        """
        waited = _Waited(name, running, patience_ms)
        self._waited.append(waited)
        ended.connect(self._check)

    def start(self) -> None:
        """Start waiting (the threads must have been asked to stop already)."""
        self._limit.start()
        self._poll.start()
        for waited in self._waited:
            if waited.patience_ms is not None:
                QTimer.singleShot(waited.patience_ms, self, lambda w=waited: self._lose(w))
        self._check()

    def _lose(self, waited: _Waited) -> None:
        waited.given_up = True
        self._check()

    def still_running(self) -> list[str]:
        """The names of what has not ended yet."""
        return [waited.name for waited in self._waited if waited.running()]

    def _check(self) -> None:
        waiting = [w for w in self._waited if w.running() and not w.given_up]
        if not self._done and self._limit.isActive() and not waiting:
            left = self.still_running()
            if left:
                log.info("not waiting any longer at quit for %s", ", ".join(left))
            self._finish(not left)

    def _give_up(self) -> None:
        if not self._done:
            log.warning("still running at quit: %s", ", ".join(self.still_running()))
            self._finish(False)

    def _finish(self, all_ended: bool) -> None:
        self._done = True
        self._limit.stop()
        self._poll.stop()
        self.finished.emit(all_ended)
