"""The lines under a job's row (why it failed, where it was saved), wrapped, not elided.

A note line spans every column, but Qt sizes and elides it as if it were only
as wide as the File column: "not an audio or video file that can be decoded, or
a dama…" hid the part that says what to do. This delegate draws note lines
wrapped over the list's whole width, and grows their rows to fit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
)

_MARGIN = 4  # pixels each side of the text, as the style gives a plain item
_WRAP = Qt.TextFlag.TextWordWrap


def is_note_line(index: QModelIndex | QPersistentModelIndex) -> bool:
    """Whether ``index`` is a line under a job's row (jobs are the top level)."""
    return index.parent().isValid()


class JobList(QTreeWidget):
    """The job list: the arrow keys go from job to job, over the note lines under them.

    A note line is never selected, so a cursor resting on one selected nothing:
    Enter and Delete then acted on a job the list did not show as chosen.
    """

    def moveCursor(  # noqa: N802 - Qt's name
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        index = super().moveCursor(action, modifiers)
        if not is_note_line(index):
            return index
        job = index.parent()
        downward = (
            QAbstractItemView.CursorAction.MoveDown,
            QAbstractItemView.CursorAction.MoveNext,
        )
        if action in downward and job.row() + 1 < self.topLevelItemCount():
            return job.siblingAtRow(job.row() + 1)
        return job  # up onto a note line, or down past the last job: the job it belongs to


class NoteLineDelegate(QStyledItemDelegate):
    """Draws the job list's note lines wrapped; every other cell as usual."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree
        self._width = 0
        tree.viewport().installEventFilter(self)

    def text_rect(self, index: QModelIndex | QPersistentModelIndex) -> QRect:
        """Where a note line's text goes, for the list's width now."""
        width = self._tree.viewport().width() - self._tree.indentation() - 2 * _MARGIN
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        metrics = self._tree.fontMetrics()
        needed = metrics.boundingRect(QRect(0, 0, max(width, 40), 0), _WRAP, text)
        return QRect(0, 0, max(width, 40), needed.height())

    def sizeHint(  # noqa: N802 - Qt's name
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        if not is_note_line(index):
            return super().sizeHint(option, index)
        usual = super().sizeHint(option, index).height()
        text = self.text_rect(index)
        return QSize(text.width(), max(usual, text.height() + 4))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if not is_note_line(index):
            super().paint(painter, option, index)
            return
        style = self._tree.style()
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""  # the background and focus as usual; the text wrapped below
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, self._tree)
        rect = option.rect.adjusted(_MARGIN, 0, -_MARGIN, 0)
        painter.save()
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(rect, int(_WRAP | Qt.AlignmentFlag.AlignVCenter), str(index.data() or ""))
        painter.restore()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # A wider or narrower list wraps the lines anew: their rows change height.
        if event.type() == QEvent.Type.Resize and self._tree.viewport().width() != self._width:
            self._width = self._tree.viewport().width()
            self._tree.doItemsLayout()
        return super().eventFilter(watched, event)
