"""Reading back the dictations a damaged history file still holds.

A damaged history is moved aside and a new one started (``history.HistoryStore``).
A damaged index page alone made every past dictation vanish from the app, though
every row could still be read. So the rows are read back from the moved file, in id
order, past damaged pages where SQLite can seek beyond them, and go into the new one.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.output.history_schema import COLUMNS

log = logging.getLogger(__name__)

_MAX_FAILED_SEEKS = 5000  # seeks into damaged pages before the rest is given up


def readable_rows(damaged: Path) -> list[tuple[object, ...]]:
    """The dictations ``damaged`` still yields, in id order, as :data:`COLUMNS` tuples.

    Columns an older file lacks are None; a file with no readable dictations table
    yields none.
    """
    with _scratch_folder(damaged.parent) as folder:
        # A copy: SQLite writes to the file it opens (its -wal, a checkpoint); the
        # damaged file stays as it was found.
        copy = Path(folder) / "history.sqlite3"
        try:
            shutil.copyfile(damaged, copy)
            wal = damaged.with_name(damaged.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            _pad_to_its_header(copy)
            connection = sqlite3.connect(copy)
        except (OSError, sqlite3.Error) as exc:
            log.info("the damaged history %s could not be opened: %s", damaged, exc)
            return []
        try:
            return [row for row in _rows(connection) if _complete(row)]
        except sqlite3.Error as exc:
            log.info("no dictation could be read back from %s: %s", damaged, exc)
            return []
        finally:
            connection.close()


@contextmanager
def _scratch_folder(beside: Path) -> Iterator[str]:
    """A temporary folder beside the history (on its disk, not a small /tmp), else in /tmp."""
    try:
        folder = tempfile.TemporaryDirectory(prefix=".saytype-salvage-", dir=beside)
    except OSError:
        folder = tempfile.TemporaryDirectory(prefix="saytype-salvage-")
    with folder as path:
        yield path


def _pad_to_its_header(copy: Path) -> None:
    """Give a cut-short file back the length its header says, in zeros.

    SQLite refuses a file whose tables start past its end, even to read the pages that
    are there; zeroed pages instead fail one by one, and the rest reads.
    """
    with copy.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if copy.stat().st_size < pages * page_size:
        with copy.open("r+b") as file:
            file.truncate(pages * page_size)  # extends with zeros


def _complete(row: tuple[object, ...]) -> bool:
    """Whether ``row`` has what the new table requires (its NOT NULL columns)."""
    _id, created_at, text, duration_s, model = row[:5]
    return (
        isinstance(created_at, float | int)
        and isinstance(text, str)
        and isinstance(duration_s, float | int)
        and isinstance(model, str)
    )


def _rows(connection: sqlite3.Connection) -> list[tuple[object, ...]]:
    present = {row[1] for row in connection.execute("PRAGMA table_info(dictations)")}
    if "id" not in present or "text" not in present:
        return []
    picked = ", ".join(name if name in present else "NULL" for name in COLUMNS)
    # ORDER BY id walks the table itself: a damaged index is never used.
    query = f"SELECT {picked} FROM dictations WHERE id >= ? ORDER BY id"
    last_id = _last_id(connection)
    rows: list[tuple[object, ...]] = []
    start, failed = 0, 0
    while failed < _MAX_FAILED_SEEKS and (last_id is None or start <= last_id):
        try:
            for row in connection.execute(query, (start,)):
                rows.append(tuple(row))
        except sqlite3.DatabaseError:
            # A damaged page: seek to the next id, and on, until one lands past it
            # (ids grow by one, a page holds a few dozen; long runs of damage step up).
            failed += 1
            read_up_to = int(rows[-1][0]) if rows else -1  # type: ignore[call-overload]
            start = max(start, read_up_to) + 1 + failed // 100
        else:
            return rows
    return rows


def _last_id(connection: sqlite3.Connection) -> int | None:
    """The highest id the file ever gave (AUTOINCREMENT keeps it), if that can be read."""
    try:
        row = connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'dictations'"
        ).fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row is not None else None
