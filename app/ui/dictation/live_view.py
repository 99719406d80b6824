"""Small widgets of the main window: the live text view, the level meter and the notice bar."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTextEdit,
    QToolButton,
    QWidget,
)

from app.ui.dictation.microphone import SILENCE_DBFS
from app.ui.shell.focus_marks import mark_focus


class LiveTextView(QTextEdit):
    """Committed text in the normal colour, the uncertain partial text dimmed after it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Live text")
        self.setAccessibleDescription(
            "What Saytype hears: settled words, then the words it is still unsure of, dimmed."
        )
        self.setPlaceholderText("Hold Ctrl+Shift+Space, or press Record, and speak.")
        mark_focus(self)
        self.committed = ""
        self.partial = ""

    def show_text(self, committed: str, partial: str) -> None:
        """Replace the view's content with ``committed`` + dimmed ``partial``."""
        self.committed, self.partial = committed, partial
        self.clear()
        cursor = self.textCursor()
        normal = QTextCharFormat()
        normal.setForeground(self.palette().color(QPalette.ColorRole.Text))
        cursor.insertText(committed, normal)
        if partial:
            dim = QTextCharFormat()
            dim.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
            dim.setFontItalic(True)
            cursor.insertText(partial, dim)  # it begins with its own space or line break
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self.setTextCursor(cursor)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Re-colour on a theme change (light ↔ dark), so no old colour stays behind."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.show_text(self.committed, self.partial)


class LevelMeter(QProgressBar):
    """The microphone's loudness in dBFS, from silence (-60) to full scale (0)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(int(SILENCE_DBFS), 0)
        self.setValue(int(SILENCE_DBFS))
        self.setTextVisible(False)
        self.setMaximumHeight(10)
        self.setAccessibleName("Input level")

    def show_level(self, dbfs: float) -> None:
        """Display a level (clamped to the meter's range)."""
        self.setValue(round(min(0.0, max(SILENCE_DBFS, dbfs))))
        self.setAccessibleDescription(f"{dbfs:.0f} dBFS")


class NoticeBar(QFrame):
    """A dismissible line for errors and notices (corrupt settings, failed delivery)."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName("Notice")
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName("Dismiss notice")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.level = ""
        self.messages: list[str] = []
        self._levels: dict[str, str] = {}  # message → its level, to drop only the infos
        self._times: dict[str, str] = {}  # message → when it came (HH:MM)
        self.hide()

    def show_notice(self, level: str, message: str) -> None:
        """Show ``message`` first, with the time it came; errors and warnings use the
        palette's highlight colours.

        Several notices stay visible (problems found at start-up), newest first, each with
        its time: stacked without one, a notice about an earlier dictation read as one
        about the last. Past :data:`NOTICES_SHOWN` the oldest go, infos first (the log keeps
        them all).
        """
        if message in self.messages:
            self.messages.remove(message)  # said again: it moves to the top, with its new time
        self.messages.append(message)
        self._levels[message] = level
        self._times[message] = time.strftime("%H:%M")
        while len(self.messages) > NOTICES_SHOWN:  # an info goes before any problem does
            infos = [m for m in self.messages[:-1] if self._levels.get(m) == "info"]
            old = infos[0] if infos else self.messages[0]
            self.messages.remove(old)
            self._levels.pop(old, None)
            self._times.pop(old, None)
        self._show_messages()

    def withdraw(self, message: str) -> None:
        """Take back one notice that no longer holds (the rest stay)."""
        if message not in self.messages:
            return
        self.messages.remove(message)
        self._levels.pop(message, None)
        self._times.pop(message, None)
        if self.messages:
            self._show_messages()
        else:
            self.level = ""
            self.hide()

    def clear_info(self) -> None:
        """Drop the "info" notices (a new dictation makes them stale); keep the problems."""
        if not any(level == "info" for level in self._levels.values()):
            return
        self.messages = [m for m in self.messages if self._levels[m] != "info"]
        self._levels = {m: self._levels[m] for m in self.messages}
        self._times = {m: self._times[m] for m in self.messages if m in self._times}
        if self.messages:
            self._show_messages()
        else:
            self.level = ""
            self.hide()

    def _show_messages(self) -> None:
        # The most serious notice shown sets the colours: an info never hides an error.
        self.level = max(self._levels.values(), key=lambda level: _SEVERITY.get(level, 2))
        info = self.level == "info"
        role = QPalette.ColorRole.ToolTipBase if info else QPalette.ColorRole.Highlight
        text_role = QPalette.ColorRole.ToolTipText if info else QPalette.ColorRole.HighlightedText
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, palette.color(role))
        palette.setColor(QPalette.ColorRole.WindowText, palette.color(text_role))
        self.setPalette(palette)
        if len(self.messages) == 1:
            self.label.setText(self.messages[0])
        else:
            shown = [f"{self._times.get(m, '')}  {m}" for m in reversed(self.messages)]
            self.label.setText("\n".join(shown))
        self.show()

    def dismiss(self) -> None:
        """Hide the notices and forget them."""
        self.messages.clear()
        self._levels.clear()
        self._times.clear()
        self.hide()
        self.dismissed.emit()


_SEVERITY = {"info": 0, "warning": 1, "error": 2}
NOTICES_SHOWN = 4
