"""History → Retry: the kept recording is heard again, into a new history entry.

It went through the Files tab as a dropped file would: the text was saved as a
subtitle file in the user's transcripts folder and never reached history.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.output.history import HistoryStore
from app.ui.files.file_compute import TranscriptSaving
from app.ui.files.file_jobs import FileJobRunner
from app.ui.history.history_retry import HistoryRetry
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = [pytest.mark.gui, pytest.mark.model]

SAID = "Please move the design review to Thursday afternoon."


@pytest.fixture
def runner(tiny_en: ModelHost, tmp_path: Path) -> Iterator[FileJobRunner]:
    files = FileJobRunner(tiny_en, PauseGate())
    files.configure(TranscribeOptions(beam_size=1), None)
    files.saving = TranscriptSaving(tmp_path / "exports", "srt")  # what Settings → Files says
    (tmp_path / "exports").mkdir()
    yield files
    assert files.shutdown(10_000)


def test_a_retry_adds_what_was_heard_to_history_and_writes_no_file(
    qtbot: QtBot, runner: FileJobRunner, speech: SpeechMaker, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    try:
        audio = speech.wav(SAID, tmp_path / "kept.wav")
        old = store.add("please move the design few", 3.0, "tiny.en", str(audio), profile="Mail")
        retry = HistoryRetry(runner, store, lambda: "base.en")
        with qtbot.waitSignal(retry.added, timeout=60_000) as added:
            retry.retry(old)
        assert added.args is not None
        new = added.args[0]
        assert word_error_rate([SAID], [new.text]) <= 0.1, new.text
        assert (new.model, new.profile, new.audio_path) == ("base.en", "Mail", None)
        assert store.get(new.id) == new  # saved, beside the old entry
        assert store.get(old.id) == old
        assert list((tmp_path / "exports").iterdir()) == []  # not among the user's transcripts
        assert audio.exists()  # the old entry keeps its recording
    finally:
        store.close()


def test_a_recording_that_cannot_be_read_says_so_and_changes_nothing(
    qtbot: QtBot, runner: FileJobRunner, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    try:
        damaged = tmp_path / "kept.wav"
        damaged.write_bytes(b"not a recording")
        old = store.add("what was said", 2.0, "tiny.en", str(damaged))
        retry = HistoryRetry(runner, store, lambda: "tiny.en")
        said: list[tuple[str, str]] = []
        retry.message.connect(lambda severity, text: said.append((severity, text)))
        retry.retry(old)
        qtbot.waitUntil(lambda: any(severity == "error" for severity, _ in said), timeout=30_000)
        assert said[-1][1].startswith("The recording could not be transcribed again: ")
        assert store.count() == 1
    finally:
        store.close()
