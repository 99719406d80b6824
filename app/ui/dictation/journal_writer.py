"""The GUI's view of the crash journal: its failure report, delivered on the GUI thread.

The journal itself is :class:`app.core.audio.crash_journal.CrashJournal`, the one
writer the command line uses too: it creates, appends, syncs, keeps and deletes
on its own thread, so no disk operation (an fsync on a slow disk can take
seconds) ever runs on the GUI thread. This adapter only turns its failure report,
made on that thread, into a ``failed`` signal on the GUI thread.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.core.atomic_file import describe_os_error
from app.core.audio.crash_journal import CrashJournal
from app.core.audio.recording_journal import DEFAULT_PUMP_INTERVAL_S
from app.core.audio.ring_buffer import RingBuffer

# What a failed dictation's notice ends with: its words are not lost.
KEPT_FOR_RECOVERY = (
    "Its recording is kept: `saytype recover` transcribes it now, and Saytype offers it at "
    "its next start."
)


class DictationJournal(QObject):
    """Journals one dictation at a time, off the GUI thread.

    Signals:
        failed(message): the journal could not be started or written; the
            dictation itself goes on (only crash safety is lost).
    """

    failed = Signal(str)
    _failed_in_lane = Signal(str)  # emitted on the journal's thread, delivered queued

    def __init__(
        self, pump_interval_s: float = DEFAULT_PUMP_INTERVAL_S, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._failed_in_lane.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.writer = CrashJournal(
            source="window", on_error=self._report, pump_interval_s=pump_interval_s
        )

    def begin(self, ring: RingBuffer, start: int, *, model: str, pause_history: bool) -> None:
        """Journal the dictation that starts at ring position ``start`` (nothing when paused)."""
        self.writer.begin(ring, start, model=model, pause_history=pause_history)

    def end_at(self, end: int) -> None:
        """The dictation was released at ``end``: append up to there and stop appending."""
        self.writer.end_at(end)

    def keep_as(self, target: Path) -> Future[Path | None]:
        """Make the journal the kept recording; the future's None: there was none to keep."""
        return self.writer.keep_as(target)

    def discard(self) -> None:
        """The dictation ended normally or was cancelled: delete its journal."""
        self.writer.discard()

    def abandon(self) -> bool:
        """The dictation failed: stop writing but leave the journal, to be recovered later.

        Returns whether there was a journal to leave.
        """
        return self.writer.abandon()

    def _report(self, exc: OSError) -> None:
        # The journal's thread: emitting is all that happens here.
        self._failed_in_lane.emit(
            f"The crash journal could not be written ({describe_os_error(exc)}); "
            "the dictation goes on, but a crash now would lose it."
        )

    @Slot(str)
    def _deliver(self, message: str) -> None:
        self.failed.emit(message)
