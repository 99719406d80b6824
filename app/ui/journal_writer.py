"""The GUI side of the crash journal: the dictation under way, copied to disk on a timer.

The microphone's callback only fills the ring buffer; this timer (GUI thread,
every half second) appends the new samples to the dictation's journal
(:mod:`app.core.audio.recording_journal`), which fsyncs at most once a second.
A second of audio is 32 KB of PCM, so the GUI thread stays light. At a normal
end the journal is deleted, or becomes the kept recording beside the history
entry; after a crash it is what the next start offers to recover.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.atomic_file import describe_os_error
from app.core.audio.recording_journal import RingJournalWriter, start_dictation_journal
from app.core.audio.ring_buffer import RingBuffer

log = logging.getLogger(__name__)

PUMP_INTERVAL_MS = 500


class DictationJournal(QObject):
    """Writes one dictation at a time to its crash journal.

    Signals:
        failed(message): the journal could not be started or written; the
            dictation itself goes on (only crash safety is lost).
    """

    failed = Signal(str)

    def __init__(self, interval_ms: int = PUMP_INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writer: RingJournalWriter | None = None
        self._reported = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._pump)

    @property
    def path(self) -> Path | None:
        """The journal being written, if any."""
        return self._writer.journal.path if self._writer is not None else None

    def begin(self, ring: RingBuffer, start: int, *, model: str, pause_history: bool) -> None:
        """Journal the dictation that starts at ring position ``start`` (nothing when paused)."""
        self.discard()
        self._reported = False
        try:
            self._writer = start_dictation_journal(
                ring, start, pause_history=pause_history, model=model, source="window"
            )
        except OSError as exc:
            self._report(exc)
            return
        if self._writer is not None:
            self._timer.start()

    def end_at(self, end: int) -> None:
        """The dictation was released at ``end``: append up to there and stop appending."""
        self._timer.stop()
        if self._writer is not None:
            self._writer.pump(end)
            self._check()

    def keep_as(self, target: Path) -> Path | None:
        """Make the journal the dictation's kept recording; None when there is none to keep."""
        writer = self._writer
        if writer is None or writer.error is not None:
            return None
        self._timer.stop()
        try:
            kept = writer.journal.keep_as(target)
        except OSError as exc:
            log.warning("could not keep the journal %s as %s: %s", writer.journal.path, target, exc)
            return None
        self._writer = None
        return kept

    def discard(self) -> None:
        """The dictation ended normally or was cancelled: delete its journal."""
        self._timer.stop()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.journal.discard()

    def abandon(self) -> None:
        """The dictation failed: stop writing but leave the journal, to be recovered later."""
        self._timer.stop()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.pump()
            writer.journal.close()

    def _pump(self) -> None:
        if self._writer is not None:
            self._writer.pump()
            self._check()

    def _check(self) -> None:
        if self._writer is not None and self._writer.error is not None:
            self._timer.stop()
            self._report(self._writer.error)

    def _report(self, exc: OSError) -> None:
        if not self._reported:
            self._reported = True
            self.failed.emit(
                f"The crash journal could not be written ({describe_os_error(exc)}); "
                "the dictation goes on, but a crash now would lose it."
            )
