"""The start-up offer to recover dictations that a crash left unfinished.

When the last run died mid-dictation, its crash journal is still on disk
(:mod:`app.core.audio.journal_recovery`). A banner in the window offers
"Recover unfinished dictation (N s)". It never blocks: the app works
while the banner waits. Recovering runs the journal through the file queue
(the same model, and live dictation still comes first) and saves the text to
history; nothing is typed or pasted. Throwing it away asks once more, because
the recording is then gone for good; "Not now" keeps it for the next start.
The buttons' Alt+letters (V, W, N; then G, K) are ones the window leaves free.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QPushButton, QWidget

from app.core.audio.journal_recovery import (
    ClaimedJournal,
    JournalError,
    UnfinishedJournal,
    find_unfinished_journals,
    save_recovered,
)
from app.core.engine.transcript import Transcript
from app.core.output.history import HistoryError, HistoryStore
from app.core.settings import Settings
from app.ui.shell.narrow_fit import BannerFit

if TYPE_CHECKING:
    from app.ui.files.file_jobs import FileJobRunner
    from app.ui.shell.desktop_parts import DesktopParts

log = logging.getLogger(__name__)

_TAKEN_ELSEWHERE = (
    "The unfinished dictation was recovered elsewhere meanwhile (saytype recover); "
    "History shows what was recovered."
)


class RecoveryOffer(QFrame):
    """A banner: recover, discard or postpone the unfinished dictations.

    Args:
        journals: what :func:`find_unfinished_journals` found.
        files: the file queue (``add(path) -> job id``, ``finished``/``failed`` signals).
        history: where recovered texts go (None: history could not be opened).
        settings: the current settings (read when a recovery ends: "Keep recordings").
        model_name: recorded with each history entry.

    Signals:
        recovered(HistoryEntry): a text was saved to history.
        message(level, text): something for the window's notice bar.
    """

    recovered = Signal(object)
    message = Signal(str, str)
    taken_elsewhere = Signal()  # recovered by another process: history has new entries

    def __init__(  # noqa: PLR0917 - the parts it works with
        self,
        journals: list[UnfinishedJournal],
        files: FileJobRunner,
        history: HistoryStore | None,
        settings: Callable[[], Settings],
        model_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.journals = journals
        self._files = files
        self._history = history
        self._settings = settings
        self._model_name = model_name
        self._pending: dict[int, ClaimedJournal] = {}
        self._offered: dict[int, UnfinishedJournal] = {}  # each job's journal, to offer again
        self._failure = ""  # why the last recovery failed
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Unfinished dictation")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        seconds = sum(journal.duration_s for journal in journals)
        # The window holds R, D and L (Record, Dictation, Help) and every letter of
        # "Discard" and "Later", hence other words; tests/ui/shell/test_help_menu.py checks.
        self.recover_button = QPushButton(f"Reco&ver unfinished dictation ({seconds:.0f} s)")
        self.discard_button = QPushButton("Thro&w away…")
        self.later_button = QPushButton("&Not now")
        self.delete_button = QPushButton("Delete for &good")  # the confirmation step
        self.keep_button = QPushButton("&Keep it")
        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        for button in (
            self.recover_button,
            self.discard_button,
            self.later_button,
            self.delete_button,
            self.keep_button,
        ):
            layout.addWidget(button)
        self.recover_button.clicked.connect(self.recover)
        self.discard_button.clicked.connect(lambda: self._ask_to_discard(True))
        self.keep_button.clicked.connect(lambda: self._ask_to_discard(False))
        self.delete_button.clicked.connect(self.discard)
        self.later_button.clicked.connect(self.hide)
        self._fit = BannerFit(self, layout)  # in a narrow window the buttons go under the text
        files.finished.connect(self._on_finished)
        files.failed.connect(self._on_failed)
        self._ask_to_discard(False)

    def _ask_to_discard(self, asking: bool) -> None:
        count = len(self.journals)
        what = "a dictation" if count == 1 else f"{count} dictations"
        self.label.setText(
            "Delete the unfinished recording for good?"
            if asking
            else f"Saytype stopped during {what}, or its engine failed; the audio was saved. "
            "Recovering puts the text in your history (nothing is typed)."
        )
        for button in (self.recover_button, self.discard_button, self.later_button):
            button.setVisible(not asking)
        self.delete_button.setVisible(asking)
        self.keep_button.setVisible(asking)

    def recover(self) -> None:
        """Transcribe every unfinished journal into history (through the file queue)."""
        for journal in self.journals:
            claim = self._claim(journal)
            if claim is not None:
                # History only: a copy beside the journals or among the user's
                # transcripts would keep dictated words on disk where no one looks.
                job_id = self._files.add(claim.path, save=False)
                self._pending[job_id], self._offered[job_id] = claim, journal
        taken = [journal for journal in self.journals if not journal.path.exists()]
        self.journals = []
        if taken:  # `saytype recover` (or another window) took them meanwhile
            self.message.emit("info", _TAKEN_ELSEWHERE)
            self.taken_elsewhere.emit()
        if self._pending:
            self.label.setText("Recovering the unfinished dictation…")
            for button in (self.recover_button, self.discard_button, self.later_button):
                button.setEnabled(False)
        else:
            self.hide()

    def _claim(self, journal: UnfinishedJournal) -> ClaimedJournal | None:
        try:
            claim = ClaimedJournal.claim(journal.path)
            if claim is None:
                return None  # another Saytype (`saytype recover`) is on it
            if claim.repair() == 0:
                claim.discard()  # died before any audio arrived
                return None
        except JournalError as exc:
            self.message.emit("error", str(exc))
            return None
        return claim

    def discard(self) -> None:
        """Delete the unfinished journals (the user said so, twice)."""
        for journal in self.journals:
            try:
                claim = ClaimedJournal.claim(journal.path)
            except JournalError as exc:
                self.message.emit("error", str(exc))
                continue
            if claim is not None:
                claim.discard()
        self.journals = []
        self.hide()

    def _on_finished(self, job_id: int, transcript: Transcript | None) -> None:
        claim = self._pending.pop(job_id, None)
        self._offered.pop(job_id, None)
        if claim is None:
            return  # an ordinary file job
        if transcript is None or not transcript.complete:
            claim.release()
            self.message.emit(
                "warning", "The recovery was cancelled; it is offered again at the next start."
            )
        elif self._settings().pause_history:  # the user wants nothing kept: show it only
            claim.discard()
            self.message.emit("info", f"Recovered (history is paused): {transcript.text}")
        elif self._history is None:
            claim.release()
            self.message.emit(
                "warning",
                f"Recovered (history is unavailable, so the recording was kept): {transcript.text}",
            )
        else:
            self._save(claim, transcript.text)
        self._hide_when_done()

    def _save(self, claim: ClaimedJournal, text: str) -> None:
        assert self._history is not None
        try:
            entry = save_recovered(
                claim,
                text,
                self._history,
                model=self._model_name,
                keep_audio=self._settings().keep_audio,
            )
        except HistoryError as exc:
            claim.release()
            self.message.emit("error", f"{exc} The recording was kept for another try.")
            return
        if entry is None:
            self.message.emit("info", "The unfinished dictation held no speech.")
            return
        self.recovered.emit(entry)
        self.message.emit("info", f"Recovered into history: {entry.text}")

    def _on_failed(self, job_id: int, message: str) -> None:
        claim = self._pending.pop(job_id, None)
        if claim is None:
            return
        claim.release()
        # Offered again at once (a server back up, a model mended): the banner had gone,
        # leaving no way to try again before the next start.
        self.journals.append(self._offered.pop(job_id))
        self._failure = f"The unfinished dictation could not be recovered: {message.rstrip('.')}."
        self._hide_when_done()

    def _hide_when_done(self) -> None:
        if self._pending:
            return
        if not self.journals:
            self.hide()
            return
        self._ask_to_discard(False)
        self.label.setText(f"{self._failure} Try again, or later: it is kept until you do.")
        for button in (self.recover_button, self.discard_button, self.later_button):
            button.setEnabled(True)


def offer_recovery(parts: DesktopParts) -> RecoveryOffer | None:
    """Show the banner in the window when unfinished journals exist (start-up)."""
    journals = find_unfinished_journals()
    if not journals:
        return None
    log.info("%d unfinished dictation(s) found", len(journals))
    window = parts.window
    offer = RecoveryOffer(
        journals,
        parts.files,
        parts.history,
        lambda: parts.settings,
        parts.controller.model_name,
    )
    offer.message.connect(window.notice.show_notice)
    if parts.history_panel is not None:
        offer.recovered.connect(parts.history_panel.add_entry)
        offer.taken_elsewhere.connect(parts.history_panel.refresh)
    window.show_banner(offer)
    return offer
