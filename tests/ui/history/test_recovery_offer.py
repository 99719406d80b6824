"""The GUI and the crash journal: written while dictating, offered for recovery after a crash.

The controller runs with a real worker thread, ring buffer, MicSource (on a fake
sound device) and history; the recovery offer with the real file queue and
tiny.en, inside the real composition root.
"""

from __future__ import annotations

import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from pytestqt.qtbot import QtBot

from app.core.audio.file_decoder import decode_file
from app.core.audio.journal_recovery import find_unfinished_journals
from app.core.audio.recording_journal import RecordingJournal, journals_dir, sidecar_path
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.engine.pause_gate import PauseGate
from app.core.output.history import HistoryStore
from app.core.settings import Settings
from app.main import DesktopApp
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from app.ui.files.file_jobs import FileJobRunner
from app.ui.history.recovery_offer import RecoveryOffer
from saytype_bench.accuracy import word_error_rate
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.fakes.scripted_pipeline import ScriptedPipeline, ScriptedTranscriber
from tests.support.journal_spy import spy_on_journal_files
from tests.support.screenshots import save_screenshot
from tests.support.speech import SpeechMaker

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]

SENTENCE = "The museum is closed on Mondays."


class Rig:
    def __init__(self, tmp_path: Path, **settings: object) -> None:
        noise = np.random.default_rng(1).uniform(-0.3, 0.3, 32_000).astype(np.float32)
        self.mic = Microphone(backend=FakeSoundDevice(noise, realtime=True))
        self.worker = InferenceWorker(
            ScriptedPipeline(["one", "two"]), self.mic.ring, self.mic.new_audio
        )
        self.history = HistoryStore(tmp_path / "history.sqlite3")
        self.controller = DictationController(
            self.worker,
            self.mic,
            FakeDelivery(),
            self.history,
            Settings(**settings),
            "tiny.en",  # type: ignore[arg-type]
        )

    def close(self) -> None:
        self.controller.cancel()
        assert self.worker.shutdown(5000)
        self.mic.close()
        self.history.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = Rig(tmp_path)
    yield made
    made.close()


def _journal_files() -> list[Path]:
    if not journals_dir().exists():
        return []
    # A name starting with "." is a journal still being created (on the journal's thread).
    return sorted(path for path in journals_dir().glob("*.wav") if not path.name.startswith("."))


def _journal_grows(qtbot: QtBot) -> Path:
    qtbot.waitUntil(lambda: len(_journal_files()) == 1, timeout=5000)
    path = _journal_files()[0]
    qtbot.waitUntil(lambda: path.stat().st_size > 44 + 16_000, timeout=10_000)  # > 0.5 s
    return path


def test_a_dictation_is_journaled_while_it_runs_and_the_journal_goes_at_the_end(
    qtbot: QtBot, rig: Rig
) -> None:
    assert rig.controller.start()
    path = _journal_grows(qtbot)
    assert find_unfinished_journals() == []  # ours is live: never offered
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        rig.controller.stop()
    # Deleted in the journal's own thread, the audio first.
    qtbot.waitUntil(lambda: not path.exists() and not sidecar_path(path).exists())


def test_cancel_deletes_the_journal(qtbot: QtBot, rig: Rig) -> None:
    assert rig.controller.start()
    path = _journal_grows(qtbot)
    rig.controller.cancel()
    qtbot.waitUntil(lambda: not path.exists())


def test_kept_audio_is_the_journal_pre_roll_included(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig(tmp_path, keep_audio=True, pre_roll_ms=300)
    releases: list[int] = []
    finish = rig.worker.finish

    def spy_finish(job_id: int, end: int) -> None:
        releases.append(end)  # where the controller released the dictation
        finish(job_id, end)

    monkeypatch.setattr(rig.worker, "finish", spy_finish)
    try:
        with qtbot.waitSignal(rig.mic.opened):
            rig.mic.open()
        qtbot.waitUntil(lambda: rig.mic.ring.position > 8000, timeout=5000)  # a pre-roll exists
        pressed_at = rig.mic.ring.position
        assert rig.controller.start()
        _journal_grows(qtbot)
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            rig.controller.stop()
        entry = rig.history.latest()
        assert entry is not None
        assert entry.audio_path is not None
        with wave.open(entry.audio_path) as handle:
            kept = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
        (end,) = releases
        start = end - len(kept)
        assert start < pressed_at - 4000  # the 0.3 s pre-roll is in it
        heard = rig.mic.ring.read_since(start, len(kept))
        assert heard.lost == 0
        assert np.array_equal((np.clip(heard.samples, -1, 1) * 32767).astype("<i2"), kept)
        assert _journal_files() == []
    finally:
        rig.close()


def test_the_gui_thread_never_touches_a_journal_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on_journal_files(monkeypatch)
    rig = Rig(tmp_path, keep_audio=True)
    try:
        for ending in ("kept", "cancelled"):
            assert rig.controller.start()
            _journal_grows(qtbot)
            if ending == "kept":
                with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
                    rig.controller.stop()
            else:
                rig.controller.cancel()
            qtbot.waitUntil(lambda: _journal_files() == [])
        assert rig.history.latest().audio_path is not None  # type: ignore[union-attr]
    finally:
        rig.close()
    assert {"create", "append", "keep_as", "discard"} <= {call for call, _ in calls}
    gui = threading.main_thread().name
    assert [call for call, thread in calls if thread == gui] == []


def test_paused_history_writes_no_journal(qtbot: QtBot, tmp_path: Path) -> None:
    rig = Rig(tmp_path, pause_history=True)
    try:
        assert rig.controller.start()
        qtbot.waitUntil(lambda: rig.mic.ring.position > 16_000, timeout=5000)
        assert not journals_dir().exists()
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            rig.controller.stop()
        assert not journals_dir().exists()
    finally:
        rig.close()


class BrokenTranscriber(ScriptedTranscriber):
    def run_pass(self, superseded: object = None) -> list[DictationEvent]:
        raise RuntimeError("the model broke")


class BrokenPipeline(ScriptedPipeline):
    def new_transcriber(self, cancel: object = None, **_decoding: object) -> ScriptedTranscriber:  # type: ignore[override]
        return BrokenTranscriber(self.words, self.pass_seconds)


def test_a_failed_dictation_leaves_its_journal_to_recover(qtbot: QtBot, tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.worker.shutdown(5000)
    rig.worker = InferenceWorker(BrokenPipeline(["one"]), rig.mic.ring, rig.mic.new_audio)
    rig.controller = DictationController(
        rig.worker, rig.mic, FakeDelivery(), rig.history, Settings(), "tiny.en"
    )
    try:
        with qtbot.waitSignal(rig.worker.failed, timeout=10_000):
            assert rig.controller.start()
        # Closed (unlocked, as after a crash) in the journal's own thread.
        qtbot.waitUntil(lambda: len(find_unfinished_journals()) == 1)
        (found,) = find_unfinished_journals()
        assert found.duration_s > 0
    finally:
        rig.close()


def _crashed_journal(audio: np.ndarray) -> Path:
    journal = RecordingJournal.create(model="tiny.en")
    journal.append(audio)
    journal.close()  # what a killed process leaves: the file, unlocked
    return journal.path


@pytest.fixture
def files() -> Iterator[FileJobRunner]:
    runner = FileJobRunner(ModelHost(resolve_model("tiny.en")), PauseGate())
    yield runner
    assert runner.shutdown()


def test_later_keeps_the_journal_and_discard_asks_first(qtbot: QtBot, files: FileJobRunner) -> None:
    path = _crashed_journal(np.zeros(3 * 16_000, np.float32))
    offer = RecoveryOffer(find_unfinished_journals(), files, None, Settings, "tiny.en")
    qtbot.addWidget(offer)
    offer.show()
    assert offer.recover_button.text() == "Reco&ver unfinished dictation (3 s)"
    assert not offer.delete_button.isVisible()
    offer.later_button.click()
    assert offer.isHidden()
    assert path.exists()

    offer.show()
    offer.discard_button.click()
    assert offer.label.text() == "Delete the unfinished recording for good?"
    offer.keep_button.click()  # changed their mind
    assert offer.recover_button.isVisible()
    assert path.exists()
    offer.discard_button.click()
    offer.delete_button.click()
    assert offer.isHidden()
    assert not path.exists()
    assert not sidecar_path(path).exists()


def test_a_dictation_recovered_elsewhere_meanwhile_is_said_so(
    qtbot: QtBot, files: FileJobRunner
) -> None:
    # `saytype recover` ran while the window offered the journal: Recover then said
    # "The recording journal … cannot be opened: [Errno 2] No such file or directory".
    path = _crashed_journal(np.zeros(3 * 16_000, np.float32))
    offer = RecoveryOffer(find_unfinished_journals(), files, None, Settings, "tiny.en")
    qtbot.addWidget(offer)
    offer.show()
    said: list[tuple[str, str]] = []
    offer.message.connect(lambda level, text: said.append((level, text)))
    path.unlink()
    sidecar_path(path).unlink(missing_ok=True)
    with qtbot.waitSignal(offer.taken_elsewhere, timeout=1000):
        offer.recover_button.click()
    assert said == [
        (
            "info",
            "The unfinished dictation was recovered elsewhere meanwhile (saytype recover); "
            "History shows what was recovered.",
        )
    ]
    assert offer.isHidden()


@pytest.mark.model
def test_the_next_start_offers_recovery_into_history_and_types_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speech: SpeechMaker
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    audio = decode_file(speech.wav(SENTENCE, tmp_path / "said.wav")).samples
    path = _crashed_journal(audio)
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        offer = app.parts.recovery_offer
        assert isinstance(offer, RecoveryOffer)
        assert offer.isVisible()
        seconds = round(len(audio) / 16_000)
        assert offer.recover_button.text() == f"Reco&ver unfinished dictation ({seconds} s)"
        save_screenshot(app.parts.window, "recovery-offer.png", tmp_path)  # type: ignore[arg-type]
        delivered: list[object] = []
        app.parts.delivery.delivered.connect(lambda *args: delivered.append(args))  # type: ignore[attr-defined]
        with qtbot.waitSignal(offer.recovered, timeout=60_000) as recovered:
            offer.recover_button.click()
        entry = recovered.args[0]
        assert word_error_rate([SENTENCE], [entry.text]) == 0
        assert entry.duration_s == pytest.approx(len(audio) / 16_000)
        assert offer.isHidden()
        assert not path.exists()
        assert not list(path.parent.glob(f"{path.stem}*"))  # history only: no transcript file
        history = app.parts.history
        assert isinstance(history, HistoryStore)
        assert history.latest() == entry
        panel = app.parts.history_panel
        assert entry in panel.entries()  # type: ignore[attr-defined]
        window = app.parts.window
        assert f"Recovered into history: {entry.text}" in window.notice.label.text()  # type: ignore[attr-defined]
        assert delivered == []  # nothing typed or pasted
        assert app.parts.controller.last_text == ""  # type: ignore[attr-defined]
    finally:
        app.shutdown()


class ServerDown(QObject):
    """The file queue while the only engine allowed is a server that is down."""

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.added: list[Path] = []

    def add(self, path: Path, *, save: bool = True) -> int:
        self.added.append(path)
        job_id = len(self.added)
        QTimer.singleShot(0, lambda: self.failed.emit(job_id, REFUSED))
        return job_id


REFUSED = "Cannot connect to wyoming://127.0.0.1:9: connection refused."


def test_a_recovery_that_fails_is_offered_again_at_once(qtbot: QtBot) -> None:
    # Recovering through a server still down hid the banner: no way to try again but a
    # restart, and nothing said the recording was kept.
    path = _crashed_journal(np.full(3 * 16_000, 0.1, np.float32))
    files = ServerDown()
    offer = RecoveryOffer(find_unfinished_journals(), files, None, Settings, "tiny.en")  # type: ignore[arg-type]
    qtbot.addWidget(offer)
    offer.show()
    for attempt in (1, 2):
        offer.recover_button.click()
        qtbot.waitUntil(offer.recover_button.isEnabled)
        assert files.added == [path] * attempt
        assert offer.isVisible()
        assert offer.label.text() == (
            f"The unfinished dictation could not be recovered: {REFUSED} Try again, or later: "
            "it is kept until you do."
        )
        assert path.exists()
    offer.later_button.click()
    assert find_unfinished_journals()[0].path == path  # still offered at the next start
