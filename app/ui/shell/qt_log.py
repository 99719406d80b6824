"""Qt's side of the log: its messages, its threads' names, and a dialog on unexpected errors.

``app.core.log_file`` owns the file and the hooks but may not import Qt. This
module routes ``qInstallMessageHandler`` into Python logging (Qt's categories
become logger names, its message types the matching levels), names records
from QThreads by their ``objectName`` (Python only knows them as ``Dummy-N``),
and tells the user, at most once every few seconds, that something went wrong
and where the log is. PySide6 hands an exception raised in a slot to
``sys.excepthook`` and carries on, so the app keeps running after the dialog.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QThread,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)

from app.core.log_file import LogFile, log_path_for_messages

log = logging.getLogger(__name__)

LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
DIALOG_INTERVAL_S = 10.0


def qt_message_to_log(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's message handler: one record on the logger named after the message's category."""
    category = context.category or "default"
    name = "qt" if category == "default" else category
    logging.getLogger(name).log(LEVELS.get(kind, logging.WARNING), "%s", message)


def qthread_name() -> str | None:
    """The current QThread's objectName, for records from threads Python did not start."""
    return QThread.currentThread().objectName() or None


class ErrorDialogs(QObject):
    """Shows "something went wrong; the log is …", from any thread, rate-limited.

    Lives in the GUI thread; :meth:`report` may be called from any thread and
    reaches :meth:`_show` through a queued signal.
    """

    _reported = Signal(str)

    def __init__(
        self, interval_s: float = DIALOG_INTERVAL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._interval_s = interval_s
        self._clock = clock
        self._last: float | None = None
        self.dialog: object = None  # the QMessageBox on screen, if any
        self.shown = 0
        self._reported.connect(self._show)

    def report(self, error: BaseException) -> None:
        """An unexpected error reached the excepthook (any thread)."""
        self._reported.emit(type(error).__name__)

    @Slot(str)
    def _show(self, kind: str) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        now = self._clock()
        if self._last is not None and now - self._last < self._interval_s:
            return  # a storm of errors: the first dialog speaks for them all
        if not isinstance(QApplication.instance(), QApplication):
            return  # no widgets yet (or any more): the log has it
        self._last = now
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Saytype: something went wrong",
            f"Something went wrong inside Saytype ({kind}). It keeps running; if it "
            "misbehaves, restart it.\n\n"
            f"The details are in the log file:\n{log_path_for_messages()}",
        )
        box.setModal(False)
        box.show()
        self.dialog = box  # kept: the box lives until the next one replaces it
        self.shown += 1


def install_qt_logging(logs: LogFile) -> ErrorDialogs:
    """Route Qt's messages into the log, name QThreads, and show dialogs on errors.

    ``logs.close()`` gives Qt its previous message handler back.
    """
    previous = qInstallMessageHandler(qt_message_to_log)
    logs.set_thread_namer(qthread_name)
    dialogs = ErrorDialogs()
    logs.on_unexpected.append(dialogs.report)

    def give_back() -> None:
        qInstallMessageHandler(previous)

    logs.on_close.append(give_back)
    return dialogs
