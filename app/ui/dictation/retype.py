"""History → Re-type: type an older text into the window the user picks, once per click.

Clicking Re-type leaves Saytype's own window with the focus, and typing there
made the typed spaces press the focused Re-type button again, without end
(with xterm focused afterwards: 1,926 copies, each with Return). So Re-type
never types at once: a banner counts down while the user clicks the window to
type into, and when it ends the text is delivered once, only if the focus has
left Saytype. If Saytype still has the focus, nothing is typed and the text
goes to the clipboard instead. While one re-type is under way, another click
is refused, and the delivery itself also refuses to send keys into Saytype.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

log = logging.getLogger(__name__)

COUNTDOWN_S = 3
MESSAGE_STILL_FOCUSED = (
    "Nothing was typed: Saytype still had the focus. Click Re-type, then click the "
    "window to type into before the countdown ends. The text is on the clipboard."
)


class RetypeCountdown(QObject):
    """Counts down, then delivers one text into the focused application (never Saytype).

    Args:
        delivery: the DeliveryService (``deliver``, ``copy_to_clipboard``, and
            ``delivered``/``failed`` signals).
        own_window_active: True while one of Saytype's windows has the focus.
        seconds: how long the user has to click the target window.

    Signals:
        counting(int): seconds left; 0 when the countdown ended or was cancelled.
        notice(str, str): level and message for the user.
        resolved(str): a re-type went in, so the warning about the last one no longer holds.
        finished(str): ``typed``, ``pasted``, ``clipboard`` (Saytype kept the focus),
            ``failed`` or ``cancelled``.
    """

    counting = Signal(int)
    notice = Signal(str, str)
    resolved = Signal(str)
    finished = Signal(str)

    def __init__(
        self,
        delivery: Any,
        own_window_active: Callable[[], bool],
        seconds: int = COUNTDOWN_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._delivery = delivery
        self._own_window_active = own_window_active
        self._seconds = seconds
        self._left = 0
        self._text = ""
        self._request_id: int | None = None
        self._warned = ""  # the last re-type's warning, taken back once one goes in
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        delivery.delivered.connect(self._on_delivered)
        delivery.failed.connect(self._on_failed)

    @property
    def busy(self) -> bool:
        """Counting down, or the text is being delivered."""
        return self._timer.isActive() or self._request_id is not None

    def request(self, text: str) -> bool:
        """Start the countdown for ``text``; False (and nothing happens) while one is under way."""
        if not text:
            return False
        if self.busy:
            log.info("re-type refused: one is already under way")
            return False
        self._text = text
        self._left = self._seconds
        self._timer.start()
        self.counting.emit(self._left)
        return True

    def cancel(self) -> bool:
        """Stop the countdown; nothing is typed (a delivery already sent completes).

        Returns whether a countdown was running.
        """
        if not self._timer.isActive():
            return False
        self._timer.stop()
        self.counting.emit(0)
        self.finished.emit("cancelled")
        return True

    @Slot()
    def _tick(self) -> None:
        self._left -= 1
        if self._left > 0:
            self.counting.emit(self._left)
            return
        self._timer.stop()
        self.counting.emit(0)
        if self._own_window_active():
            self._delivery.copy_to_clipboard(self._text)
            self._warn(MESSAGE_STILL_FOCUSED)
            self.finished.emit("clipboard")
            return
        self._request_id = self._delivery.deliver(self._text)

    @Slot(int, str)
    def _on_delivered(self, request_id: int, how: str) -> None:
        if request_id != self._request_id:
            return
        self._request_id = None
        if self._warned:
            self.resolved.emit(self._warned)
            self._warned = ""
        self.finished.emit(how)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id != self._request_id:
            return
        self._request_id = None
        self._warn(message)
        self.finished.emit("failed")

    def _warn(self, message: str) -> None:
        self._warned = message
        self.notice.emit("warning", message)


class RetypeBanner(QFrame):
    """The countdown, shown under the notices: what to do, how long is left, and Cancel."""

    def __init__(self, countdown: RetypeCountdown, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Re-type countdown")
        self.label = QLabel(self)
        self.label.setAccessibleName("Re-type countdown message")
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel re-type", self)
        self.cancel_button.setAccessibleName("Cancel re-type")
        self.cancel_button.setToolTip("Type nothing (Esc)")
        # Only while counting down: the dictation's Cancel has Esc otherwise (the two
        # shortcuts at once would be ambiguous, and neither would fire).
        self._esc = QShortcut(QKeySequence("Esc"), self.cancel_button)
        self._esc.setContext(Qt.ShortcutContext.WindowShortcut)
        self._esc.activated.connect(countdown.cancel)
        self.cancel_button.clicked.connect(countdown.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        countdown.counting.connect(self.show_seconds)
        self.hide()

    @Slot(int)
    def show_seconds(self, left: int) -> None:
        """Show the countdown, or hide when it is over."""
        if left <= 0:
            self.hide()
            return
        if self.isHidden():  # Enter now cancels, where it would have started another re-type
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        unit = "second" if left == 1 else "seconds"
        self.label.setText(
            f"Switch to the window to type into (click it, or Alt+Tab): Saytype types there "
            f"in {left} {unit}. "
            "Nothing is typed while Saytype has the focus. Esc cancels."
        )
        self.show()
