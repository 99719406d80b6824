"""Files waiting in the Files tab when Saytype died are offered back at the next start.

The whole app is built offscreen (as ``saytype`` builds it), with the journal a
crashed run left behind; the queue then writes its own, and a quit clears it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.core.output.queue_journal import QueueJournal, queue_journal_path
from app.main import DesktopApp
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.speech import SpeechMaker

pytestmark = [
    pytest.mark.gui,
    pytest.mark.model,
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
]


@pytest.fixture
def started(
    qtbot: QtBot, offscreen: None, speech: SpeechMaker, tmp_path: Path
) -> Iterator[DesktopApp]:
    kept = speech.wav("Please file the expense report by Friday.", tmp_path / "expenses.wav")
    # What a run killed mid-queue leaves: the file it was on and one deleted since.
    QueueJournal().save([kept, tmp_path / "deleted since.mp3"])
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    yield app
    app.shutdown()


def question(app: DesktopApp) -> QMessageBox:
    (box,) = [b for b in app.parts.window.findChildren(QMessageBox) if b.isVisible()]
    return box


def test_the_files_a_crash_left_waiting_are_offered_and_queued_again(
    qtbot: QtBot, started: DesktopApp, tmp_path: Path
) -> None:
    box = question(started)
    assert box.text() == (
        "Saytype stopped before 2 files had a saved transcript: expenses.wav, deleted since.mp3. "
        "1 of them is no longer there."
    )
    assert box.defaultButton().text() == "&Queue them again"
    assert not queue_journal_path().exists()  # taken: a second start would not ask again
    with qtbot.waitSignal(started.parts.files.finished, timeout=60_000) as done:
        box.defaultButton().click()
    assert done.args is not None
    assert "expense report" in done.args[1].text.lower()
    rows = started.parts.queue_panel.rows.values()
    assert [row.path for row in rows] == [tmp_path / "expenses.wav"]


def test_waiting_files_are_written_down_and_a_quit_keeps_them_for_the_next_start(
    qtbot: QtBot, started: DesktopApp, tmp_path: Path
) -> None:
    box = question(started)
    (forget,) = [button for button in box.buttons() if button.text() == "&Forget them"]
    with qtbot.waitSignal(box.finished):
        forget.click()
    files = started.parts.files
    files.gate.close()  # the queue holds still (as while someone dictates)
    started.parts.window.queue_files([tmp_path / "expenses.wav"])
    journal = QueueJournal()
    qtbot.waitUntil(journal.path.exists, timeout=5000)
    assert journal.path.read_text(encoding="utf-8").count("expenses.wav") == 1
    files.request_stop()  # the quit the user agreed to: it stops the file, not forgets it
    assert files._save_lane.wait_idle(5)
    assert QueueJournal().take() == [tmp_path / "expenses.wav"]  # the deleted one was forgotten


def test_esc_puts_the_question_off_to_the_next_start_even_after_a_quit(
    qtbot: QtBot, started: DesktopApp, tmp_path: Path
) -> None:
    # Esc answered "Forget them": a user who only wanted the box out of the way lost the list.
    box = question(started)
    assert box.escapeButton().text() == "&Later"
    with qtbot.waitSignal(box.finished):
        qtbot.keyClick(box, Qt.Key.Key_Escape)
    journal = QueueJournal()
    qtbot.waitUntil(journal.path.exists, timeout=5000)
    files = started.parts.files
    files.request_stop()  # a quit the user agreed to keeps them too
    assert files._save_lane.wait_idle(5)  # its last write done
    assert QueueJournal().take() == [tmp_path / "expenses.wav", tmp_path / "deleted since.mp3"]
