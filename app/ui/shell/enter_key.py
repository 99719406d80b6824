"""Enter on an item of a list inside a dialog opens it, and goes no further; Enter on a
focused button presses it.

A list passes Enter on to its dialog, which presses its default button, or, when the
item's own form has just opened as the dialog's child, that form's OK: Enter on a saved
server in Settings saved it unchanged instead of showing it. Qt presses a focused button
on Space only (outside dialogs), and a keyboard user took Record and Re-type for broken.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QPushButton, QToolButton

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _EnterOpens(QObject):
    def __init__(self, view: QAbstractItemView, open_item: Callable[[], object]) -> None:
        super().__init__(view)
        self._view = view
        self._open = open_item

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        is_enter = isinstance(event, QKeyEvent) and event.key() in _ENTER
        if event.type() != QEvent.Type.KeyPress or not is_enter:
            return False
        if not self._view.currentIndex().isValid():
            return False  # nothing to open: the dialog's default button, as usual
        QTimer.singleShot(0, self._open)  # once this key is done with
        return True


def enter_opens(view: QAbstractItemView, open_item: Callable[[], object]) -> None:
    """Enter on ``view``'s current item calls ``open_item``; the dialog never sees the key."""
    view.installEventFilter(_EnterOpens(view, open_item))


class EnterClicksButtons(QObject):
    """Return or Enter on a focused push or tool button clicks it, in every window."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() not in _ENTER or plain != Qt.KeyboardModifier.NoModifier:
            return False
        button = QApplication.focusWidget()
        if watched is not button or not isinstance(button, QPushButton | QToolButton):
            return False
        if not button.isEnabled() or not button.isVisible():
            return False
        button.animateClick()
        return True
