"""What "Copy last" copies: the newest dictation, and never one the user deleted.

After a restart it is the newest history entry. Deleting that entry in History
makes the one before it the last (a deleted text must not come back through
the clipboard); Undo delete puts it back. A dictation made while the history is
paused is the last text without an entry, and deleting older entries leaves it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from app.core.output.history import HistoryEntry, HistoryStore
    from app.ui.dictation.dictation_controller import DictationController

log = logging.getLogger(__name__)


class LastDictation(QObject):
    """Keeps the controller's ``last_text`` to the newest dictation the user still has.

    A child of the controller, so that it lives as long as the signals it is told by.

    Args:
        controller: whose ``last_text`` Copy last copies.
        history: the store (None when it could not be opened).
        has_last: told whether there is a text to copy (the tray's Copy last).
    """

    def __init__(
        self,
        controller: DictationController,
        history: HistoryStore | None,
        has_last: Callable[[bool], None],
    ) -> None:
        super().__init__(controller)
        self._controller = controller
        self._history = history
        self._has_last = has_last
        self._entry: HistoryEntry | None = None  # the entry last_text came from

    def restore(self) -> None:
        """With no text of this run yet: the newest history entry's."""
        if not self._controller.last_text:
            latest = self._newest()
            if latest is not None:
                self._take(latest)
        self._has_last(bool(self._controller.last_text))

    def added(self, entry: HistoryEntry) -> None:
        """A dictation was saved: it is the last text now (the controller set it already)."""
        self._entry = entry

    def removed(self, entry_id: int) -> None:
        """An entry was deleted: if Copy last would copy it, the entry before it is the last."""
        entry = self._entry
        if entry is None or entry.id != entry_id or self._controller.last_text != entry.text:
            return
        self._entry = None
        self._controller.last_text = ""
        self.restore()

    def restored(self, entry: HistoryEntry) -> None:
        """An undone delete: the entry is the last again if nothing newer is."""
        current = self._entry
        if self._controller.last_text and (current is None or current.id > entry.id):
            return
        self._take(entry)
        self._has_last(True)

    def _take(self, entry: HistoryEntry) -> None:
        self._entry = entry
        self._controller.last_text = entry.text

    def _newest(self) -> HistoryEntry | None:
        from app.core.output.history import HistoryError

        if self._history is None:
            return None
        try:
            return self._history.latest()
        except HistoryError as exc:
            log.warning("the last dictation could not be read back: %s", exc)
            return None
