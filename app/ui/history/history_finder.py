"""Runs the history panel's searches off the GUI thread; only the newest one's answer shows.

Typing "invoice" asks for "i", "in"… after each pause (the panel debounces): an older
search that answers late must not replace the list of a newer one, so each carries a
serial number and one still queued when a newer comes is not run at all.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QObject, Signal

from app.core.output.history import HistoryError, HistoryStore
from app.core.output.history_search import Found, find_in_history
from app.core.task_lane import TaskLane
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)


class HistoryFinder(QObject):
    """Searches ``store`` on a lane of its own.

    Signals:
        found(Found): the newest search's answer.
        failed(str): the newest search could not read the history (a message for the user).
    """

    found = Signal(object)
    failed = Signal(str)

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lane = TaskLane("history-search", max_threads=1)
        self._serial = 0  # the newest search asked for; written on the GUI thread only

    def find(self, query: str) -> None:
        """Search for ``query``; ``found`` or ``failed`` follows unless a newer search comes."""
        self._serial += 1
        serial = self._serial
        run_in_background(
            partial(self._find_now, serial, query),
            partial(self._answered, serial),
            partial(self._crashed, serial),
            lane=self._lane,
            receiver=self,
        )

    def forget(self) -> None:
        """Drop the searches under way: the list was just filled another way."""
        self._serial += 1

    def _find_now(self, serial: int, query: str) -> Found | None:
        if serial != self._serial:  # a newer search was asked for meanwhile
            return None
        return find_in_history(self._store, query)

    def _answered(self, serial: int, found: Found | None) -> None:
        if found is not None and serial == self._serial:
            self.found.emit(found)

    def _crashed(self, serial: int, exc: BaseException) -> None:
        if not isinstance(exc, HistoryError):
            log.error("history search failed", exc_info=exc)
        if serial == self._serial:
            log.warning("history search failed: %s", exc)
            self.failed.emit(str(exc))
