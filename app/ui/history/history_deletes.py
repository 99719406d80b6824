"""Deleting history entries off the GUI thread, and Undo delete (Ctrl+Z) for them.

A mistaken Delete must not lose a dictation: the entry is gone from the list at
once, and Edit → Undo delete puts it back with its date, text and recording,
for the last :data:`~app.core.output.recently_deleted.UNDO_LIMIT` deletions of
the session.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from app.core.output.history import HistoryEntry, HistoryStore
from app.core.output.recently_deleted import RecentlyDeleted
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)

_PREVIEW_CHARS = 40


def preview(text: str) -> str:
    """The start of a dictation's text, as a message names it."""
    line = " ".join(text.split())
    return line if len(line) <= _PREVIEW_CHARS else line[:_PREVIEW_CHARS].rstrip() + "…"


class HistoryDeletes(QObject):
    """Deletes entries from the store and restores them on undo.

    Signals:
        removed(int): the entry with this id is gone from the store.
        restored(object): this :class:`HistoryEntry` is back in the store.
        message(str): what happened, for the status bar.
        failed(str): a delete or restore failed; the message is for the user.
    """

    removed = Signal(int)
    restored = Signal(object)
    message = Signal(str)
    failed = Signal(str)

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._deleted = RecentlyDeleted()
        self.undo_action = QAction("&Undo delete", self)
        self.undo_action.setToolTip("Put back the dictation deleted last, with its recording")
        self.undo_action.setEnabled(False)
        # Ctrl+Z anywhere in the window; a focused text field keeps it for its own text.
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo)

    def delete(self, entry: HistoryEntry) -> None:
        """Delete ``entry`` (its recording is kept for an undo)."""
        run_in_background(
            partial(self._store.delete, entry.id, keep_audio=True),
            self._deleted_one,
            partial(self._failed, "delete", entry.id),
            lane=self._store.writes,
            receiver=self,
        )

    def undo(self) -> None:
        """Put back the entry deleted last, if any."""
        entry = self._deleted.pop()
        self.undo_action.setEnabled(len(self._deleted) > 0)
        if entry is None:
            return
        run_in_background(
            partial(self._store.restore, entry),
            self._restored_one,
            partial(self._restore_failed, entry),
            lane=self._store.writes,
            receiver=self,
        )

    def forget(self) -> None:
        """The session ends: the deleted entries' recordings go for good."""
        self._deleted.forget()
        self.undo_action.setEnabled(False)

    def _deleted_one(self, entry: HistoryEntry | None) -> None:
        if entry is None:
            return  # already gone (deleted twice in a row)
        self._deleted.push(entry)
        self.undo_action.setEnabled(True)
        self.removed.emit(entry.id)
        self.message.emit(f"Deleted “{preview(entry.text)}”. Ctrl+Z puts it back.")

    def _restored_one(self, entry: HistoryEntry) -> None:
        self.restored.emit(entry)
        self.message.emit(f"Put back “{preview(entry.text)}”.")

    def _restore_failed(self, entry: HistoryEntry, exc: BaseException) -> None:
        self._deleted.push(entry)  # still deleted: another undo may work (a disk freed)
        self.undo_action.setEnabled(True)
        self._failed("restore", entry.id, exc)

    def _failed(self, action: str, entry_id: int, exc: BaseException) -> None:
        log.warning("could not %s history entry %d: %s", action, entry_id, exc)
        self.failed.emit(str(exc))
