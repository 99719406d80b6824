"""Esc pressed while one of Saytype's own dialogs or menus is open belongs to it.

There it answers a question with its No, closes the dialog or the menu, as in any
window; taken by the hotkey as a cancel, backing out of "Quit Saytype?" or of the
open Dictation menu with Esc dropped the dictation under way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget


class OwnEscape(QObject):
    """Tells whether an Esc the hotkey listener heard was for a dialog or menu of ours.

    A menu takes Esc itself (Qt's popup holds the keyboard), often before the
    listener's report of the same key reaches the GUI thread: so a menu that closed
    after the key went down (on the listener's ``clock``) counts as open.
    """

    def __init__(self, clock: Callable[[], float], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._popup_closed_at = float("-inf")
        self._watching = False

    def watch(self, on: bool) -> None:
        """Note menus closing while Esc can cancel (``on``); an app-wide filter costs."""
        app = QApplication.instance()
        if on == self._watching or app is None:
            return
        self._watching = on
        (app.installEventFilter if on else app.removeEventFilter)(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.Hide
            and isinstance(watched, QWidget)
            and watched.windowType() == Qt.WindowType.Popup
        ):
            self._popup_closed_at = self._clock()
        return False

    def takes(self, is_down: bool, t: float, *, reserved: bool) -> bool:
        """Whether the Esc heard at ``t`` is a dialog's or a menu's (then it is not a cancel).

        While the X grab reserves Esc (``reserved``) a dialog never saw the key, so it
        is passed on to it; otherwise the dialog had it already.
        """
        if QApplication.activePopupWidget() is not None or self._popup_closed_at >= t:
            return True
        dialog = QApplication.activeWindow()
        if not isinstance(dialog, QDialog):
            return False
        if reserved and is_down:
            target = QApplication.focusWidget() or dialog
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                key = QKeyEvent(kind, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
                QApplication.sendEvent(target, key)
        return True
