"""The Files tab on the active server (Settings → Engine): words back, and faults that lose nothing.

The real main window and file queue, as the app builds them, with a real
faster-whisper-server on 127.0.0.1 serving the bundled tiny.en
(tests/support/openai_server.py) and hibari-tts speech. A server killed
before the file reaches it leaves the file to the local model (fallback on)
or fails it in one sentence while its row stays in the queue (fallback off).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.engine.remote.endpoint_book import Endpoint
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from app.ui.files.queue_rows import COLUMNS
from app.ui.history.history_panel import HistoryPanel
from app.ui.shell.main_window import MainWindow
from saytype_bench.accuracy import word_error_rate
from tests.support.ci import fail_missing
from tests.support.controller_rig import build_rig
from tests.support.openai_server import OpenAIServer, running_openai_server, server_missing
from tests.support.speech import SpeechMaker

pytestmark = [
    pytest.mark.gui,
    pytest.mark.model,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

STATUS = COLUMNS.index("Status")
SENTENCES = [
    "Please book a table for four people at seven tonight.",
    "The museum is closed on Mondays, so we will go on Tuesday.",
]
WER_BOUND = 0.05  # tiny.en on hibari-tts speech, here or on the server


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCES, tmp_path_factory.mktemp("files_remote") / "meeting.wav")


def _started_server(log: Path) -> Iterator[OpenAIServer]:
    missing = server_missing()
    if missing is not None:
        fail_missing(missing)
    with running_openai_server(log) as server:
        yield server


@pytest.fixture
def killed_server(tmp_path: Path) -> Iterator[OpenAIServer]:
    """A server that ran, then was killed: its port refuses connections."""
    for running in _started_server(tmp_path / "server.log"):
        running.process.kill()
        running.process.wait(10)
        yield running


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, tiny_en: ModelHost) -> Iterator[MainWindow]:
    rig = build_rig(tmp_path, ["hello"])
    runner = FileJobRunner(tiny_en, PauseGate())
    runner.configure(TranscribeOptions(beam_size=1), None)
    panel = QueuePanel(runner)
    main = MainWindow(rig.controller, rig.mic, HistoryPanel(rig.history), "Ctrl+Shift+Space", panel)
    main.files_dropped.connect(lambda paths: [runner.add(path) for path in paths])
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    assert runner.shutdown(10_000)
    rig.close()


def queue_of(window: MainWindow) -> QueuePanel:
    panel = window.queue_panel
    assert isinstance(panel, QueuePanel)
    return panel


def test_a_dropped_file_goes_to_the_active_server_and_its_words_come_back(
    qtbot: QtBot, window: MainWindow, openai_server: OpenAIServer, spoken: Path
) -> None:
    panel = queue_of(window)
    runner = panel.runner
    assert not panel.route_label.isVisibleTo(panel)  # local: nothing to say
    runner.use_endpoint(Endpoint("fws", openai_server.url, "openai", language="en"))
    assert panel.route_label.isVisibleTo(panel)
    assert panel.route_label.text() == (
        f"Files are sent to fws ({openai_server.url}) to be transcribed (Settings → Engine)."
    )
    statuses: list[str] = []
    runner.started.connect(lambda job: statuses.append(panel.row(job).status))
    mark = openai_server.log_mark()
    with qtbot.waitSignal(runner.finished, timeout=120_000) as finished:
        window.queue_files([spoken])
    job, transcript = finished.args
    assert statuses == ["Sending to fws"]
    assert transcript.complete
    assert transcript.model_name == "whisper-1"  # the server's answer, not the local model's
    assert word_error_rate([" ".join(SENTENCES)], [transcript.text]) <= WER_BOUND, transcript.text
    assert len(transcript.segments) >= 2  # timed segments, exportable as srt
    row = panel.row(job)
    assert row.status == "Done on fws"
    assert row.item.toolTip(STATUS) == (
        f"Done on fws: this file's audio is sent to fws ({openai_server.url})."
    )
    assert row.note is None
    assert openai_server.log_since(mark).count("POST /v1/audio/transcriptions") == 1

    runner.use_endpoint(None)  # Settings → Engine → Local
    assert not panel.route_label.isVisibleTo(panel)


def test_a_killed_server_leaves_the_file_to_the_local_model_and_says_why(
    qtbot: QtBot, window: MainWindow, killed_server: OpenAIServer, spoken: Path
) -> None:
    panel = queue_of(window)
    runner = panel.runner
    runner.use_endpoint(Endpoint("fws", killed_server.url, "openai"), fallback=True)
    with (
        qtbot.waitSignal(runner.fell_back, timeout=60_000) as fell_back,
        qtbot.waitSignal(runner.finished, timeout=120_000) as finished,
    ):
        window.queue_files([spoken])
    job, transcript = finished.args
    assert fell_back.args[0] == job
    assert transcript.complete
    assert transcript.model_name != "whisper-1"  # the local model's
    assert word_error_rate([" ".join(SENTENCES)], [transcript.text]) <= WER_BOUND, transcript.text
    notice = (
        f"Cannot connect to {killed_server.url}: connection refused; check that the server is "
        "running and that the host and port are right; this file was transcribed locally instead."
    )
    assert fell_back.args[1] == notice
    row = panel.row(job)
    assert row.status == "Done"
    assert row.note is not None
    assert row.note.text(0) == notice  # under the row, without selecting it


def test_without_fallback_a_killed_server_fails_the_file_in_one_sentence_and_keeps_it(
    qtbot: QtBot, window: MainWindow, killed_server: OpenAIServer, spoken: Path
) -> None:
    panel = queue_of(window)
    runner = panel.runner
    runner.use_endpoint(Endpoint("fws", killed_server.url, "openai"), fallback=False)
    with qtbot.waitSignal(runner.failed, timeout=60_000) as failed:
        window.queue_files([spoken])
    job, message = failed.args
    assert message == (
        f"Cannot connect to {killed_server.url}: connection refused; check that the server is "
        "running and that the host and port are right."
    )
    row = panel.row(job)  # still in the queue, with its file
    assert row.path == spoken
    assert row.transcript is None
    assert row.status == f"Failed: {message}"
    assert row.note is not None
    assert row.note.text(0) == message
    assert panel.tree.indexOfTopLevelItem(row.item) == 0
