"""Esc pressed while one of Saytype's own dialogs is the active window belongs to it.

There it answers a question with its No or closes the dialog, as in any window;
taken by the hotkey as a cancel, backing out of "Quit Saytype?" with Esc dropped
the dictation under way.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog


def esc_for_own_dialog(is_down: bool, *, reserved: bool) -> bool:
    """Whether an Esc the hotkey listener heard is for a dialog of ours (then it is not a cancel).

    While the X grab reserves Esc (``reserved``) the dialog never saw the key, so
    it is passed on to it; otherwise the dialog had it already.
    """
    dialog = QApplication.activeWindow()
    if not isinstance(dialog, QDialog):
        return False
    if reserved and is_down:
        target = QApplication.focusWidget() or dialog
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = QKeyEvent(kind, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(target, key)
    return True
