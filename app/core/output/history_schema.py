"""The history file's schema: its table, its version, and the checks made on opening it.

A file from an older Saytype gains the columns added since; a file that is not a
Saytype history, or whose table lacks a column, is :class:`DamagedHistory`, which the
store moves aside rather than refusing to start.
"""

from __future__ import annotations

import logging
import sqlite3

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
COLUMNS = (
    "id", "created_at", "text", "duration_s", "model", "audio_path", "delivered_to", "profile"
)  # fmt: skip
ADDED_COLUMNS = {"profile": 2}  # column → the schema version that added it
SELECT = f"SELECT {', '.join(COLUMNS)} FROM dictations"
RESTORE = f"INSERT INTO dictations ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_CREATE = (
    "CREATE TABLE dictations ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"  # AUTOINCREMENT: a deleted id is never reused
    " created_at REAL NOT NULL,"
    " text TEXT NOT NULL,"
    " duration_s REAL NOT NULL,"
    " model TEXT NOT NULL,"
    " audio_path TEXT,"
    " delivered_to TEXT,"
    " profile TEXT)",  # the per-app profile the dictation used
    "CREATE INDEX dictations_by_time ON dictations (created_at)",
)


class DamagedHistory(Exception):
    """The file at the history path is not a usable history database."""


def check_integrity(connection: sqlite3.Connection) -> None:
    """Raise :class:`DamagedHistory` if SQLite finds the file damaged."""
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        raise DamagedHistory("; ".join(str(problem) for problem in problems[:3]))


def check_schema(connection: sqlite3.Connection) -> bool:
    """Return whether the file is new and needs the schema; raise if it is someone else's."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if version == 0:
        if tables:
            raise DamagedHistory(f"not a Saytype history (tables: {', '.join(sorted(tables))})")
        return True
    columns = {row[1] for row in connection.execute("PRAGMA table_info(dictations)")}
    missing = [name for name in COLUMNS if name not in columns and name not in ADDED_COLUMNS]
    if missing:
        raise DamagedHistory(f"the dictations table lacks {', '.join(missing)}")
    _add_columns(connection, [name for name in ADDED_COLUMNS if name not in columns], version)
    if version > SCHEMA_VERSION:
        log.info(
            "history schema %d is newer than %d; reading known columns", version, SCHEMA_VERSION
        )
    return False


def _add_columns(connection: sqlite3.Connection, names: list[str], version: int) -> None:
    """Migrate an older history: add the columns later versions brought (empty in old rows)."""
    if not names:
        return
    with connection:
        for name in names:
            log.info("adding the %s column to the history", name)
            connection.execute(f"ALTER TABLE dictations ADD COLUMN {name} TEXT")
        connection.execute(f"PRAGMA user_version = {max(version, SCHEMA_VERSION)}")


def create_schema(connection: sqlite3.Connection) -> None:
    """Make the table of a new history file."""
    with connection:
        for statement in _CREATE:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
