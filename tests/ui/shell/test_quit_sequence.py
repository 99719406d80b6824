"""QuitSequence waits in the event loop for threads that end on their own, within a limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThread, Signal, Slot
from pytestqt.qtbot import QtBot

from app.ui.shell.quit_sequence import QuitSequence

pytestmark = pytest.mark.gui


class _Blocking(QObject):
    """A model call that cannot be interrupted: it returns when ``release`` is set."""

    run = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.run.connect(self._work)

    @Slot()
    def _work(self) -> None:
        self.entered.set()
        self.release.wait(30)


@pytest.fixture
def busy_thread() -> Iterator[tuple[QThread, _Blocking]]:
    thread = QThread()
    thread.setObjectName("test-busy")
    work = _Blocking()
    work.moveToThread(thread)
    thread.start()
    work.run.emit()
    assert work.entered.wait(10)
    thread.quit()  # asked to stop: it ends once the call returns
    yield thread, work
    work.release.set()
    assert thread.wait(10_000)


def test_it_finishes_when_the_busy_thread_ends(
    qtbot: QtBot, busy_thread: tuple[QThread, _Blocking]
) -> None:
    thread, work = busy_thread
    sequence = QuitSequence(limit_ms=30_000)
    sequence.wait_for("busy", thread.isRunning, thread.finished)
    results: list[bool] = []
    sequence.finished.connect(results.append)
    sequence.start()
    assert results == []
    assert sequence.still_running() == ["busy"]
    with qtbot.waitSignal(sequence.finished, timeout=10_000):
        work.release.set()
    assert results == [True]
    assert not thread.isRunning()


def test_it_gives_up_at_the_limit_and_leaves_the_thread_alone(
    qtbot: QtBot, busy_thread: tuple[QThread, _Blocking]
) -> None:
    thread, _work = busy_thread
    sequence = QuitSequence(limit_ms=100)
    sequence.wait_for("busy", thread.isRunning, thread.finished)
    with qtbot.waitSignal(sequence.finished, timeout=10_000) as gave_up:
        sequence.start()
    assert gave_up.args == [False]
    assert thread.isRunning()  # not destroyed, not terminated: the caller exits without it


def test_a_thread_waited_for_with_patience_is_left_after_it(
    qtbot: QtBot, busy_thread: tuple[QThread, _Blocking]
) -> None:
    """A file segment cannot be interrupted, and a quit drops its words anyway: the app
    lingered 16-18 s after the quit (its window gone) waiting for one."""
    thread, _work = busy_thread
    sequence = QuitSequence(limit_ms=60_000)
    sequence.wait_for("file", thread.isRunning, thread.finished, patience_ms=100)
    with qtbot.waitSignal(sequence.finished, timeout=10_000) as done:
        sequence.start()
    assert done.args == [False]  # it still runs: the caller exits without destroying it
    assert sequence.still_running() == ["file"]
