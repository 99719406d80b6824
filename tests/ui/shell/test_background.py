"""run_in_background: work leaves the GUI thread, results come back to it, in order when asked."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from app.core.task_lane import TaskLane
from app.ui.shell.background import run_in_background

pytestmark = pytest.mark.gui


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []
        self.threads: list[QThread] = []

    def take(self, result: object) -> None:
        self.threads.append(QThread.currentThread())
        self.results.append(result)


def test_the_call_runs_elsewhere_and_the_result_comes_back_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    receiver = Receiver()
    ran_on: list[str] = []

    def work() -> int:
        ran_on.append(threading.current_thread().name)
        return 42

    run_in_background(work, receiver.take)
    qtbot.waitUntil(lambda: receiver.results == [42])
    assert len(ran_on) == 1
    assert ran_on[0] != threading.main_thread().name
    assert receiver.threads == [receiver.thread()]


def test_the_callback_never_runs_before_run_in_background_returns(qtbot: QtBot) -> None:
    lane = TaskLane("test-lane")
    receiver = Receiver()
    future = run_in_background(lambda: "done", receiver.take, lane=lane)
    lane.wait_idle()
    assert future.result() == "done"
    assert receiver.results == []  # queued: only the event loop delivers it
    qtbot.waitUntil(lambda: receiver.results == ["done"])


def test_an_exception_goes_to_on_error(qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def fail() -> None:
        raise OSError("disk gone")

    done: list[object] = []
    run_in_background(fail, done.append, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], OSError)
    assert done == []


def test_an_unhandled_exception_is_logged(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    def fail() -> None:
        raise ValueError("boom")

    with caplog.at_level("ERROR", logger="app.ui.shell.background"):
        run_in_background(fail)
        qtbot.waitUntil(lambda: "failed in the background" in caplog.text)


def test_a_serial_lane_keeps_the_order_of_calls(qtbot: QtBot) -> None:
    lane = TaskLane("test-serial", max_threads=1)
    receiver = Receiver()
    for n in range(20):
        run_in_background(lambda n=n: n, receiver.take, lane=lane)  # type: ignore[misc]
    qtbot.waitUntil(lambda: len(receiver.results) == 20)
    assert receiver.results == list(range(20))


def test_a_result_for_a_deleted_receiver_is_dropped(qtbot: QtBot) -> None:
    lane = TaskLane("test-drop", max_threads=1)
    gone = Receiver()
    gone_results = gone.results
    release = threading.Event()
    run_in_background(lambda: release.wait(10) and "late", gone.take, lane=lane)
    shiboken6.delete(gone)  # the window closed while the call ran
    release.set()
    alive = Receiver()
    run_in_background(lambda: "after", alive.take, lane=lane)  # delivered after the first
    qtbot.waitUntil(lambda: alive.results == ["after"])
    assert gone_results == []


def test_lane_threads_end_when_idle(qtbot: QtBot) -> None:
    lane = TaskLane("test-idle", max_threads=3)
    before = set(threading.enumerate())
    gate = threading.Event()
    futures = [lane.submit(gate.wait, 10) for _ in range(5)]
    names = {t.name for t in set(threading.enumerate()) - before}
    assert names == {"test-idle", "test-idle-2", "test-idle-3"}
    gate.set()
    assert lane.wait_idle(10)
    assert all(f.result() for f in futures)
    assert set(threading.enumerate()) - before == set()


def test_a_lane_cannot_wait_for_itself() -> None:
    lane = TaskLane("test-self")
    future = lane.submit(lane.wait_idle)
    with pytest.raises(RuntimeError, match="cannot wait for itself"):
        future.result(10)
    lane.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        lane.submit(print)
