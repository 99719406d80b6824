"""Quitting while files are transcribed or a dictation runs asks; "Keep running" is the default."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from app.ui.shell.quit_confirm import confirm_quit

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),  # offscreen
]


def button(box: QMessageBox, text: str) -> object:
    (found,) = [b for b in box.buttons() if b.text() == text]
    return found


def test_with_no_file_left_it_quits_at_once(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    quits: list[bool] = []
    assert confirm_quit(window, 0, lambda: quits.append(True)) is None
    assert quits == [True]


def test_files_still_running_ask_and_keep_running_is_the_default(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    quits: list[bool] = []
    window.hide()  # closed, with no tray to hide in
    box = confirm_quit(window, 2, lambda: quits.append(True))
    assert box is not None
    # It stays while asked: a new user thought Saytype had quit behind the question.
    assert window.isVisible()
    assert box.text().startswith("2 files are still being transcribed.")
    assert box.defaultButton() is button(box, "&Keep running")
    assert box.escapeButton() is button(box, "&Keep running")
    with qtbot.waitSignal(box.finished):
        box.escapeButton().click()
    assert quits == []
    assert window.isVisible()  # the files still run

    box = confirm_quit(window, 1, lambda: quits.append(True))
    assert box is not None
    assert box.text().startswith("1 file is still being transcribed.")
    with qtbot.waitSignal(box.finished):
        button(box, "&Quit").click()  # type: ignore[attr-defined]
    assert quits == [True]


def test_a_dictation_under_way_asks_and_says_its_recording_is_kept(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    quits: list[bool] = []
    box = confirm_quit(window, 0, lambda: quits.append(True), dictating=True)
    assert box is not None
    assert box.text().startswith("A dictation is under way.")
    assert "its recording is kept" in box.text()
    assert box.defaultButton() is button(box, "&Keep running")
    with qtbot.waitSignal(box.finished):
        button(box, "&Quit").click()  # type: ignore[attr-defined]
    assert quits == [True]

    box = confirm_quit(window, 3, lambda: quits.append(True), dictating=True)
    assert box is not None
    assert "3 files are still being transcribed." in box.text()


def test_transcripts_saved_nowhere_ask_even_with_nothing_running(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    quits: list[bool] = []
    box = confirm_quit(window, 0, lambda: quits.append(True), unsaved=2)
    assert box is not None
    assert box.text().startswith("2 transcripts are not saved in any file, and quitting loses")
    assert "press Enter to export it" in box.text()
    assert box.defaultButton() is button(box, "&Keep running")
    with qtbot.waitSignal(box.finished):
        box.escapeButton().click()
    assert quits == []
    box = confirm_quit(window, 1, lambda: quits.append(True), unsaved=1)
    assert box is not None
    assert box.text() == (
        "1 file is still being transcribed. Quitting stops it; Saytype offers it again at the "
        "next start. "
        "1 transcript is not saved in any file, and quitting loses it: in the Files tab, "
        "select one and press Enter to export it."
    )


def test_dictations_the_history_could_not_take_ask_first(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    quits: list[bool] = []
    box = confirm_quit(window, 0, lambda: quits.append(True), unsaved_dictations=1)
    assert box is not None
    assert box.text() == (
        "1 dictation could not be saved in the history yet, and quitting loses it: "
        "let Saytype save it first (free some disk space if the disk is full)."
    )
    assert box.defaultButton() is button(box, "&Keep running")
    with qtbot.waitSignal(box.finished):
        box.escapeButton().click()
    assert quits == []
