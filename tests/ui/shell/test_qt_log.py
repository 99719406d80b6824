"""Qt's side of the log: its warnings, its threads' names, and the "something went wrong" dialog.

An exception in a slot must be logged with its traceback and leave the app
running; the user hears of it once per storm, with the log's path.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QObject, QThread, QTimer, Signal, qWarning
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.core.log_file import LogFile, log_path, log_path_for_messages, start_logging
from app.ui.shell.qt_log import DIALOG_INTERVAL_S, ErrorDialogs, install_qt_logging

pytestmark = pytest.mark.gui
log = logging.getLogger(__name__)


@dataclass
class Installed:
    logs: LogFile
    dialogs: ErrorDialogs
    now: list[float]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> Iterator[Installed]:
    """Saytype's logging with its Qt part, in a root logger emptied for the test."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    monkeypatch.setattr(logging.getLogger("faster_whisper"), "level", logging.NOTSET)
    logs = start_logging(logging.CRITICAL, logging.DEBUG)
    assert logs is not None
    dialogs = install_qt_logging(logs)
    now = [100.0]
    dialogs._clock = lambda: now[0]  # a fake clock: the rate limit without waiting
    yield Installed(logs, dialogs, now)
    logs.close()
    if isinstance(dialogs.dialog, QMessageBox):
        dialogs.dialog.close()


def _text() -> str:
    return log_path().read_text(encoding="utf-8")


class Emitter(QObject):
    fire = Signal()


def test_qt_warnings_reach_the_file_at_warning_level(installed: Installed) -> None:
    qWarning("a warning from Qt for the test")
    assert "WARNING [MainThread] qt: a warning from Qt for the test" in _text()


def test_records_from_a_qthread_carry_its_object_name(qtbot: QtBot, installed: Installed) -> None:
    class Logging(QThread):
        def run(self) -> None:
            log.info("from inside the QThread")

    thread = Logging()
    thread.setObjectName("saytype-test-qthread")
    with qtbot.waitSignal(thread.finished):
        thread.start()
    thread.wait()
    assert "[saytype-test-qthread] tests.ui.shell.test_qt_log: from inside the QThread" in _text()


@pytest.mark.qt_no_exception_capture  # the app's own excepthook is under test
def test_a_failing_slot_is_logged_and_the_app_keeps_running(
    qtbot: QtBot, installed: Installed
) -> None:
    def broken_slot() -> None:
        raise KeyError("a bug in a slot")

    emitter = Emitter()
    emitter.fire.connect(broken_slot)
    emitter.fire.emit()
    emitter.fire.emit()

    text = _text()
    assert text.count("unexpected error: KeyError") == 2
    assert "Traceback (most recent call last):" in text
    assert 'raise KeyError("a bug in a slot")' in text
    box = installed.dialogs.dialog
    assert isinstance(box, QMessageBox)
    assert box.isVisible()
    assert not box.isModal()
    assert "Something went wrong" in box.text()
    assert log_path_for_messages() in box.text()
    assert installed.dialogs.shown == 1  # a second error soon after shows no second dialog
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked))  # the event loop still runs

    installed.now[0] += DIALOG_INTERVAL_S
    emitter.fire.emit()
    assert installed.dialogs.shown == 2


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_worker_thread_reaches_the_dialog_on_the_gui_thread(
    qtbot: QtBot, installed: Installed
) -> None:
    def fail() -> None:
        raise RuntimeError("a bug in a worker")

    worker = threading.Thread(target=fail, name="saytype-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: installed.dialogs.shown == 1)
    assert "thread saytype-test-worker: RuntimeError" in _text()
