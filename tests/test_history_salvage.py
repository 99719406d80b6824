"""A damaged history gives back every dictation it still holds, in a new history.

A damaged index page made every past dictation vanish from the app although each row
could still be read. The damage here is real: bytes of chosen pages of a real history
file overwritten, as a bad sector or a half-written copy leaves them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.core.output.history import HistoryStore

pytestmark = pytest.mark.integration

PAGE = 4096
ENTRIES = 300


def _history_with_entries(path: Path) -> dict[int, str]:
    written = {}
    with HistoryStore(path) as store:
        for number in range(ENTRIES):
            entry = store.add(f"dictation number {number}, " + "words " * 20, 2.5, "tiny.en")
            written[entry.id] = entry.text
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return written


def _pages(path: Path, name: str, kind: str) -> list[int]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno",
            (name, kind),
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


def _overwrite(path: Path, page: int) -> None:
    with path.open("r+b") as file:
        file.seek((page - 1) * PAGE + 8)
        file.write(os.urandom(2000))


def _moved_aside(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]


def test_a_damaged_index_loses_no_dictation(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    written = _history_with_entries(path)
    for page in _pages(path, "dictations_by_time", "leaf"):
        _overwrite(path, page)

    with HistoryStore(path) as store:
        assert store.notice is not None
        assert f"{ENTRIES} dictations could be read back" in store.notice
        assert str(_moved_aside(tmp_path)[0]) in store.notice
        kept = {entry.id: entry.text for entry in store.search(limit=ENTRIES + 1)}
        assert kept == written
        assert store.add("the next dictation", 1, "tiny.en").id == max(written) + 1


def test_a_damaged_page_of_dictations_loses_only_the_dictations_on_it(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    written = _history_with_entries(path)
    leaves = _pages(path, "dictations", "leaf")
    assert len(leaves) > 4
    damaged = leaves[len(leaves) // 2]
    _overwrite(path, damaged)

    with HistoryStore(path) as store:
        kept = {entry.id: entry.text for entry in store.search(limit=ENTRIES + 1)}
    assert all(written[entry_id] == text for entry_id, text in kept.items())
    assert min(kept) == min(written)  # the dictations before the damage
    assert max(kept) == max(written)  # and after it
    assert ENTRIES - 40 <= len(kept) < ENTRIES  # one page holds a few dozen at most


def test_a_file_cut_in_half_gives_back_the_first_half(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    written = _history_with_entries(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    with HistoryStore(path) as store:
        kept = {entry.id: entry.text for entry in store.search(limit=ENTRIES + 1)}
        assert store.notice is not None
    assert kept  # as many as the first half holds; the damaged file is kept as it was
    assert all(written[entry_id] == text for entry_id, text in kept.items())
