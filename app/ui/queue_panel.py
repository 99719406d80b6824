"""The file queue panel: each job's name, duration, progress, ETA, status and cancel.

It only shows and forwards; the FileJobRunner does the work. A finished job
(complete, or cancelled with its partial text) opens its results on Enter or a
double click, where it can be exported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.engine.transcript import Transcript
from app.core.output.exporters import format_timestamp
from app.ui.file_jobs import FileJobRunner

COLUMNS = ("File", "Duration", "Progress", "ETA", "Status", "")
_NAME, _DURATION, _PROGRESS, _ETA, _STATUS, _CANCEL = range(len(COLUMNS))


@dataclass
class QueueRow:
    """One job's row and what is known about it."""

    job_id: int
    path: Path
    item: QTreeWidgetItem
    bar: QProgressBar
    cancel: QPushButton
    status: str = "Queued"
    started_at: float | None = None
    fraction: float = 0.0
    transcript: Transcript | None = None
    error: str | None = None


class QueuePanel(QWidget):
    """Lists the queue; emits ``results_requested(job_id)`` and ``open_files_requested``."""

    results_requested = Signal(int)
    open_files_requested = Signal()

    def __init__(self, runner: FileJobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.rows: dict[int, QueueRow] = {}
        self.setAccessibleName("File queue")
        self.tree = _job_list()
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show_detail(item))
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Selected job")
        self.empty = QLabel("Drop audio or video files here, or press Ctrl+O.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Queue is empty")
        open_files = QPushButton("&Open files…")
        open_files.setAccessibleName("Open files")
        open_files.clicked.connect(self.open_files_requested)
        self.show_results = QPushButton("Show res&ults")
        self.show_results.setAccessibleName("Show results")
        self.show_results.clicked.connect(self._show_selected)
        self.cancel_all = QPushButton("Cancel &all")
        self.cancel_all.setAccessibleName("Cancel all file jobs")
        self.cancel_all.clicked.connect(runner.cancel_all)
        buttons = QHBoxLayout()
        buttons.addWidget(open_files)
        buttons.addWidget(self.show_results)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        runner.added.connect(self._on_added)
        runner.duration_known.connect(self._on_duration)
        runner.started.connect(self._on_started)
        runner.progress.connect(self._on_progress)
        runner.finished.connect(self._on_finished)
        runner.failed.connect(self._on_failed)
        self._refresh_empty()

    def row(self, job_id: int) -> QueueRow:
        """The row of ``job_id`` (KeyError when unknown)."""
        return self.rows[job_id]

    def set_paused(self, paused: bool) -> None:
        """Show that running jobs wait for a dictation to end."""
        for row in self.rows.values():
            if row.status in {"Transcribing", "Paused for dictation"}:
                self._set_status(row, "Paused for dictation" if paused else "Transcribing")

    def _on_added(self, job_id: int, path: str) -> None:
        item = QTreeWidgetItem([Path(path).name, "…", "", "", "Queued", ""])
        item.setToolTip(_NAME, path)
        self.tree.addTopLevelItem(item)
        bar = QProgressBar()
        bar.setRange(0, 1000)
        bar.setValue(0)
        bar.setAccessibleName(f"Progress of {Path(path).name}")
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName(f"Cancel {Path(path).name}")
        cancel.clicked.connect(lambda: self.runner.cancel(job_id))
        self.tree.setItemWidget(item, _PROGRESS, bar)
        self.tree.setItemWidget(item, _CANCEL, cancel)
        self.rows[job_id] = QueueRow(job_id, Path(path), item, bar, cancel)
        self._refresh_empty()

    def _on_duration(self, job_id: int, seconds: float) -> None:
        if job_id in self.rows:
            self.rows[job_id].item.setText(_DURATION, format_timestamp(seconds, ".")[:-4])

    def _on_started(self, job_id: int) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.started_at = time.monotonic()
            paused = not self.runner.gate.is_open
            self._set_status(row, "Paused for dictation" if paused else "Transcribing")

    def _on_progress(self, job_id: int, fraction: float) -> None:
        row = self.rows.get(job_id)
        if row is None:
            return
        row.fraction = max(row.fraction, fraction)  # a bar never moves backwards
        row.bar.setValue(round(row.fraction * 1000))
        if row.started_at is not None and 0 < row.fraction < 1:
            elapsed = time.monotonic() - row.started_at
            remaining = elapsed * (1 - row.fraction) / row.fraction
            row.item.setText(_ETA, format_timestamp(remaining, ".")[:-4])

    def _on_finished(self, job_id: int, transcript: Transcript | None) -> None:
        row = self.rows.get(job_id)
        if row is None:
            return
        row.transcript = transcript
        row.item.setText(_ETA, "")
        row.cancel.setEnabled(False)
        if transcript is None:
            self._set_status(row, "Cancelled")
        elif transcript.complete:
            row.bar.setValue(1000)
            self._set_status(row, "Done")
        else:
            self._set_status(row, "Cancelled (partial)")

    def _on_failed(self, job_id: int, message: str) -> None:
        row = self.rows.get(job_id)
        if row is None:
            return
        row.error = message
        row.cancel.setEnabled(False)
        if row.item.text(_DURATION) == "…":
            row.item.setText(_DURATION, "—")
        row.item.setText(_ETA, "")
        row.item.setToolTip(_STATUS, message)
        self._set_status(row, f"Failed: {_reason(message, row.path)}")
        self.tree.setCurrentItem(row.item)  # shows the reason in full below the list

    def _set_status(self, row: QueueRow, status: str) -> None:
        row.status = status
        row.item.setText(_STATUS, status)
        if self.tree.currentItem() is row.item:
            self._show_detail(row.item)

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        row = next((r for r in self.rows.values() if r.item is item), None)
        if row is None:
            self.detail.clear()
        else:
            reason = _reason(row.error, row.path) if row.error else row.status
            self.detail.setText(f"{row.path.name}: {reason}")

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        for row in self.rows.values():
            if row.item is item and row.transcript is not None:
                self.results_requested.emit(row.job_id)

    def _show_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._activated(item, 0)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Delete cancels the selected job."""
        item = self.tree.currentItem()
        if event.key() == Qt.Key.Key_Delete and item is not None:
            for row in self.rows.values():
                if row.item is item:
                    self.runner.cancel(row.job_id)
            return
        super().keyPressEvent(event)

    def _refresh_empty(self) -> None:
        self.empty.setVisible(not self.rows)
        self.tree.setVisible(bool(self.rows))


def _job_list() -> QTreeWidget:
    """The list of jobs, one row each, with the columns sized for reading."""
    tree = QTreeWidget()
    tree.setAccessibleName("Queued files")
    tree.setColumnCount(len(COLUMNS))
    tree.setHeaderLabels(list(COLUMNS))
    tree.setRootIsDecorated(False)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(_NAME, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(_NAME, 150)
    for column in (_DURATION, _ETA, _CANCEL):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.resizeSection(_PROGRESS, 90)
    header.setSectionResizeMode(_STATUS, QHeaderView.ResizeMode.Stretch)
    return tree


def _reason(message: str, path: Path) -> str:
    """The message without the path in front (the row already names the file)."""
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
