"""The results window shows and copies segments as the exports join them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QProcess, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.engine.transcript import Segment, Transcript
from app.ui.files.file_compute import TranscriptSaving, save_transcript
from app.ui.files.results_view import ResultsView
from tests.support.transcripts import transcript_of

pytestmark = pytest.mark.gui


def whisper_transcript() -> Transcript:
    return transcript_of(
        Segment(0.0, 2.0, "There was nothing going on, nothing going"),
        Segment(2.0, 3.0, "Else going on."),
        Segment(5.0, 6.0, "Then we left."),
    )


def test_rows_lose_whisper_capitals_and_copy_all_copies_the_txt_export(
    qtbot: QtBot, tmp_path: Path
) -> None:
    view = ResultsView(tmp_path / "talk.wav", whisper_transcript(), tmp_path)
    qtbot.addWidget(view)
    items = [view.table.item(row, 1) for row in range(view.table.rowCount())]
    texts = [item.text() for item in items if item is not None]
    assert texts == ["There was nothing going on, nothing going", "else going on.", "Then we left."]

    view.copy_all.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == "There was nothing going on, nothing going else going on.\n\nThen we left."
    view.format.setCurrentText("txt")
    written = view.export_to(tmp_path)
    assert written is not None
    assert written.read_text(encoding="utf-8") == copied + "\n"


def test_export_never_replaces_a_file_with_other_words(qtbot: QtBot, tmp_path: Path) -> None:
    source = tmp_path / "talk.wav"
    saved = save_transcript(whisper_transcript(), source, TranscriptSaving())  # the queue's
    edited = tmp_path / "talk.srt"
    edited.write_text("the user's own edits\n", encoding="utf-8")
    view = ResultsView(source, whisper_transcript(), tmp_path)
    qtbot.addWidget(view)

    view.format.setCurrentText("srt")
    assert view.export_to(tmp_path) == tmp_path / "talk-2.srt"
    assert edited.read_text(encoding="utf-8") == "the user's own edits\n"
    assert view.export_to(tmp_path) == tmp_path / "talk-2.srt"  # its own file: written again
    assert view.status.text() == f"Saved {tmp_path / 'talk-2.srt'}"

    view.format.setCurrentText("txt")
    assert view.export_to(tmp_path) == saved  # the queue's file of this transcript, unchanged
    assert saved.read_text(encoding="utf-8").startswith("There was nothing going on")


def test_the_queue_saving_the_same_file_again_reuses_its_transcript(tmp_path: Path) -> None:
    # A new user queued a file twice: the second run left talk-2.txt, byte for byte the first.
    folder = tmp_path / "talks"
    folder.mkdir()
    source = folder / "talk.wav"
    saved = save_transcript(whisper_transcript(), source, TranscriptSaving())
    assert save_transcript(whisper_transcript(), source, TranscriptSaving()) == saved
    assert sorted(path.name for path in folder.iterdir()) == ["talk.txt"]
    saved.write_text("MY OWN EDITED NOTES\n", encoding="utf-8")
    again = save_transcript(whisper_transcript(), source, TranscriptSaving())
    assert again == folder / "talk-2.txt"


def test_the_part_of_a_cancelled_job_is_exported_under_a_partial_name(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A new user exported a job cancelled at a third: the .txt looked like the whole talk.
    cancelled = replace(whisper_transcript(), complete=False, duration=60.0)
    view = ResultsView(tmp_path / "talk.wav", cancelled, tmp_path)
    qtbot.addWidget(view)
    # It says how far the job got, not only how long the file is.
    assert "3 segments, 00:00:06.000 of 00:01:00.000 (partial: cancelled)" in view.summary.text()
    view.format.setCurrentText("srt")
    assert view.export_to(tmp_path) == tmp_path / "talk.partial.srt"
    assert view.status.text() == f"Saved {tmp_path / 'talk.partial.srt'}"


def test_export_keeps_the_queues_file_once_the_user_edited_it(qtbot: QtBot, tmp_path: Path) -> None:
    # A new user edited the transcript the queue saved, then pressed Export: it was replaced.
    source = tmp_path / "talk.wav"
    saved = save_transcript(whisper_transcript(), source, TranscriptSaving())
    saved.write_text("MY OWN EDITED NOTES\n", encoding="utf-8")
    view = ResultsView(source, whisper_transcript(), tmp_path)
    qtbot.addWidget(view)
    view.format.setCurrentText("txt")
    assert view.export_to(tmp_path) == tmp_path / "talk-2.txt"
    assert saved.read_text(encoding="utf-8") == "MY OWN EDITED NOTES\n"


@pytest.mark.qt_log_ignore("Unable to detect a launcher", "does not support QPlatformServices")
def test_without_a_file_manager_the_folder_is_named_instead(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no xdg-open, no file manager
    view = ResultsView(tmp_path / "talk.wav", whisper_transcript(), tmp_path)
    qtbot.addWidget(view)
    assert view.summary.text().startswith("talk.wav: 3 segments, ")
    assert view.export_to(tmp_path) is not None
    view.open_folder.click()
    assert view.status.text() == f"No file manager was found to open it: the file is in {tmp_path}"


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_enter_on_a_segment_copies_it_and_writes_no_file(qtbot: QtBot, tmp_path: Path) -> None:
    # A new user pressed Enter on a segment: the dialog's first button, Export, ran.
    view = ResultsView(tmp_path / "talk.wav", whisper_transcript(), tmp_path)
    qtbot.addWidget(view)
    view.show()
    view.table.setFocus()
    view.table.setCurrentCell(2, 1)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert QGuiApplication.clipboard().text() == "Then we left."
    assert view.status.text() == "Copied segment 3."
    assert list(tmp_path.glob("talk*")) == []


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_tab_leaves_the_segments_for_the_buttons(qtbot: QtBot, tmp_path: Path) -> None:
    # Twelve Tabs went from cell to cell and never reached Copy all or Export.
    view = ResultsView(tmp_path / "talk.wav", whisper_transcript(), tmp_path)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.table.setFocus()
    view.table.setCurrentCell(0, 0)
    qtbot.waitUntil(view.table.hasFocus)
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert focused is not view.table
    assert view.isAncestorOf(focused)


@pytest.mark.parametrize(("answer", "said"), [(0, ""), (3, "No file manager was found")])
def test_a_file_manager_that_cannot_be_started_is_said(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: int, said: str
) -> None:
    # xdg-open started, found no file manager and failed: the button did nothing at all.
    programs = tmp_path / "programs"
    programs.mkdir()
    opener = programs / "xdg-open"
    opener.write_text(f'#!/bin/sh\necho "$1" > "{tmp_path}/asked"\nexit {answer}\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{programs}:/usr/bin:/bin")
    view = ResultsView(tmp_path / "talk.wav", whisper_transcript(), tmp_path)
    qtbot.addWidget(view)
    assert view.export_to(tmp_path) is not None
    view.open_folder.click()
    (opening,) = view.findChildren(QProcess)
    with qtbot.waitSignal(opening.finished, timeout=10_000):
        pass  # no event was handled since the click: its end is still to come
    assert (tmp_path / "asked").read_text().strip() == str(tmp_path)
    if said:
        assert view.status.text().startswith(said)
        assert view.status.text().endswith(f"the file is in {tmp_path}")
    else:
        assert not view.status.text().startswith("No file manager")
