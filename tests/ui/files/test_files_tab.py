"""The Files tab at the window's default size: every column in sight, each job's story in its row.

The real main window (860x520, History and Files tabs, as the app builds it)
and the real file queue. A bad file fails before any model loads, so that test
runs without one; the truncated WAV and the README screenshot use the bundled
tiny.en (marker ``model``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QProgressBar, QToolButton, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from app.core.audio.wav_file import write_wav
from app.core.audio.wav_header import find_truncation
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.engine.pause_gate import PauseGate
from app.core.text.clock import clock
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from app.ui.files.queue_rows import COLUMNS, QueueRow
from app.ui.history.history_panel import HistoryPanel
from app.ui.shell.main_window import MainWindow
from tests.support.controller_rig import build_rig
from tests.support.media import encode_audio, truncated_copy
from tests.support.screenshots import save_screenshot
from tests.support.speech import SpeechMaker

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

STATUS = COLUMNS.index("Status")
SENTENCE = "The library opens at nine on weekdays and closes at six."
DEFAULT_SIZE = QSize(860, 520)


@dataclass
class FilesTab:
    window: MainWindow
    panel: QueuePanel
    runner: FileJobRunner


@contextmanager
def _files_tab(qtbot: QtBot, tmp_path: Path, host: ModelHost) -> Iterator[FilesTab]:
    """The window as the app builds it, its queue transcribing with ``host``'s model."""
    rig = build_rig(tmp_path, ["hello"])
    runner = FileJobRunner(host, PauseGate())
    runner.configure(TranscribeOptions(beam_size=1), None)
    panel = QueuePanel(runner)
    window = MainWindow(
        rig.controller, rig.mic, HistoryPanel(rig.history), "Ctrl+Shift+Space", panel
    )
    window.files_dropped.connect(lambda paths: [runner.add(path) for path in paths])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        yield FilesTab(window, panel, runner)
    finally:
        assert runner.shutdown(10_000)
        rig.close()


@pytest.fixture
def tab(qtbot: QtBot, tmp_path: Path) -> Iterator[FilesTab]:
    with _files_tab(qtbot, tmp_path, ModelHost(resolve_model("tiny.en"))) as opened:
        yield opened


@pytest.fixture
def model_tab(qtbot: QtBot, tmp_path: Path, tiny_en: ModelHost) -> Iterator[FilesTab]:
    with _files_tab(qtbot, tmp_path, tiny_en) as opened:
        yield opened


def _not_audio(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    bad = folder / "x.wav"
    bad.write_text("these are notes, not a recording\n", encoding="utf-8")
    return bad


def test_a_failed_file_shows_its_reason_in_its_row_with_every_column_in_sight(
    qtbot: QtBot, tab: FilesTab, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert tab.window.size() == DEFAULT_SIZE  # nobody resized it: what a first start shows
    bad = _not_audio(tmp_path)
    with caplog.at_level("INFO"), qtbot.waitSignal(tab.runner.failed, timeout=30_000) as failed:
        tab.window.queue_files([bad])
    job, message = failed.args
    # The log says what became of the file (a heavy user's log named none of them).
    assert f"file job {job} ({bad.name}) failed: {message}" in caplog.messages
    row = tab.panel.row(job)
    tree = tab.panel.tree
    assert tab.window.side_tabs.currentWidget() is tab.panel
    assert tree.currentItem() is row.item  # Tab into the list lands on it (a new user's Enter
    # on "no row" did nothing); the reason is in the row and the line under it as well
    reason = message.removeprefix(f"{bad}: ")
    assert reason != message
    assert row.item.text(STATUS) == f"Failed: {reason}"
    assert row.item.toolTip(STATUS) == message  # in full, where the column elides it
    assert row.bar.text() == "—"  # not "0%", which reads as a file still waiting
    assert row.note is not None  # the line under the row, as wide as the list
    assert row.note.text(0) == reason[:1].upper() + reason[1:]
    assert row.note.toolTip(0) == message

    viewport = tree.viewport().rect()
    for column in range(tree.columnCount()):
        cell = tree.visualRect(tree.indexFromItem(row.item, column))
        assert viewport.contains(cell), (COLUMNS[column], cell, viewport)
    note = tree.visualRect(tree.indexFromItem(row.note, 0))
    assert viewport.contains(note)
    assert note.width() >= viewport.width() * 0.8  # spans the columns, not the name's share
    wrap = int(Qt.TextFlag.TextWordWrap)
    needed = tree.fontMetrics().boundingRect(note.adjusted(4, 0, -4, 0), wrap, row.note.text(0))
    assert needed.height() > tree.fontMetrics().height()  # too long for one line here
    assert needed.height() <= note.height()  # so it wraps, whole, not "or a dama…"
    assert row.cancel.isVisible()
    assert viewport.contains(row.cancel.geometry())
    assert not tree.horizontalScrollBar().isVisible()
    metrics = tree.fontMetrics()
    for status in ("Transcribing", "Cancelled", "Failed: not"):  # readable, not "Tr…"
        assert tree.columnWidth(STATUS) >= metrics.horizontalAdvance(status) + 8, status
    assert tree.columnWidth(0) >= metrics.horizontalAdvance("meeting.wav") + 8


@pytest.mark.model
def test_a_truncated_wav_is_transcribed_and_its_row_says_it_was_cut_short(
    qtbot: QtBot, model_tab: FilesTab, speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = tmp_path / "crashed.wav"
    write_wav(wav, speech.samples(SENTENCE), 16_000)
    with wav.open("r+b") as handle:  # what a recorder that crashed leaves: the header says more
        handle.truncate(wav.stat().st_size * 6 // 10 // 2 * 2)
    truncation = find_truncation(wav)
    assert truncation is not None
    with qtbot.waitSignal(model_tab.runner.finished, timeout=60_000) as finished:
        model_tab.window.queue_files([wav])
    job, transcript = finished.args
    assert transcript is not None
    assert transcript.complete
    assert transcript.text.strip()  # what is there was transcribed
    row = model_tab.panel.row(job)
    assert row.status == (
        f"Done (truncated: {truncation.present_seconds:.1f} of {truncation.declared_seconds:.1f} s)"
    )
    assert row.item.toolTip(STATUS) == f"{truncation.message}; transcribed what is there."
    assert row.note is not None
    assert row.note.text(0) == (
        f"The file is truncated: its header declares {truncation.declared_seconds:.1f} s "
        f"of audio, {truncation.present_seconds:.1f} s are there; transcribed what is there."
    )
    model_tab.panel.tree.setCurrentItem(row.item)
    assert truncation.message in model_tab.panel.detail.text()


@pytest.mark.model
def test_a_truncated_mp3_is_transcribed_and_its_row_says_it_was_cut_short(
    qtbot: QtBot, model_tab: FilesTab, speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = speech.wav(SENTENCE, tmp_path / "talk.wav")
    mp3 = encode_audio(wav, tmp_path / "talk.mp3", "libmp3lame")
    cut = truncated_copy(mp3, tmp_path / "cut.mp3")  # a download that stopped half way
    with qtbot.waitSignal(model_tab.runner.finished, timeout=60_000) as finished:
        model_tab.window.queue_files([cut])
    job, transcript = finished.args
    assert transcript is not None
    assert transcript.text.lower().startswith("the library opens")  # its first half
    row = model_tab.panel.row(job)
    assert row.status == "Done (truncated)"
    # Its length is what was there, as a truncated WAV's is: not the header's 0:05.
    assert row.item.text(COLUMNS.index("Length")) == clock(transcript.duration) == "0:02"
    (line,) = [row.item.child(i).text(0) for i in range(row.item.childCount())]
    assert line.startswith("The file is truncated: its header declares ")
    assert line.endswith("; what is there is transcribed.")


@pytest.mark.model
def test_screenshot_of_the_files_tab_with_a_finished_and_a_failed_file(
    qtbot: QtBot, model_tab: FilesTab, speech: SpeechMaker, tmp_path: Path
) -> None:
    meeting = speech.wav(SENTENCE, tmp_path / "meeting-notes.wav")
    bad = _not_audio(tmp_path)
    ended: list[int] = []
    model_tab.runner.finished.connect(lambda job, _transcript: ended.append(job))
    model_tab.runner.failed.connect(lambda job, _message: ended.append(job))
    model_tab.window.queue_files([meeting, bad])
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=60_000)
    statuses = [row.status for row in model_tab.panel.rows.values()]
    assert statuses[0] == "Done"
    assert statuses[1].startswith("Failed: ")
    model_tab.window.show_model_status("ready")
    assert model_tab.window.size() == DEFAULT_SIZE
    save_screenshot(model_tab.window, "files-tab-failed.png", tmp_path)


def test_the_files_settings_say_where_and_how_transcripts_are_saved(
    tab: FilesTab, tmp_path: Path
) -> None:
    from app.core.settings import Settings
    from app.ui.files.file_compute import TranscriptSaving
    from app.ui.shell.wiring import configure_file_jobs

    configure_file_jobs(tab.runner, Settings())
    assert tab.runner.saving == TranscriptSaving(None, "txt")  # next to each file
    assert tab.runner.saving.target(tmp_path / "a" / "talk.mp4") == tmp_path / "a" / "talk.txt"
    configure_file_jobs(tab.runner, Settings(export_folder=str(tmp_path), export_format="vtt"))
    assert tab.runner.saving == TranscriptSaving(tmp_path, "vtt")
    assert tab.runner.saving.target(Path("/media/talk.mp4")) == tmp_path / "talk.vtt"


def test_files_added_below_the_fold_are_scrolled_into_sight(
    qtbot: QtBot, tab: FilesTab, tmp_path: Path
) -> None:
    tab.runner.gate.close()  # they stay queued: only the list is looked at
    paths = []
    for number in range(25):
        path = tmp_path / f"meeting-{number:02d}.wav"
        path.write_bytes(b"")  # never decoded while the gate is closed
        paths.append(path)
    tab.window.queue_files(paths)
    qtbot.waitUntil(lambda: len(tab.panel.rows) == len(paths))
    tree = tab.panel.tree
    last = tab.panel.row(max(tab.panel.rows)).item
    assert tree.viewport().rect().intersects(tree.visualItemRect(last))  # seen arriving
    tab.runner.cancel_all()
    tab.runner.gate.release()


def test_the_arrow_keys_go_from_job_to_job_and_delete_takes_an_ended_one_off(
    qtbot: QtBot, tab: FilesTab, tmp_path: Path
) -> None:
    # A keyboard user's Down rested on the line under a failed row: nothing looked chosen,
    # and Delete there did nothing at all.
    paths = [_not_audio(tmp_path / name) for name in ("a", "b", "c")]
    for path in paths:
        with qtbot.waitSignal(tab.runner.failed, timeout=30_000):
            tab.window.queue_files([path])
    tree = tab.panel.tree
    jobs = [row.item for row in tab.panel.rows.values()]
    assert all(row.note is not None for row in tab.panel.rows.values())  # a line under each
    tree.setFocus()
    tree.setCurrentItem(jobs[0])
    moves = [Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_End]
    landed = []
    for key in moves:
        qtbot.keyClick(tree, key)
        landed.append(jobs.index(tree.currentItem()) if tree.currentItem() in jobs else None)
    assert landed == [1, 2, 2, 1, 2]
    assert tree.currentItem().isSelected()
    qtbot.keyClick(tree, Qt.Key.Key_Delete)  # failed, nothing to keep: off the list
    assert [row.item for row in tab.panel.rows.values()] == jobs[:2]


@pytest.mark.model
def test_enter_on_a_failed_file_tries_it_again(
    qtbot: QtBot, model_tab: FilesTab, speech: SpeechMaker, tmp_path: Path
) -> None:
    # A new user's file failed while it was still being copied: the row had no way to
    # try again, short of dropping the file once more.
    path = _not_audio(tmp_path)
    with qtbot.waitSignal(model_tab.runner.failed, timeout=30_000) as failed:
        model_tab.window.queue_files([path])
    tree = model_tab.panel.tree
    failed_row = model_tab.panel.row(failed.args[0])
    assert tree.currentItem() is failed_row.item
    assert model_tab.panel.detail.text().endswith("Press Enter to try again.")
    speech.wav(SENTENCE, path)  # the copy is whole now
    with qtbot.waitSignal(model_tab.runner.finished, timeout=60_000) as finished:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    job, transcript = finished.args
    assert job != failed_row.job_id
    assert [row.job_id for row in model_tab.panel.rows.values()] == [job]  # one row, not two
    assert "library opens at" in transcript.text.lower()


def test_the_eta_leaves_out_the_time_a_job_waited_for_dictations(qtbot: QtBot) -> None:
    # A 30-minute file paused for a 4-minute dictation: at 45 % the ETA said 5:45, and the
    # job was done a minute later. The speed is the time spent transcribing, waits left out.
    row = QueueRow(
        1, Path("talk.wav"), QTreeWidgetItem(), QProgressBar(), QToolButton(), started_at=100.0
    )
    row.pause(130.0)  # 30 s in, a dictation starts
    assert row.working_s(300.0) == 30.0  # frozen while it waits
    row.resume(370.0)
    row.pause(380.0)
    row.resume(390.0)
    assert row.working_s(400.0) == 50.0  # 30 + 10 + 10: 270 s of waiting left out
