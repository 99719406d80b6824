"""A finished file's transcript: timestamped segments, copy on click, and export.

Export writes next to the source file or into a chosen folder, and then offers
to open the containing folder, so the output is never hard to find (Buzz #334).
It never replaces a file it did not write itself: an earlier transcript there
may have been edited, so a taken name gets ``-2``, ``-3``…
The rows show the segments as the exports join them (a segment that continues a
sentence loses Whisper's capital), and "Copy all" copies the txt export's text.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QProcess, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.engine.transcript import Transcript
from app.core.output.exporters import (
    FORMATS,
    ExportError,
    format_timestamp,
    render,
    transcript_name,
    unused_path,
    write_text_atomically,
)
from app.core.text.paragraphs import with_paragraphs

log = logging.getLogger(__name__)


def export_path(
    source: Path, fmt: str, folder: Path | None = None, *, partial: bool = False
) -> Path:
    """Where ``source``'s transcript in ``fmt`` goes: beside it, or in ``folder``.

    The part of a cancelled job is ``NAME.partial.FMT``: its text ends where the job
    stopped, and only the name can say so in every format.
    """
    suffix = f"{'.partial' if partial else ''}.{fmt}"
    return (folder or source.parent) / transcript_name(source.stem, suffix)


class ResultsView(QDialog):
    """Shows one transcript; exports it.

    Args:
        source: the transcribed file.
        transcript: what came out (``complete=False`` for a cancelled job's part).
        export_folder: default folder for exports (None: next to the source).
    """

    exported = Signal(str)  # the written file

    def __init__(
        self,
        source: Path,
        transcript: Transcript,
        export_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.transcript = with_paragraphs(transcript)  # what every export will say
        self.export_folder = export_folder
        self.last_export: Path | None = None
        partial = "" if transcript.complete else " (partial: cancelled)"
        self.setWindowTitle(f"{source.name}{partial} — Saytype")
        self.setAccessibleName("Transcript")
        self.resize(760, 520)

        length = format_timestamp(transcript.duration, ".")
        if not transcript.complete:  # how far the job got, not only the file's length
            heard_to = transcript.segments[-1].end if transcript.segments else 0.0
            length = f"{format_timestamp(heard_to, '.')} of {length}"
        self.summary = QLabel(
            f"{source.name}: {len(transcript.segments)} "
            f"segment{'s' * (len(transcript.segments) != 1)}, "
            f"{length}{partial}. "
            "Click a segment, or press Enter on it, to copy it."
        )
        self.summary.setWordWrap(True)
        self._build_table()
        self._build_buttons()

    def _build_table(self) -> None:
        transcript = self.transcript
        self.table = QTableWidget(len(transcript.segments), 2)
        self.table.setAccessibleName("Segments")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setHorizontalHeaderLabels(["Time", "Text"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, segment in enumerate(transcript.segments):
            start = format_timestamp(segment.start, ".")
            end = format_timestamp(segment.end, ".")
            self.table.setItem(row, 0, QTableWidgetItem(f"{start} to {end}"))
            self.table.setItem(row, 1, QTableWidgetItem(segment.text))
        self.table.cellClicked.connect(self.copy_segment)
        self.table.activated.connect(lambda index: self.copy_segment(index.row()))  # Enter
        self.table.resizeRowsToContents()

    def _build_buttons(self) -> None:
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.format.setAccessibleName("Export format")
        format_label = QLabel("&Format:")
        format_label.setBuddy(self.format)
        self.export_here = QPushButton("&Export")
        self.export_here.setAccessibleName("Export")
        self.export_here.setToolTip("Write the transcript next to the source (or the set folder)")
        self.export_here.clicked.connect(lambda: self.export_to(self.export_folder))
        self.export_as = QPushButton("Export &to…")
        self.export_as.setAccessibleName("Export to folder")
        self.export_as.clicked.connect(self._choose_folder)
        self.open_folder = QPushButton("&Open containing folder")
        self.open_folder.setAccessibleName("Open containing folder")
        self.open_folder.setEnabled(False)
        self.open_folder.clicked.connect(self._open_folder)
        self.status = QLabel()
        self.status.setAccessibleName("Export status")
        self.copy_all = QPushButton("Copy &all")
        self.copy_all.setAccessibleName("Copy all")
        self.copy_all.setToolTip("Copy the whole transcript as sentences and paragraphs")
        self.copy_all.clicked.connect(self.copy_text)
        close = QPushButton("Close")
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.clicked.connect(self.accept)

        for button in (self.export_here, self.export_as, self.open_folder, self.copy_all, close):
            button.setAutoDefault(False)  # Enter on a segment copies it; it never writes a file
        buttons = QHBoxLayout()
        for widget in (format_label, self.format, self.export_here, self.export_as):
            buttons.addWidget(widget)
        buttons.addWidget(self.open_folder)
        buttons.addWidget(self.copy_all)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def copy_segment(self, row: int, _column: int = 1) -> None:
        """Put segment ``row``'s text on the clipboard."""
        item = self.table.item(row, 1)
        if item is None:
            return
        QGuiApplication.clipboard().setText(item.text())
        self.status.setText(f"Copied segment {row + 1}.")

    def copy_text(self) -> None:
        """Put the whole transcript, in paragraphs, on the clipboard."""
        QGuiApplication.clipboard().setText(self.transcript.text)
        self.status.setText("Copied the transcript.")

    def export_to(self, folder: Path | None) -> Path | None:
        """Write the transcript in the chosen format; returns the file, or None on failure."""
        fmt = self.format.currentText()
        text = render(self.transcript, fmt)
        partial = not self.transcript.complete
        target = unused_path(export_path(self.source, fmt, folder, partial=partial), holding=text)
        try:
            write_text_atomically(target, text)
        except ExportError as exc:
            self.status.setText(str(exc))
            return None
        self.last_export = target
        self.open_folder.setEnabled(True)
        self.status.setText(f"Saved {target}")
        self.exported.emit(str(target))
        return target

    def _choose_folder(self) -> None:
        start = str(self.export_folder or self.source.parent)
        chosen = QFileDialog.getExistingDirectory(self, "Export to folder", start)
        if chosen:
            self.export_to(Path(chosen))

    def _open_folder(self) -> None:
        if self.last_export is None:
            return
        folder = self.last_export.parent
        unopened = f"No file manager was found to open it: the file is in {folder}"
        opener = shutil.which("xdg-open")
        if opener is None:
            if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
                self.status.setText(unopened)
            return
        # Run here, not through Qt, which only knows xdg-open started: when it then found
        # no file manager, the button did nothing and said nothing.
        process = QProcess(self)

        def ended(code: int) -> None:
            if code:
                self.status.setText(unopened)
            process.deleteLater()

        process.finished.connect(ended)
        process.errorOccurred.connect(lambda _error: self.status.setText(unopened))
        process.start(opener, [str(folder)])

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Ctrl+C copies the selected segment."""
        if event.matches(QKeySequence.StandardKey.Copy) and self.table.currentRow() >= 0:
            self.copy_segment(self.table.currentRow())
            return
        super().keyPressEvent(event)
