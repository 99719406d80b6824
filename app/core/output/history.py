"""The dictation history: every result, saved before it is typed anywhere.

A dictation is written here first and delivered second, so a crash, a focus
change or a failed paste never loses what the user said. Each ``add`` is a
committed transaction in WAL mode with ``synchronous=FULL``: once it returns,
the row survives the process being killed and, as far as the disk allows, a
power cut.

The store is a single sqlite3 file readable by the user alone (0600, folder
0700). A damaged file must never stop the app from starting: it is moved aside
under a dated name and a new history is started, and :attr:`HistoryStore.notice`
says where the old one went.

The GUI never waits for those commits: it queues them on :attr:`HistoryStore.writes`,
a one-thread :class:`TaskLane` that keeps their order. Every method may be called
from any thread (one lock guards the connection); a read first waits for the
queued writes, so it sees them, and :meth:`HistoryStore.close` waits for them too,
so a dictation saved at the moment of quitting is not lost.

Search folds case with :meth:`str.casefold` in a Python function rather than
SQL ``LIKE``, because SQLite's ``LIKE`` folds ASCII letters only ("É" would not
find "é"); the query is a plain substring, so ``%`` and ``_`` match literally,
or its words in a row with the punctuation between them set aside.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from pathlib import Path
from types import TracebackType

from app.core.atomic_file import describe_os_error
from app.core.output.history_match import contains
from app.core.output.history_salvage import readable_rows
from app.core.output.history_schema import (
    RESTORE,
    SELECT,
    DamagedHistory,
    check_integrity,
    check_schema,
    create_schema,
)
from app.core.paths import data_dir
from app.core.private_files import private_file, private_folder, tighten
from app.core.task_lane import TaskLane
from app.core.text.counted import counted

log = logging.getLogger(__name__)

_CORRUPTION_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
NOT_DELIVERED = "not delivered"  # delivered_to of a text that failed to reach its app
CANCELLED = "cancelled"  # delivered_to of the words heard before a dictation was cancelled
UNDELIVERED = frozenset({NOT_DELIVERED, CANCELLED})  # texts the user may still want typed
SHOWN_AT_ONCE = 500  # entries a search returns; the history panel says when there are more
_CLOSE_WAIT_S = 10.0  # queued writes at quit: a few commits, unless the disk hangs


class HistoryError(Exception):
    """The history could not be read or written; the message is written for the user."""


# Said when no history could open: dictation works, but nothing keeps its texts.
MESSAGE_NO_HISTORY = (
    "Dictation works as usual, but no history is kept this session: each text also stays "
    "on the clipboard. Free the disk or fix the folder's permissions, then restart Saytype."
)


@dataclass(frozen=True)
class HistoryEntry:
    """One saved dictation."""

    id: int
    created_at: float
    text: str
    duration_s: float
    model: str
    audio_path: str | None
    delivered_to: str | None
    profile: str | None = None  # the per-app profile it used (None before profiles existed)


def history_path() -> Path:
    """Where the history database lives by default."""
    return data_dir() / "history.sqlite3"


def audio_dir() -> Path:
    """The folder for kept dictation audio, created private (0700) on first use."""
    return private_folder(data_dir() / "audio")


class HistoryStore:
    """The sqlite3 history database, for any thread; close it, or use it as a context manager.

    Attributes:
        writes: The lane for writes off the caller's thread (``writes.submit(store.add, …)``),
            in submission order; reads and :meth:`close` wait for what it holds.

    Raises:
        HistoryError: from the constructor when the file can be neither opened nor replaced.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or history_path()
        self.notice: str | None = None
        self.writes = TaskLane("history-writer", max_threads=1, daemon=False)
        self._lock = threading.RLock()
        try:
            private_folder(self.path.parent)
        except OSError as exc:
            raise HistoryError(
                f"Could not create the folder {self.path.parent}: {describe_os_error(exc)}."
            ) from exc
        try:
            self._connection = self._open()
        except DamagedHistory as damage:
            moved_to = self._move_aside()
            log.warning("history %s is damaged (%s); moved it to %s", self.path, damage, moved_to)
            self._connection = self._open()
            self.notice = self._salvage(moved_to)

    def _salvage(self, damaged: Path) -> str:
        """Copy the dictations ``damaged`` still holds into the new history; say what happened."""
        rows = readable_rows(damaged)
        try:
            with self._writing("save the dictations read back") as connection:
                connection.executemany(RESTORE, rows)
        except HistoryError as exc:
            log.warning("%s", exc)
            rows = []
        if not rows:
            return (
                "The dictation history was damaged, so a new, empty history was started; "
                f"the old file was moved to {damaged}."
            )
        return (
            f"The dictation history was damaged: {counted(len(rows), 'dictation')} could be "
            f"read back into a new history; the damaged file was kept as {damaged}."
        )

    def _open(self) -> sqlite3.Connection:
        try:
            # Create the file private before sqlite does, so it is never world-readable;
            # sqlite gives its -wal and -shm files the database's mode.
            private_file(self.path)
            for side_file in ("-wal", "-shm"):  # left wider by an older version
                tighten(self.path.with_name(self.path.name + side_file))
        except OSError as exc:
            raise HistoryError(
                f"Could not open the dictation history {self.path}: {describe_os_error(exc)}."
            ) from exc
        try:
            # Any thread may use it, one at a time (self._lock).
            connection = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
        except sqlite3.Error as exc:
            raise HistoryError(f"Could not open the dictation history {self.path}: {exc}") from exc
        try:
            # Check before changing anything, so a file that is not ours is moved aside untouched.
            check_integrity(connection)
            is_new = check_schema(connection)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            if is_new:
                create_schema(connection)
        except sqlite3.Error as exc:
            connection.close()
            if _is_corruption(exc):
                raise DamagedHistory(str(exc)) from exc
            raise HistoryError(f"Could not open the dictation history {self.path}: {exc}") from exc
        except DamagedHistory:
            connection.close()
            raise
        connection.create_function("saytype_contains", 2, contains, deterministic=True)
        return connection

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        attempt = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{attempt}")
            attempt += 1
        try:
            self.path.replace(target)
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists():
                wal.replace(target.with_name(target.name + "-wal"))
            self.path.with_name(self.path.name + "-shm").unlink(missing_ok=True)
        except OSError as exc:
            raise HistoryError(
                f"The dictation history {self.path} is damaged and could not be moved aside: {exc}"
            ) from exc
        return target

    @contextmanager
    def _writing(self, action: str) -> Iterator[sqlite3.Connection]:
        try:
            with self._lock, self._connection:  # commits on success, rolls back on error
                yield self._connection
        except sqlite3.Error as exc:
            raise HistoryError(
                f"Could not {action} in the dictation history {self.path}: {_describe(exc)}."
            ) from exc

    def _settle(self) -> None:
        """Let the queued writes land first, so a read sees them (not from the lane itself)."""
        if not self.writes.in_lane():
            self.writes.wait_idle()

    def _query(self, sql: str, parameters: tuple[object, ...] = ()) -> list[HistoryEntry]:
        try:
            with self._lock:
                rows = self._connection.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(
                f"Could not read the dictation history {self.path}: {_describe(exc)}."
            ) from exc
        return [HistoryEntry(*row) for row in rows]

    def add(
        self,
        text: str,
        duration_s: float,
        model: str,
        audio_path: str | None = None,
        *,
        profile: str | None = None,
        created_at: float | None = None,
        delivered_to: str | None = None,
    ) -> HistoryEntry:
        """Save a dictation durably and return it; call this before delivering the text.

        ``created_at`` (epoch seconds; now by default) dates a recovered dictation
        when it was said, not when it was recovered; ``delivered_to`` marks a text
        that will not be delivered (:data:`CANCELLED`) in the same write.

        Raises:
            HistoryError: when it could not be saved (for example, the disk is full).
        """
        created_at = time.time() if created_at is None else created_at
        with self._writing("save the dictation") as connection:
            cursor = connection.execute(
                "INSERT INTO dictations"
                " (created_at, text, duration_s, model, audio_path, profile, delivered_to)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created_at, text, float(duration_s), model, audio_path, profile, delivered_to),
            )
        entry_id = cursor.lastrowid
        assert entry_id is not None  # an INSERT always sets it
        return HistoryEntry(
            entry_id, created_at, text, float(duration_s), model, audio_path, delivered_to, profile
        )

    def mark_delivered(self, entry_id: int, delivered_to: str) -> None:
        """Record where a dictation's text went (an application, the clipboard, …)."""
        with self._writing("record where the text went") as connection:
            connection.execute(
                "UPDATE dictations SET delivered_to = ? WHERE id = ?", (delivered_to, entry_id)
            )

    def search(self, query: str = "", limit: int = SHOWN_AT_ONCE) -> list[HistoryEntry]:
        """Entries whose text contains ``query`` (any case), newest first; all when empty."""
        order = " ORDER BY created_at DESC, id DESC LIMIT ?"
        self._settle()
        if not query:
            return self._query(SELECT + order, (limit,))
        return self._query(
            SELECT + " WHERE saytype_contains(text, ?)" + order, (query.casefold(), limit)
        )

    def get(self, entry_id: int) -> HistoryEntry | None:
        """The entry with this id, or None."""
        self._settle()
        found = self._query(SELECT + " WHERE id = ?", (entry_id,))
        return found[0] if found else None

    def latest(self) -> HistoryEntry | None:
        """The newest entry, or None when the history is empty."""
        found = self.search(limit=1)
        return found[0] if found else None

    def delete(self, entry_id: int, *, keep_audio: bool = False) -> HistoryEntry | None:
        """Delete an entry and, unless ``keep_audio``, its kept audio file.

        Returns the deleted entry (None when there was none): with ``keep_audio``,
        :meth:`restore` can put it back whole, and :func:`delete_audio` ends it.
        """
        found = self._query(SELECT + " WHERE id = ?", (entry_id,))  # may run in the lane
        entry = found[0] if found else None
        if entry is None:
            return None
        with self._writing("delete the dictation") as connection:
            connection.execute("DELETE FROM dictations WHERE id = ?", (entry_id,))
        if not keep_audio:
            delete_audio(entry)
        return entry

    def restore(self, entry: HistoryEntry) -> HistoryEntry:
        """Put a deleted entry back as it was (Undo delete): its id, date, text and audio.

        Raises:
            HistoryError: when it could not be saved (a full disk), or the id is taken.
        """
        with self._writing("restore the dictation") as connection:
            connection.execute(RESTORE, astuple(entry))
        return entry

    def count(self, query: str = "") -> int:
        """How many entries the history holds (with ``query``: how many contain it)."""
        self._settle()
        parameters: tuple[str, ...] = (query.casefold(),) if query else ()
        sql = "SELECT COUNT(*) FROM dictations" + (" WHERE saytype_contains(text, ?)" * bool(query))
        try:
            with self._lock:
                (total,) = self._connection.execute(sql, parameters).fetchone()
        except sqlite3.Error as exc:
            raise HistoryError(f"Could not read the dictation history {self.path}: {exc}") from exc
        return int(total)

    def close(self) -> None:
        """Finish the queued writes, then close the database; later calls raise HistoryError.

        Waits at most ``_CLOSE_WAIT_S`` for the writes (a hung disk); the lane is not
        a daemon, so what is left still lands before the process exits.
        """
        if not self.writes.in_lane() and not self.writes.wait_idle(_CLOSE_WAIT_S):
            log.warning("history writes still running after %.0f s at close", _CLOSE_WAIT_S)
            return
        with self._lock:
            self._connection.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _is_corruption(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", None)  # Python 3.11+
    if name is None:
        return type(exc) is sqlite3.DatabaseError
    return str(name).startswith(_CORRUPTION_CODES)


def _describe(exc: sqlite3.Error) -> str:
    if getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL":
        return "the disk is full (no space left)"
    return str(exc)


def delete_audio(entry: HistoryEntry) -> None:
    """Delete an entry's kept audio file, if it has one, and the transcripts a Retry saved
    beside it (a failure is logged, not raised): deleting a dictation leaves none of its words.
    """
    if not entry.audio_path:
        return
    audio = Path(entry.audio_path)
    for path in [audio, *_transcripts_of(audio)]:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not delete %s: %s", path, exc)


def _transcripts_of(audio: Path) -> list[Path]:
    """``stem.txt``, ``stem-2.srt``, ``stem.partial-2.json``…: what the Files tab saves beside
    it (with no transcripts folder set in Settings → Files)."""
    made = re.compile(re.escape(audio.stem) + r"(\.partial)?(-\d+)?\.(txt|srt|vtt|json)")
    try:
        return [path for path in audio.parent.iterdir() if made.fullmatch(path.name)]
    except OSError:  # the folder is gone: nothing beside the audio either
        return []
