"""The one crash-journal writer: the dictation's audio to disk, always off the caller's thread.

The GUI and ``saytype listen`` journal a dictation the same way. Creating the
journal, appending to it, ``fsync`` (which can take long on a slow or busy
disk), keeping it beside the history and deleting it all run, in the order
asked, on one :class:`TaskLane` thread; the caller (the GUI thread, or the
command's main thread) only hands over requests and never waits on the disk.
While a dictation records, that thread pumps the ring into the journal every
``pump_interval_s``; :meth:`CrashJournal.end_at`, :meth:`~CrashJournal.discard`,
:meth:`~CrashJournal.abandon` and :meth:`~CrashJournal.keep_as` stop the pump
first, so they run right after it.

A journal that cannot be written is reported once per dictation through
``on_error`` (on the lane thread); the dictation itself goes on. Qt-free: the
GUI delivers that report on its own thread in :mod:`app.ui.dictation.journal_writer`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import ParamSpec, TypeVar

from app.core.audio.recording_journal import (
    DEFAULT_PUMP_INTERVAL_S,
    RecordingJournal,
    RingJournalWriter,
)
from app.core.audio.ring_buffer import RingBuffer
from app.core.task_lane import TaskLane

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class _Recording:
    """One dictation's journal, touched only on the lane thread (``stop`` excepted)."""

    def __init__(self, ring: RingBuffer, start: int) -> None:
        self.ring = ring
        self.start = start
        self.stop = threading.Event()  # set by the caller: the pump loop ends
        self.writer: RingJournalWriter | None = None
        self.reported = False


class CrashJournal:
    """Journals one dictation at a time; every file operation runs on its own lane.

    Args:
        source: recorded in the journal's sidecar ("window", "listen").
        on_error: called once per dictation, on the lane thread, with the error that
            stopped its journal (it could not be created, or a write failed).
        pump_interval_s: how often the ring is copied into the journal while recording.
        folder: where journals go (default: ``journals_dir()``).
    """

    def __init__(
        self,
        *,
        source: str,
        on_error: Callable[[OSError], None] | None = None,
        pump_interval_s: float = DEFAULT_PUMP_INTERVAL_S,
        folder: Path | None = None,
    ) -> None:
        self._source = source
        self._on_error = on_error
        self._pump_interval_s = pump_interval_s
        self._folder = folder
        # A daemon lane: a process that ends with a dictation still recording must not
        # hang on its pump loop; what is left behind is recovered at the next start.
        self._lane = TaskLane("crash-journal", max_threads=1)
        self._current: _Recording | None = None  # the caller's thread only

    def begin(self, ring: RingBuffer, start: int, *, model: str, pause_history: bool) -> None:
        """Journal the dictation that starts at ring position ``start`` (nothing when paused).

        "Pause history" promises that nothing of the dictation reaches the disk.
        """
        self.discard()
        if pause_history:
            return
        recording = self._current = _Recording(ring, start)
        self._submit(self._record, recording, model)

    def end_at(self, end: int) -> None:
        """The dictation was released at ``end``: append up to there and stop appending."""
        recording = self._current
        if recording is not None:
            recording.stop.set()
            self._submit(self._append_until, recording, end)

    def keep_as(self, target: Path) -> Future[Path | None]:
        """Make the journal the dictation's kept recording, at ``target``.

        Returns:
            A future of ``target``, or of None when there is no journal to keep (paused,
            failed, or it could not be moved; it is then deleted by :meth:`discard`).
        """
        recording = self._current
        if recording is None:
            done: Future[Path | None] = Future()
            done.set_result(None)
            return done
        recording.stop.set()
        return self._submit(self._keep, recording, target)

    def discard(self) -> None:
        """The dictation ended normally or was cancelled: delete its journal."""
        recording, self._current = self._current, None
        if recording is not None:
            recording.stop.set()
            self._submit(self._discard, recording)

    def abandon(self) -> bool:
        """The dictation failed: append what is left, then leave the journal for recovery.

        Returns whether there was a journal to leave (none while history is paused).
        """
        recording, self._current = self._current, None
        if recording is None:
            return False
        recording.stop.set()
        if recording.ring.position <= recording.start:  # failed before any sound came
            self._submit(self._discard, recording)  # a "0 s" recording offered helps no one
            return False
        self._submit(self._abandon, recording)
        return True

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Wait until every request so far has reached the disk; False after ``timeout_s``."""
        return self._lane.wait_idle(timeout_s)

    def _submit(self, call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        try:
            return self._lane.submit(call, *args, **kwargs)
        except RuntimeError as exc:  # never shut down today; kept honest all the same
            failed: Future[T] = Future()
            failed.set_exception(exc)
            return failed

    # The lane thread ---------------------------------------------------------------------

    def _record(self, recording: _Recording, model: str) -> None:
        try:
            journal = RecordingJournal.create(model=model, source=self._source, folder=self._folder)
        except OSError as exc:
            log.warning("no crash journal: %s", exc)
            self._report(recording, exc)
            return
        recording.writer = RingJournalWriter(recording.ring, recording.start, journal)
        while not recording.stop.wait(self._pump_interval_s):
            if not self._pump(recording):
                return

    def _pump(self, recording: _Recording, end: int | None = None) -> bool:
        """Append to ``end`` (or the newest sample); False once the journal has failed."""
        writer = recording.writer
        if writer is None:
            return False
        writer.pump(end)
        if writer.error is not None:
            self._report(recording, writer.error)
            return False
        return True

    def _append_until(self, recording: _Recording, end: int) -> None:
        self._pump(recording, end)

    def _keep(self, recording: _Recording, target: Path) -> Path | None:
        writer = recording.writer
        if writer is None or writer.error is not None:
            return None
        try:
            kept = writer.journal.keep_as(target)
        except OSError as exc:
            log.warning("could not keep the journal %s as %s: %s", writer.journal.path, target, exc)
            return None
        recording.writer = None  # it is the kept recording now: nothing left to delete
        return kept

    def _discard(self, recording: _Recording) -> None:
        writer, recording.writer = recording.writer, None
        if writer is not None:
            writer.journal.discard()

    def _abandon(self, recording: _Recording) -> None:
        writer, recording.writer = recording.writer, None
        if writer is not None:
            writer.pump()
            writer.journal.close()

    def _report(self, recording: _Recording, exc: OSError) -> None:
        if recording.reported or self._on_error is None:
            return
        recording.reported = True
        try:
            self._on_error(exc)
        except Exception:  # a reporter's bug must not end the lane's other work
            log.exception("reporting a crash-journal failure failed")
