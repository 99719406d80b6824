"""Dictations deleted in this session, kept whole so that Undo can put them back."""

from __future__ import annotations

from app.core.output.history import HistoryEntry, delete_audio

UNDO_LIMIT = 20  # deletions that Undo reaches back through


class RecentlyDeleted:
    """Deleted history entries, newest last; their audio files wait for an undo.

    The entry's row is gone from the history at once (a search no longer finds
    it), but its kept recording is deleted only once it falls out of reach: past
    :data:`UNDO_LIMIT` newer deletions, or at :meth:`forget` (the app quits).
    """

    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self._limit = limit
        self._entries: list[HistoryEntry] = []

    def __len__(self) -> int:
        return len(self._entries)

    def push(self, entry: HistoryEntry) -> None:
        """Remember a deleted entry; the oldest one out of reach loses its audio."""
        self._entries.append(entry)
        while len(self._entries) > self._limit:
            delete_audio(self._entries.pop(0))

    def pop(self) -> HistoryEntry | None:
        """The newest deleted entry, taken back for an undo (None when there is none)."""
        return self._entries.pop() if self._entries else None

    def forget(self) -> None:
        """Undo ends here: delete the remembered entries' audio files."""
        while self._entries:
            delete_audio(self._entries.pop())
