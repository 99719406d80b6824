"""The rows of the file queue: what is known about each job, and how its row reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QProgressBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
)

from app.core.audio.wav_header import TruncatedWav
from app.core.engine.remote.file_route import FileRoute
from app.core.engine.transcript import Transcript
from app.ui.files.note_lines import JobList, NoteLineDelegate
from app.ui.shell.focus_marks import mark_focus

COLUMNS = ("File", "Length", "Progress", "ETA", "Status", "")
NAME, DURATION, PROGRESS, ETA, STATUS, CANCEL = range(len(COLUMNS))
PROGRESS_WIDTH = 56  # "100%" and a bar; the tab is about 360 px wide at the default size
DONE_NOT_SAVED = "Done (not saved)"
NOT_SAVED = "Not saved: "  # the line under such a row, until it is exported


@dataclass
class QueueRow:
    """One job's row and what is known about it."""

    job_id: int
    path: Path
    item: QTreeWidgetItem
    bar: QProgressBar
    cancel: QToolButton
    status: str = "Queued"
    started_at: float | None = None
    fraction: float = 0.0
    transcript: Transcript | None = None
    error: str | None = None
    truncation: TruncatedWav | None = None
    route: FileRoute | None = None  # the server it goes to (None: this computer)
    fallback: str | None = None  # why the local model took over from the server
    note: QTreeWidgetItem | None = None  # the reason or warning, under the row
    saved_to: Path | None = None  # where the transcript was saved on its own
    ended: bool = False  # done, failed or cancelled: nothing more will happen to it
    paused_at: float | None = None  # waiting for a dictation since then
    paused_s: float = 0.0  # time spent waiting for dictations, done

    def pause(self, now: float) -> None:
        """A dictation holds the job from ``now`` (monotonic seconds)."""
        if self.paused_at is None:
            self.paused_at = now

    def resume(self, now: float) -> None:
        """The dictation is over: the wait counts no more toward the job's speed."""
        if self.paused_at is not None:
            self.paused_s += now - self.paused_at
            self.paused_at = None

    def working_s(self, now: float) -> float:
        """Seconds spent transcribing since the start, waits for dictations left out.

        The ETA is this time scaled by what is left: counting a 4-minute dictation in
        made it about five times too long once the job went on.
        """
        if self.started_at is None:
            return 0.0
        waiting = self.paused_s + (now - self.paused_at if self.paused_at is not None else 0.0)
        return max(0.0, now - self.started_at - waiting)


def job_list() -> QTreeWidget:
    """The list of jobs, one row each, with the columns sized to fit the Files tab."""
    tree = JobList()
    tree.setAccessibleName("Queued files")
    mark_focus(tree)
    tree.setColumnCount(len(COLUMNS))
    tree.setHeaderLabels(list(COLUMNS))
    tree.setRootIsDecorated(False)
    tree.setItemsExpandable(False)  # a job's note line stays in sight
    tree.setExpandsOnDoubleClick(False)  # a double click opens the results
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    tree.setItemDelegate(NoteLineDelegate(tree))  # the lines under rows wrap
    header = tree.header()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(24)
    for column in (NAME, STATUS):  # the two that say the most share what is left
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    for column in (DURATION, ETA, CANCEL):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(PROGRESS, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(PROGRESS, PROGRESS_WIDTH)
    return tree


def explanation(row: QueueRow) -> str:
    """The whole story of a row's status: the full failure or truncation message."""
    if row.error:
        return row.error
    if row.truncation is not None and row.transcript is not None:
        return f"{row.truncation.message}; transcribed what is there."
    if row.fallback:
        return row.fallback
    if row.route is not None:
        return f"{row.status}: this file's audio is sent to {row.route.where}."
    return row.status


def note_of(row: QueueRow) -> str | None:
    """The line under a job's row: why it failed, or that its WAV was cut short."""
    if row.error:
        reason = reason_of(row.error, row.path)
        return reason[:1].upper() + reason[1:]  # a sentence of its own, under the row
    if row.truncation is not None and row.transcript is not None:
        cut = row.truncation.message.removeprefix(f"{row.path} ")
        return f"The file {cut}; transcribed what is there."
    return row.fallback


def as_sentence(text: str) -> str:
    """``text`` ending as a sentence does ("Cancelled" → "Cancelled.")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def reason_of(message: str, path: Path) -> str:
    """The message without the path in front (the row already names the file)."""
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def add_row(  # noqa: PLR0917 - a row is all of these
    tree: QTreeWidget,
    job_id: int,
    path: Path,
    status: str,
    route: FileRoute | None,
    cancel_job: Callable[[int], None],
) -> QueueRow:
    """A new job's row at the end of ``tree``: its name, progress bar and ✕ button."""
    item = QTreeWidgetItem([path.name, "…", "", "", status, ""])
    item.setToolTip(NAME, str(path))
    tree.addTopLevelItem(item)
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.setValue(0)
    bar.setAccessibleName(f"Progress of {path.name}")
    cancel = QToolButton()
    cancel.setText("✕")  # a word would push the column out of sight at the default size
    cancel.setAutoRaise(True)
    cancel.setToolTip("Cancel this file (Delete); what is done is kept")
    cancel.setAccessibleName(f"Cancel {path.name}")
    cancel.clicked.connect(lambda: cancel_job(job_id))
    tree.setItemWidget(item, PROGRESS, bar)
    tree.setItemWidget(item, CANCEL, cancel)
    return QueueRow(job_id, path, item, bar, cancel, status, route=route)
