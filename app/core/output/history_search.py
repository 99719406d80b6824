"""A history search on a connection of its own, for a thread other than the GUI's.

Searching looks at every dictation's text: 0.35 s at 55,000 dictations on two cores,
and as long again to count them all. On the store's own connection that held its lock,
so anything the window asked of the history meanwhile waited too. Here each search
opens the file read-only (SQLite's write-ahead log lets it read beside the store's
writes), and the caller runs it off the GUI thread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from urllib.parse import quote

from app.core.output import history_match
from app.core.output.history import SHOWN_AT_ONCE, HistoryEntry, HistoryError, HistoryStore
from app.core.output.history_schema import SELECT

_BUSY_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Found:
    """A search's answer: the newest entries containing ``query`` and how many do in all."""

    query: str
    entries: list[HistoryEntry]
    total: int


def find_in_history(store: HistoryStore, query: str, limit: int = SHOWN_AT_ONCE) -> Found:
    """The entries of ``store`` containing ``query`` (see :func:`history_match.contains`).

    Raises:
        HistoryError: the file could not be read.
    """
    store.writes.wait_idle()  # the dictations saved just before are found too
    folded = query.casefold()
    where = " WHERE saytype_contains(text, ?)"
    try:
        connection = sqlite3.connect(
            f"file:{quote(str(store.path))}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S
        )
    except sqlite3.Error as exc:
        raise HistoryError(f"Could not search the dictation history {store.path}: {exc}.") from exc
    try:
        connection.create_function(
            "saytype_contains", 2, history_match.contains, deterministic=True
        )
        order = " ORDER BY created_at DESC, id DESC LIMIT ?"
        rows = connection.execute(SELECT + where + order, (folded, limit)).fetchall()
        total = len(rows)
        if total >= limit:  # more may contain it: say how many
            count = "SELECT COUNT(*) FROM dictations" + where
            (total,) = connection.execute(count, (folded,)).fetchone()
    except sqlite3.Error as exc:
        raise HistoryError(f"Could not search the dictation history {store.path}: {exc}.") from exc
    finally:
        connection.close()
    return Found(query, [HistoryEntry(*row) for row in rows], int(total))
