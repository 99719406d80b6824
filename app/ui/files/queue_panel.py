"""The file queue panel: each job's name, length, progress, ETA, status and cancel.

It only shows and forwards; the FileJobRunner does the work. A finished job
(complete, or cancelled with its partial text) opens its results on Enter, a double
click or Show results, to be exported. The columns fit the Files tab at the window's
default size (860x520, beside the live pane): the name and the status share the room
and elide, the rest is compact, so each row's Cancel is in sight without scrolling. A
job that failed, or a WAV that was cut short, gets a note line under its row across
every column, so the reason reads without selecting anything; the status's tooltip and
the line below the list hold it in full. While a server is active (Settings → Engine),
a line above the list says where files go, each row's status names the server, and a
file the local model took over after the server failed gets a note saying why.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.audio.file_decoder import DAMAGED
from app.core.audio.wav_header import TruncatedWav
from app.core.engine.transcript import Transcript
from app.core.text.clock import clock
from app.ui.files.cancel_all import ask_to_cancel_all
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_rows import (
    DONE_NOT_SAVED,
    DURATION,
    ETA,
    NAME,
    NOT_SAVED,
    STATUS,
    QueueRow,
    add_row,
    as_sentence,
    explanation,
    job_list,
    note_of,
    reason_of,
)


class QueuePanel(QWidget):
    """Lists the queue; emits ``results_requested(job_id)`` and ``open_files_requested``."""

    results_requested = Signal(int)
    open_files_requested = Signal()

    def __init__(self, runner: FileJobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.rows: dict[int, QueueRow] = {}
        self.setAccessibleName("File queue")
        self.tree = job_list()
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show_detail(item))
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Selected job")
        self.empty = QLabel("Drop audio or video files here, or press Ctrl+O.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Queue is empty")
        self.route_label = QLabel()
        self.route_label.setWordWrap(True)
        self.route_label.setAccessibleName("Where files go")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.route_label)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        self.focus_home = self.tree  # where a chosen Files tab puts the keyboard
        layout.addWidget(self.detail)
        layout.addLayout(self._build_buttons())
        runner.added.connect(self._on_added)
        runner.already_queued.connect(self._on_added_again)
        runner.duration_known.connect(self._on_duration)
        runner.started.connect(self._on_started)
        runner.progress.connect(self._on_progress)
        runner.truncated.connect(self._on_truncated)
        runner.finished.connect(self._on_finished)
        runner.failed.connect(self._on_failed)
        runner.fell_back.connect(self._on_fell_back)
        runner.saved.connect(self._on_saved)
        runner.save_failed.connect(self._on_save_failed)
        runner.route_changed.connect(self._show_route)
        self._show_route(runner.where)
        self._refresh_state()

    def _build_buttons(self) -> QHBoxLayout:
        open_files = QPushButton("&Open files…")
        open_files.setAccessibleName("Open files")
        open_files.clicked.connect(self.open_files_requested)
        self.show_results = QPushButton("Show res&ults")
        self.show_results.setAccessibleName("Show results")
        self.show_results.clicked.connect(self._show_selected)
        self.cancel_all = QPushButton("Cancel &all")
        self.cancel_all.setAccessibleName("Cancel all file jobs")
        self.cancel_all.clicked.connect(self.ask_to_cancel_all)
        self.clear_ended = QPushButton("Re&move finished")
        self.clear_ended.setAccessibleName("Remove finished jobs")
        self.clear_ended.setToolTip(
            "Take finished jobs off the list; one whose text is saved nowhere stays"
        )
        self.clear_ended.clicked.connect(self.clear_finished)
        buttons = QHBoxLayout()
        buttons.addWidget(open_files)
        buttons.addWidget(self.show_results)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_ended)
        buttons.addWidget(self.cancel_all)
        return buttons

    def unsaved_transcripts(self) -> int:
        """Transcripts whose words are only here: not in a file (the save failed, or it
        was cancelled part way) and not in history. A quit would lose them."""
        return sum(1 for row in self.rows.values() if self._only_here(row))

    def clear_finished(self) -> None:
        """Take the ended jobs off the list, except those whose text is only here."""
        self._remove_ended([row for row in self.rows.values() if row.ended])

    def _remove_ended(self, ended: list[QueueRow]) -> None:
        kept = [row for row in ended if self._only_here(row)]
        for row in ended:
            if row not in kept:
                self._take_off(row)
        if kept:
            files = "1 file stays" if len(kept) == 1 else f"{len(kept)} files stay"
            self.detail.setText(f"{files}: its text is saved nowhere yet (Enter to export it).")
        self._refresh_state()

    def _end(self, row: QueueRow) -> None:
        """Nothing more will happen to ``row``'s job: its ✕ goes (it cancelled nothing)."""
        row.ended = True
        row.cancel.setEnabled(False)
        row.cancel.setText("")  # the view shows its cell widgets again, so it is emptied
        row.cancel.setToolTip("")
        self._refresh_state()

    def _only_here(self, row: QueueRow) -> bool:
        text = row.transcript is not None and bool(row.transcript.text)
        return text and row.saved_to is None and row.job_id not in self.runner.history_only

    def mark_exported(self, job_id: int, path: str) -> None:
        """The results view wrote the transcript to ``path``: it is saved now."""
        row = self.rows.get(job_id)
        self.runner.saved_after_all(job_id)
        if row is not None:
            row.saved_to = Path(path)
            line = f"Exported to {path}"
            children = [row.item.child(index) for index in range(row.item.childCount())]
            for child in children:  # saved now: "Not saved" would say otherwise
                if child is not None and child.text(NAME).startswith(NOT_SAVED):
                    row.item.removeChild(child)
            if row.status == DONE_NOT_SAVED:
                self._set_status(row, "Done")
            listed = {child.text(NAME) for child in children if child is not None}
            if line not in listed:  # the same file exported again is listed once
                self._add_line(row, line)

    def row(self, job_id: int) -> QueueRow:
        """The row of ``job_id`` (KeyError when unknown)."""
        return self.rows[job_id]

    def ask_to_cancel_all(self) -> QMessageBox | None:
        """Cancel every job; with more than one left, ask first (one click stopped 16 files)."""
        return ask_to_cancel_all(self, self.runner)

    def _on_added_again(self, job_id: int) -> None:
        row = self.rows[job_id]
        self.tree.setCurrentItem(row.item)  # its detail line shows under the list
        self.detail.setText(f"{row.path.name} is already in the queue: {row.status.lower()}.")

    def set_paused(self, paused: bool) -> None:
        """Show that running jobs wait for a dictation to end."""
        now = time.monotonic()
        for row in self.rows.values():
            if row.status in {"Transcribing", "Paused for dictation"}:
                row.pause(now) if paused else row.resume(now)
                self._set_status(row, "Paused for dictation" if paused else "Transcribing")

    def _show_route(self, where: str) -> None:
        self.route_label.setText(
            f"Files are sent to {where} to be transcribed (Settings → Engine)." if where else ""
        )
        self.route_label.setVisible(bool(where))

    def _on_added(self, job_id: int, path: str) -> None:
        route = self.runner.route_of(job_id)
        status = f"Queued for {route.endpoint.name}" if route else "Queued"
        row = add_row(self.tree, job_id, Path(path), status, route, self._cancel)
        self.rows[job_id] = row
        item = row.item
        item.setToolTip(STATUS, explanation(self.rows[job_id]))
        self.tree.scrollToItem(item)  # a file added below the fold is seen to arrive
        if self.tree.currentItem() is None:  # Tab into the list lands on a row, its detail shown
            self.tree.setCurrentItem(item)
        self._refresh_state()

    def _on_duration(self, job_id: int, seconds: float) -> None:
        if job_id in self.rows:
            self.rows[job_id].item.setText(DURATION, clock(seconds))

    def _on_started(self, job_id: int) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.started_at = time.monotonic()
            if row.route is not None:  # a server needs neither the model nor the gate
                self._set_status(row, f"Sending to {row.route.endpoint.name}")
                return
            paused = not self.runner.gate.is_open
            if paused:
                row.pause(row.started_at)
            self._set_status(row, "Paused for dictation" if paused else "Transcribing")

    def _on_fell_back(self, job_id: int, notice: str) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.fallback = notice
            paused = not self.runner.gate.is_open
            self._set_status(row, "Paused for dictation" if paused else "Transcribing")

    def _on_progress(self, job_id: int, fraction: float) -> None:
        row = self.rows.get(job_id)
        if row is None:
            return
        row.fraction = max(row.fraction, fraction)  # a bar never moves backwards
        row.bar.setValue(round(row.fraction * 1000))
        if row.started_at is not None and 0 < row.fraction < 1 and row.cancel.isEnabled():
            elapsed = row.working_s(time.monotonic())
            remaining = elapsed * (1 - row.fraction) / row.fraction
            row.item.setText(ETA, clock(remaining))

    def _on_truncated(self, job_id: int, truncation: TruncatedWav) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.truncation = truncation

    def _on_finished(self, job_id: int, transcript: Transcript | None) -> None:
        row = self.rows.get(job_id)
        if row is None:
            return
        if transcript is not None and not (transcript.complete or transcript.segments):
            transcript = None  # cancelled before any text: nothing to show, Enter retries
        row.transcript = transcript
        row.item.setText(ETA, "")
        self._end(row)
        cut = row.truncation
        if transcript is None:
            self._set_status(row, "Cancelled")
        elif transcript.complete and not transcript.text.strip():
            row.bar.setValue(1000)
            self._set_status(row, "No speech heard")
            self._add_line(row, "No speech was heard in this file, so there is no transcript.")
        elif transcript.complete and cut is not None:
            row.bar.setValue(1000)
            seconds = f"{cut.present_seconds:.1f} of {cut.declared_seconds:.1f} s"
            self._set_status(row, f"Done (truncated: {seconds})")
        elif transcript.complete and transcript.cut_short:
            row.bar.setValue(1000)
            # The length its header declared is not there: say how much was.
            row.item.setText(DURATION, clock(transcript.duration))
            damaged = transcript.cut_short.startswith(DAMAGED)
            self._set_status(row, "Done (damaged)" if damaged else "Done (truncated)")
            self._add_line(row, f"The file {transcript.cut_short}; what is there is transcribed.")
        elif transcript.complete:
            row.bar.setValue(1000)
            remote = row.route.endpoint.name if row.route and not row.fallback else ""
            self._set_status(row, f"Done on {remote}" if remote else "Done")
        else:
            self._set_status(row, "Cancelled (partial)")
            done = clock(transcript.segments[-1].end)
            self._add_line(row, f"Cancelled: the first {done} is transcribed; Enter shows it.")

    def _on_saved(self, job_id: int, path: str) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.saved_to = Path(path)
            self._add_line(row, f"Saved as {path}")

    def _on_save_failed(self, job_id: int, message: str) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            self._set_status(row, DONE_NOT_SAVED)
            self._add_line(row, f"{NOT_SAVED}{message} Press Enter to export it elsewhere.")

    def _add_line(self, row: QueueRow, text: str, tip: str = "") -> QTreeWidgetItem:
        """A line under the row, the whole width (the status column is narrow)."""
        line = QTreeWidgetItem(row.item, [text])
        line.setFlags(Qt.ItemFlag.ItemIsEnabled)  # read, never selected
        line.setFirstColumnSpanned(True)
        line.setToolTip(NAME, tip or text)
        row.item.setExpanded(True)
        return line

    def _on_failed(self, job_id: int, message: str) -> None:
        row = self.rows.get(job_id)
        if row is None:
            return
        row.error = message
        self._end(row)
        if row.item.text(DURATION) == "…":
            row.item.setText(DURATION, "—")
        row.item.setText(ETA, "")
        row.bar.setFormat("—")  # not "0%", which reads as a file still waiting
        row.bar.setEnabled(False)
        self._set_status(row, f"Failed: {reason_of(message, row.path)}")

    def _set_status(self, row: QueueRow, status: str) -> None:
        row.status = status
        row.item.setText(STATUS, status)
        row.item.setToolTip(STATUS, explanation(row))  # whole, where the column elides it
        note = note_of(row)
        if note is not None and row.note is None:
            row.note = self._add_line(row, note, explanation(row))
        if self.tree.currentItem() is row.item:
            self._show_detail(row.item)

    def _row_of(self, item: QTreeWidgetItem | None) -> QueueRow | None:
        """The job whose row (or note line under it) ``item`` is."""
        if item is not None and item.parent() is not None:
            item = item.parent()
        return next((r for r in self.rows.values() if r.item is item), None)

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        self._refresh_state()  # Show results: for this row?
        row = self._row_of(item)
        if row is None:
            self.detail.clear()
        elif row.error is None and row.truncation is not None and row.transcript is not None:
            self.detail.setText(explanation(row))  # the message names the file itself
        else:
            again = " Press Enter to try again." if self._retryable(row) else ""
            reason = as_sentence(reason_of(explanation(row), row.path))
            self.detail.setText(f"{row.path.name}: {reason}{again}")

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        row = self._row_of(item)
        if row is not None and row.transcript is not None:
            self.results_requested.emit(row.job_id)
        elif row is not None and self._retryable(row):  # taken off, queued again as a new job
            self._take_off(row)
            self.runner.add(row.path)

    def _retryable(self, row: QueueRow) -> bool:
        """Failed, or cancelled before any text: the file may be whole by now (a copy
        that was still being written, a server that was down)."""
        recovered = row.job_id in self.runner.history_only  # its recovery offer follows it
        return row.ended and row.transcript is None and not recovered

    def _take_off(self, row: QueueRow) -> None:
        self.runner.saved_after_all(row.job_id)
        del self.rows[row.job_id]
        self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(row.item))

    def _show_selected(self) -> None:
        row = self._row_of(self.tree.currentItem())
        if row is not None and row.transcript is not None:
            self.results_requested.emit(row.job_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Delete cancels the selected job, or takes it off the list once it has ended."""
        row = self._row_of(self.tree.currentItem())
        if event.key() != Qt.Key.Key_Delete or row is None:
            super().keyPressEvent(event)
        elif row.ended:
            self._remove_ended([row])
        else:
            self._cancel(row.job_id)

    def _cancel(self, job_id: int) -> None:
        """Cancel a file; a running one says so at once (it stops after its model call)."""
        self.runner.cancel(job_id)
        row = self.rows.get(job_id)
        if row is not None and not row.ended and row.started_at is not None:
            row.item.setText(ETA, "")
            self._set_status(row, "Cancelling…")
            row.cancel.setEnabled(False)

    def _refresh_state(self) -> None:
        self.empty.setVisible(not self.rows)
        self.tree.setVisible(bool(self.rows))
        self.cancel_all.setEnabled(any(not row.ended for row in self.rows.values()))
        self.clear_ended.setEnabled(any(row.ended for row in self.rows.values()))
        current = self._row_of(self.tree.currentItem())  # a file still running has none
        self.show_results.setEnabled(current is not None and current.transcript is not None)
