"""History → Retry: a dictation's kept recording heard again, into a new history entry.

Retry went through the Files tab like any dropped file, so its text was saved as
a subtitle file among the user's transcripts and never reached history, where the
user asked for it. The recording is now transcribed through the same queue
(progress and Cancel stay in the Files tab) with nothing written to a file, and
the new text becomes a history entry of its own; the old one stays, to compare.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core.engine.transcript import Transcript
from app.core.output.history import HistoryEntry, HistoryStore
from app.ui.files.file_jobs import FileJobRunner
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)


class HistoryRetry(QObject):
    """Transcribes kept recordings again and adds what was heard to history."""

    added = Signal(object)  # the new HistoryEntry
    message = Signal(str, str)  # severity ("info", "warning", "error"), the sentence

    def __init__(
        self,
        files: FileJobRunner,
        history: HistoryStore,
        model_name: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._files = files
        self._history = history
        self._model_name = model_name
        self._pending: dict[int, HistoryEntry] = {}
        files.finished.connect(self._on_finished)
        files.failed.connect(self._on_failed)

    def retry(self, entry: HistoryEntry) -> None:
        """Queue ``entry``'s kept recording; its new text comes back as a new entry."""
        if entry.audio_path is None:
            return
        job_id = self._files.add(Path(entry.audio_path), save=False)
        self._pending[job_id] = entry
        self.message.emit("info", "Transcribing the recording again (its progress is in Files).")

    def _on_failed(self, job_id: int, message: str) -> None:
        if self._pending.pop(job_id, None) is not None:
            self.message.emit("error", f"The recording could not be transcribed again: {message}")

    def _on_finished(self, job_id: int, transcript: Transcript | None) -> None:
        entry = self._pending.pop(job_id, None)
        if entry is None:
            return  # an ordinary file job
        if transcript is None or not transcript.complete:
            self.message.emit("info", "Retry cancelled: history is as it was.")
            return
        text = transcript.text.strip()
        if not text:
            self.message.emit("info", "No speech was heard in the recording; history is as it was.")
            return
        history = self._history

        def save() -> HistoryEntry:
            return history.add(
                text,
                entry.duration_s,
                self._model_name(),
                profile=entry.profile,
                created_at=time.time(),
            )

        def failed(exc: BaseException) -> None:
            log.warning("the retried text could not be saved: %s", exc)
            self.message.emit("error", f"{exc} The new text: {text}")

        def saved(new: HistoryEntry) -> None:
            self.added.emit(new)
            self.message.emit("info", f"Heard again, now in history: {text}")

        run_in_background(save, saved, failed, lane=history.writes, receiver=self)
