"""The file queue in the window: drops, progress, cancel, bad files, export, dictation first.

Real files (hibari-tts speech), the real tiny.en model shared by the file runner
and live dictation, real drop events with file URLs, and exported subtitles
re-read by independent parsers (srt, webvtt-py).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import srt
import webvtt
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.engine.transcript import Transcript
from app.core.output.history import HistoryStore
from app.core.output.queue_journal import QueueJournal
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from app.ui.files.results_view import ResultsView
from app.ui.shell.main_window import MainWindow
from saytype_bench.accuracy import word_error_rate
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.screenshots import save_screenshot
from tests.support.speech import SpeechMaker

pytestmark = [
    pytest.mark.gui,
    pytest.mark.model,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

SHORT = "The library opens at nine on weekdays."
LONG = [
    "Our meeting started with a review of the budget for the coming year.",
    "Sales grew in every region except the north, where two stores closed.",
    "The team agreed to hire three engineers before the summer.",
    "Marketing will present the new campaign at the next meeting.",
    "Finally, everyone thanked Paula for organising the offsite.",
    "The next review is planned for the second week of March.",
    "After lunch, the engineers showed a demo of the new search page.",
    "It answers most questions in under a second, even on old phones.",
    "Support asked for better reports about customers who cancel.",
    "The finance team will share the spending figures on Thursday.",
    "Two people volunteered to write the guide for new employees.",
    "The meeting ended a little early, and everyone went home happy.",
]  # about a minute: several 30 s windows, so a cancel lands mid-job
DICTATED = "Please call the plumber about the kitchen sink."


@dataclass
class Queue:
    runner: FileJobRunner
    panel: QueuePanel
    window: MainWindow
    controller: DictationController
    worker: InferenceWorker
    mic: Microphone


@pytest.fixture(scope="module")
def media(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    (folder / "talks").mkdir()
    return {
        "short": speech.wav(SHORT, folder / "talks" / "short.wav"),
        "long": speech.wav(LONG, folder / "long.wav", pause_s=1.0),
        "corrupt": _write(folder / "talks" / "corrupt.mp3", b"ID3" + os.urandom(2000)),
        "notes": _write(folder / "talks" / "notes.txt", b"not media"),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def queue(qtbot: QtBot, tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path) -> Iterator[Queue]:
    silence = np.zeros(8000, np.float32)
    spoken = np.concatenate([silence, speech.samples(DICTATED), silence])
    mic = Microphone(backend=FakeSoundDevice(spoken, realtime=True))
    gate = PauseGate()
    worker = InferenceWorker(LivePipeline(tiny_en), mic.ring, mic.new_audio)
    history = HistoryStore(tmp_path / "history.sqlite3")
    controller = DictationController(
        worker, mic, FakeDelivery(), history, Settings(output="window"), "tiny.en", gate=gate
    )
    runner = FileJobRunner(tiny_en, gate)
    runner.configure(TranscribeOptions(beam_size=1), None)  # greedy: these tests time the queue
    panel = QueuePanel(runner)
    window = MainWindow(controller, mic, None, "Ctrl+Shift+Space", panel)
    window.files_dropped.connect(lambda paths: [runner.add(p) for p in paths])
    qtbot.addWidget(window)
    window.show()
    yield Queue(runner, panel, window, controller, worker, mic)
    controller.cancel()
    assert runner.shutdown(10_000)
    assert worker.shutdown(10_000)
    mic.close()
    history.close()


def _drop(window: MainWindow, paths: list[Path]) -> None:
    """Drag ``paths`` over the window and drop them.

    The drag-enter goes through Qt's event dispatch (the window must accept it);
    Qt delivers Drop events only from its own drag manager, so the drop itself
    is handed to the window's handler directly.
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(QPoint(10, 10)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert event.isAccepted()


def test_dropped_folder_and_file_queue_run_and_fail_clearly(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    progress: dict[int, list[float]] = {}
    queue.runner.progress.connect(lambda job, f: progress.setdefault(job, []).append(f))
    done: list[int] = []
    queue.runner.finished.connect(lambda job, _t: done.append(job))
    queue.runner.failed.connect(lambda job, _m: done.append(job))
    _drop(queue.window, [media["short"].parent])  # the folder: short.wav and corrupt.mp3 only
    qtbot.waitUntil(lambda: len(done) == 2, timeout=60_000)
    rows = {row.path.name: row for row in queue.panel.rows.values()}
    assert set(rows) == {"short.wav", "corrupt.mp3"}
    good, bad = rows["short.wav"], rows["corrupt.mp3"]
    assert good.status == "Done"
    assert good.transcript is not None
    assert word_error_rate([SHORT], [good.transcript.text]) <= 0.15
    assert progress[good.job_id] == sorted(progress[good.job_id])
    assert progress[good.job_id][-1] == 1.0
    assert good.bar.value() == 1000
    assert bad.status.startswith("Failed: ")
    assert "corrupt.mp3" not in bad.status  # the reason, without repeating the path
    assert bad.error is not None
    assert "not an audio or video file" in bad.error or "decode" in bad.error
    assert queue.window.side_tabs.currentWidget() is queue.panel
    queue.window.show_model_status("ready")
    queue.window.resize(1100, 520)
    save_screenshot(queue.window, "file-queue.png", tmp_path)


def test_file_jobs_are_shaped_like_dictation(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    from app.core.text.shaper import ShapingOptions, TextShaper

    shaper = TextShaper(ShapingOptions(replacements=(("library", "Town Library"),)))
    queue.runner.configure(TranscribeOptions(beam_size=1), shaper)
    with qtbot.waitSignal(queue.runner.finished, timeout=60_000) as done:
        queue.runner.add(media["short"])
    transcript = done.args[1]
    assert "Town Library" in transcript.text
    assert any("Town Library" in segment.text for segment in transcript.segments)


def test_a_file_deleted_while_queued_fails_and_the_queue_goes_on(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    doomed = tmp_path / "doomed.wav"
    doomed.write_bytes(media["short"].read_bytes())
    failed: list[str] = []
    finished: list[int] = []
    queue.runner.failed.connect(lambda _job, message: failed.append(message))
    queue.runner.finished.connect(lambda job, _t: finished.append(job))
    queue.runner.gate.close()  # hold the queue still while the file disappears
    queue.runner.add(media["short"])
    queue.runner.add(doomed)
    doomed.unlink()
    queue.runner.gate.release()
    qtbot.waitUntil(lambda: bool(failed) and bool(finished), timeout=60_000)
    assert "no such file" in failed[0]


def test_cancel_mid_job_keeps_the_done_segments_for_export(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    from app.ui.files.file_compute import TranscriptSaving

    finished: list[Transcript | None] = []
    saved: list[str] = []
    queue.runner.finished.connect(lambda _job, t: finished.append(t))
    queue.runner.saved.connect(lambda _job, path: saved.append(path))
    (tmp_path / "out").mkdir()
    queue.runner.saving = TranscriptSaving(tmp_path / "out", "srt")
    job = queue.runner.add(media["long"])
    with qtbot.waitSignal(queue.runner.segment, timeout=60_000):
        pass
    row = queue.panel.row(job)
    row.cancel.click()  # the row's ✕
    # Said at once: the job stops only after its model call (many seconds on a long file).
    assert row.status == "Cancelling…"
    assert not row.cancel.isEnabled()
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    partial = finished[0]
    assert partial is not None
    assert not partial.complete
    assert 1 <= len(partial.segments) < len(LONG)
    assert queue.panel.row(job).status == "Cancelled (partial)"
    note = queue.panel.row(job).item.child(0)  # the line under the row: what was kept
    assert note is not None
    assert note.text(0).startswith("Cancelled: the first 0:")
    assert note.text(0).endswith("is transcribed; Enter shows it.")
    # Saved at once as the CLI's Ctrl+C does: a crash or a quit after the cancel lost it.
    qtbot.waitUntil(lambda: bool(saved), timeout=10_000)
    assert saved == [str(tmp_path / "out" / "long.partial.srt")]
    kept = list(srt.parse(Path(saved[0]).read_text(encoding="utf-8")))
    assert kept[0].content.split()[0] == partial.text.split()[0]
    assert queue.panel.unsaved_transcripts() == 0
    view = ResultsView(media["long"], partial, tmp_path)
    qtbot.addWidget(view)
    for fmt in ("srt", "vtt"):
        view.format.setCurrentText(fmt)
        written = view.export_to(tmp_path)
        assert written is not None
        assert written.exists()
    cues = list(srt.parse((tmp_path / "long.partial.srt").read_text(encoding="utf-8")))
    assert len(cues) >= 1
    captions = webvtt.read(str(tmp_path / "long.partial.vtt"))
    assert len(captions) >= 1
    assert " ".join(c.text for c in captions).split()[0] == partial.text.split()[0]
    view.copy_segment(0)
    assert QApplication.clipboard().text() == partial.segments[0].text


def test_a_queued_file_cancelled_says_so_at_once_while_another_runs(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    running = queue.runner.add(media["long"])
    with qtbot.waitSignal(queue.runner.segment, timeout=60_000):
        pass
    queue.runner.gate.close()  # the running job waits at its next segment: it cannot end
    waiting = queue.runner.add(media["short"])
    assert queue.panel.row(waiting).status == "Queued"
    # `saytype status` says the queue beside the dictation's state.
    assert re.fullmatch(r"transcribing long\.wav \(\d+ %\), 1 waiting", queue.runner.summary())
    with qtbot.waitSignal(queue.runner.finished, timeout=1000) as done:
        queue.panel.row(waiting).cancel.click()
    assert done.args == [waiting, None]
    assert queue.panel.row(waiting).status == "Cancelled"
    assert not queue.panel.row(waiting).cancel.isEnabled()
    assert queue.runner.jobs_left == 1  # the long file still runs
    assert re.fullmatch(r"transcribing long\.wav \(\d+ %\)", queue.runner.summary())
    queue.runner.gate.release()
    with qtbot.waitSignal(queue.runner.finished, timeout=120_000) as rest:
        pass
    assert rest.args is not None
    assert rest.args[0] == running
    assert queue.panel.row(waiting).status == "Cancelled"  # the file thread skipped it
    assert queue.runner.summary() == ""


def test_a_dictation_during_a_file_job_finishes_first(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    order: list[str] = []
    queue.runner.finished.connect(lambda _job, _t: order.append("file"))
    queue.controller.final_text.connect(lambda _text: order.append("dictation"))
    job = queue.runner.add(media["long"])
    with qtbot.waitSignal(queue.runner.segment, timeout=60_000):
        pass  # the file job is under way
    with qtbot.waitSignal(queue.controller.final_text, timeout=60_000) as final:
        assert queue.controller.start()  # opens the (real-time paced) microphone
        streams = queue.mic._backend.streams
        qtbot.waitUntil(lambda: bool(streams), timeout=10_000)  # it opens on its own lane
        played = streams[-1].played
        qtbot.waitUntil(played.is_set, timeout=20_000)
        queue.controller.stop()
    assert word_error_rate([DICTATED], [final.args[0]]) <= 0.2
    with qtbot.waitSignal(queue.runner.segment, timeout=60_000):
        pass  # the file job resumed after the dictation
    queue.runner.cancel(job)
    qtbot.waitUntil(lambda: "file" in order, timeout=60_000)
    assert order == ["dictation", "file"]


def test_finished_transcripts_are_saved_as_the_settings_say_and_never_over_a_file(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    from app.ui.files.file_compute import TranscriptSaving

    exports = tmp_path / "exports"
    exports.mkdir()
    edited = exports / "short.srt"
    edited.write_text("my own edits\n", encoding="utf-8")  # an earlier transcript, edited
    queue.runner.saving = TranscriptSaving(exports, "srt")
    saved: list[str] = []
    queue.runner.saved.connect(lambda _job, path: saved.append(path))
    queue.runner.add(media["short"])
    qtbot.waitUntil(lambda: bool(saved), timeout=60_000)

    assert saved == [str(exports / "short-2.srt")]
    assert edited.read_text(encoding="utf-8") == "my own edits\n"
    (subtitle,) = srt.parse(Path(saved[0]).read_text(encoding="utf-8"))
    assert word_error_rate([SHORT], [subtitle.content]) <= 0.15
    row = next(iter(queue.panel.rows.values()))
    assert row.status == "Done"
    assert row.saved_to == Path(saved[0])
    lines = [row.item.child(i).text(0) for i in range(row.item.childCount())]
    assert lines == [f"Saved as {saved[0]}"]


def test_clear_finished_takes_off_what_is_saved_and_keeps_what_is_not(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    # A new user's list only grew: the ✕ of a done row did nothing, and nothing cleared it.
    from app.ui.files.file_compute import TranscriptSaving

    panel = queue.panel
    assert not panel.clear_ended.isEnabled()
    assert not panel.cancel_all.isEnabled()  # nothing to cancel
    queue.runner.saving = TranscriptSaving(tmp_path, "txt")
    saved: list[str] = []
    queue.runner.saved.connect(lambda _job, path: saved.append(path))
    done = queue.runner.add(media["short"])
    failed = queue.runner.add(media["notes"])
    assert panel.cancel_all.isEnabled()
    qtbot.waitUntil(lambda: bool(saved) and panel.row(failed).ended, timeout=60_000)
    not_a_folder = tmp_path / "full disk"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    queue.runner.saving = TranscriptSaving(not_a_folder, "txt")  # its part cannot be saved
    unsaved: list[int] = []
    queue.runner.save_failed.connect(lambda job, _message: unsaved.append(job))
    partial = queue.runner.add(media["long"])
    qtbot.waitUntil(lambda: panel.row(partial).fraction > 0, timeout=60_000)
    queue.runner.cancel(partial)
    qtbot.waitUntil(lambda: unsaved == [partial], timeout=60_000)
    assert panel.row(partial).transcript is not None  # its text is only here
    assert not panel.row(done).cancel.isEnabled()
    assert panel.row(done).cancel.text() == ""  # no ✕ that cancels nothing
    assert not panel.cancel_all.isEnabled()

    qtbot.mouseClick(panel.clear_ended, Qt.MouseButton.LeftButton)

    assert list(panel.rows) == [partial]
    assert panel.tree.topLevelItemCount() == 1
    assert "saved nowhere" in panel.detail.text()
    assert panel.unsaved_transcripts() == 1


def test_a_transcript_that_cannot_be_saved_stays_in_the_queue_and_says_why(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    from app.ui.files.file_compute import TranscriptSaving

    not_a_folder = tmp_path / "exports"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    queue.runner.saving = TranscriptSaving(not_a_folder, "txt")
    journal = queue.runner.journal = QueueJournal(tmp_path / "file-queue.json")
    failed: list[str] = []
    queue.runner.save_failed.connect(lambda _job, message: failed.append(message))
    queue.runner.add(media["short"])
    qtbot.waitUntil(lambda: bool(failed), timeout=60_000)
    # Its text lives only in the list: a crash now must not forget the file (the next
    # start offers it again).
    queue.runner.write_down()  # as any later change to the queue does
    assert queue.runner._save_lane.wait_idle(10)  # the journal is written by now
    assert _listed(journal) == [str(media["short"])]

    assert "is not a folder" in failed[0]
    row = next(iter(queue.panel.rows.values()))
    assert row.status == "Done (not saved)"
    assert row.transcript is not None  # nothing lost: Enter opens it to export elsewhere
    assert word_error_rate([SHORT], [row.transcript.text]) <= 0.15
    line = row.item.child(row.item.childCount() - 1).text(0)
    assert line.startswith("Not saved: ")
    assert line.endswith("Press Enter to export it elsewhere.")
    # Until it is exported, a quit would lose it: the quit question counts it.
    assert queue.panel.unsaved_transcripts() == 1
    lines = row.item.childCount()
    queue.panel.mark_exported(row.job_id, str(tmp_path / "short.txt"))
    assert queue.panel.unsaved_transcripts() == 0
    qtbot.waitUntil(lambda: not journal.path.exists(), timeout=10_000)  # saved: forgotten
    queue.panel.mark_exported(row.job_id, str(tmp_path / "short.txt"))  # exported again
    assert row.item.childCount() == lines  # listed once, and "Not saved" is gone
    assert row.item.child(lines - 1).text(0) == f"Exported to {tmp_path / 'short.txt'}"
    assert row.status == "Done"  # it said "Done (not saved)" beside "Exported to"


def test_a_recovered_dictation_is_not_counted_unsaved(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    job = queue.runner.add(media["short"], save=False)  # its text goes to history
    qtbot.waitUntil(lambda: queue.panel.row(job).transcript is not None, timeout=60_000)
    assert queue.panel.unsaved_transcripts() == 0


def test_a_file_without_speech_says_so_and_saves_no_empty_transcript(
    qtbot: QtBot, queue: Queue, tmp_path: Path
) -> None:
    # A new user's 20 s of silence showed "Done" and left a 0-byte .srt in their folder.
    from app.core.audio.wav_file import write_wav
    from app.ui.files.file_compute import TranscriptSaving

    exports = tmp_path / "exports"
    exports.mkdir()
    quiet = tmp_path / "room tone.wav"
    write_wav(quiet, np.zeros(16_000 * 20, np.float32), 16_000)
    queue.runner.saving = TranscriptSaving(exports, "srt")
    with qtbot.waitSignal(queue.runner.finished, timeout=60_000) as finished:
        queue.runner.add(quiet)
    assert finished.args is not None
    transcript = finished.args[1]
    assert transcript is not None
    assert transcript.complete
    assert transcript.text.strip() == ""
    assert queue.runner._save_lane.wait_idle(5)  # a save, had one been asked for, is written
    assert list(exports.iterdir()) == []
    row = next(iter(queue.panel.rows.values()))
    assert row.status == "No speech heard"
    lines = [row.item.child(i).text(0) for i in range(row.item.childCount())]
    assert lines == ["No speech was heard in this file, so there is no transcript."]


def test_cancel_all_asks_first_when_several_files_are_left(
    qtbot: QtBot, queue: Queue, media: dict[str, Path], tmp_path: Path
) -> None:
    # One click on Cancel all stopped a heavy user's 16 files without a word.
    panel = queue.panel
    copies = [tmp_path / f"part {number}.wav" for number in range(3)]
    for copy in copies:
        copy.write_bytes(media["long"].read_bytes())
    jobs = [queue.runner.add(copy) for copy in copies]
    box = panel.ask_to_cancel_all()
    assert box is not None
    assert box.text() == "Stop the 3 files still to transcribe? What each has transcribed is kept."
    (keep,) = [button for button in box.buttons() if button.text() == "&Keep going"]
    with qtbot.waitSignal(box.finished):
        keep.click()
    assert not any(panel.row(job).ended for job in jobs)
    box = panel.ask_to_cancel_all()
    assert box is not None
    (cancel,) = [button for button in box.buttons() if button.text() == "&Cancel them"]
    with qtbot.waitSignal(box.finished):
        cancel.click()
    qtbot.waitUntil(lambda: all(panel.row(job).ended for job in jobs), timeout=60_000)


def test_a_file_added_again_while_it_waits_or_runs_is_not_queued_twice(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    # A new user's second `saytype long.mp3`, and the restore offer, each added another
    # row and transcribed the file a second time.
    queue.runner.gate.close()  # the queue holds still
    first = queue.runner.add(media["short"])
    with qtbot.waitSignal(queue.runner.already_queued) as again:
        assert queue.runner.add(Path(str(media["short"]))) == first  # a path of its own
    assert again.args == [first]
    assert len(queue.panel.rows) == 1
    assert queue.panel.detail.text() == "short.wav is already in the queue: queued."
    assert queue.panel.tree.currentItem() is queue.panel.row(first).item
    finished: list[int] = []
    queue.runner.finished.connect(lambda job, _t: finished.append(job))
    queue.runner.gate.release()
    qtbot.waitUntil(lambda: finished == [first], timeout=60_000)
    assert queue.runner.add(media["short"]) != first  # done: added again, it runs again


def _listed(journal: QueueJournal) -> list[str]:
    """What the queue's journal lists now ([] while it has no file)."""
    try:
        return list(json.loads(journal.path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []


def test_a_file_cancelled_before_any_text_says_cancelled_and_tries_again_on_enter(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    # At 0 % it said "Cancelled (partial)" and "the first 0:00 is transcribed; Enter shows it".
    queue.runner.gate.close()  # the job waits at its first segment
    with qtbot.waitSignal(queue.runner.started, timeout=10_000):
        job = queue.runner.add(media["short"])
    with qtbot.waitSignal(queue.runner.finished, timeout=60_000):
        queue.panel.row(job).cancel.click()
        queue.runner.gate.release()
    row = queue.panel.row(job)
    assert (row.status, row.transcript) == ("Cancelled", None)
    queue.panel.tree.setCurrentItem(row.item)
    assert queue.panel.detail.text() == "short.wav: Cancelled. Press Enter to try again."


def test_show_results_is_offered_only_for_a_file_with_text(
    qtbot: QtBot, queue: Queue, media: dict[str, Path]
) -> None:
    # It was enabled for a file still running, and a click did nothing at all.
    shown: list[int] = []
    queue.panel.results_requested.connect(shown.append)
    queue.runner.gate.close()  # the job waits at its first segment
    with qtbot.waitSignal(queue.runner.started, timeout=10_000):
        job = queue.runner.add(media["short"])
    queue.panel.tree.setCurrentItem(queue.panel.row(job).item)
    assert not queue.panel.show_results.isEnabled()
    with qtbot.waitSignal(queue.runner.finished, timeout=60_000):
        queue.runner.gate.release()
    assert queue.panel.show_results.isEnabled()
    queue.panel.show_results.click()
    assert shown == [job]
