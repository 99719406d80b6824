"""A full or read-only disk under Saytype's folders: the text still reaches the user.

Nothing here is mocked: the data or config folder is a real, tiny tmpfs that is
filled to the last byte, or mounted read-only, so SQLite, the crash journal and
the settings writer meet the kernel's own ENOSPC and EROFS. Mounting needs root
(CI runs as root); elsewhere a read-only folder is made with ``chmod 0500`` and
the full-disk cases are skipped.

What must hold: a dictation is delivered and put on the clipboard, and the user
is told that history could not keep it; ``saytype listen`` prints its final text
and warns once; saving settings says why it failed and keeps the old file.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.output.history import HistoryError, HistoryStore
from app.core.settings import Settings, SettingsError
from app.core.settings_file import load_settings, save_settings, settings_path
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.dictation_history import MESSAGE_KEPT_TO_SAVE, MESSAGE_SAVED_AT_LAST
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from saytype_bench.accuracy import word_error_rate
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.fakes.scripted_pipeline import ScriptedPipeline
from tests.support.ci import fail_missing
from tests.support.speech import SpeechMaker

Fault = Literal["full", "read-only"]
FAULTS: tuple[Fault, ...] = ("full", "read-only")
WORDS = ["send", "the", "report", "to", "Anna", "before", "noon"]
SENTENCE = "Please send the quarterly report to the finance team before Friday."
REPO = Path(__file__).resolve().parents[1]
_TMPFS_SIZE = "512k"  # room for a fresh history database, and little more


class BrokenFolder:
    """A folder that fills up or turns read-only on request (a tmpfs as root, else chmod)."""

    def __init__(self, path: Path, fault: Fault) -> None:
        self.path = path
        self.fault = fault
        path.mkdir(parents=True)
        self.mounted = False
        if os.geteuid() == 0:
            failed = _mount("-t", "tmpfs", "-o", f"size={_TMPFS_SIZE},mode=0700", "tmpfs", path)
            if failed:
                fail_missing(f"cannot mount a small tmpfs here: {failed}")
            self.mounted = True
        elif fault == "full":
            fail_missing("filling a disk for real needs root (to mount a small tmpfs)")

    def break_it(self) -> None:
        """Fill the folder's disk to the last byte, or make it read-only.

        A tmpfs cannot be remounted read-only while a file on it is open for
        writing: break a read-only folder before the app opens anything there.
        """
        if self.fault == "full":
            self._fill()
        elif self.mounted:
            failed = _mount("-o", "remount,ro", self.path)
            assert not failed, failed
        else:
            for folder in self._folders():
                folder.chmod(0o500)

    def _fill(self) -> None:
        descriptor = os.open(self.path / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        chunk = b"\0" * 4096
        try:
            with pytest.raises(OSError, match=os.strerror(errno.ENOSPC)):  # noqa: PT012 - a loop
                while True:
                    os.write(descriptor, chunk)
        finally:
            os.close(descriptor)

    def _folders(self) -> list[Path]:
        return [self.path, *(p for p in self.path.rglob("*") if p.is_dir())]

    def mend(self) -> None:
        """Free the space the filler took (a full disk only)."""
        (self.path / "filler").unlink()

    @property
    def reason(self) -> str:
        """How the failure reads in a message (chmod, without root, is a permission)."""
        if self.fault == "full":
            return "no space left"
        return "read-only" if self.mounted else "permission denied"

    def remove(self) -> None:
        if self.mounted:
            _umount(self.path)
        else:
            for folder in self._folders():
                folder.chmod(0o700)


def _mount(*args: str | Path) -> str:
    """Run ``mount ARGS``; return why it failed, or "" when it worked."""
    done = subprocess.run(
        ["mount", *map(str, args)], capture_output=True, text=True, timeout=30, check=False
    )
    return "" if done.returncode == 0 else (done.stderr.strip() or f"status {done.returncode}")


def _umount(path: Path) -> None:
    # Lazy: a file the test still holds open must not leave the mount behind.
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30, check=True)


@pytest.fixture(params=FAULTS)
def data_folder(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BrokenFolder]:
    """XDG_DATA_HOME on a folder that will be full or read-only."""
    folder = BrokenFolder(tmp_path / "data", request.param)
    monkeypatch.setenv("XDG_DATA_HOME", str(folder.path))
    yield folder
    folder.remove()


def _open_history(folder: BrokenFolder) -> HistoryStore | None:
    """What the app does at start-up: open the history, or go on without one.

    A disk fills up while the app runs; a read-only one is read-only from the start.
    """
    if folder.fault == "full":
        history = HistoryStore()
        folder.break_it()
        return history
    folder.break_it()
    try:
        return HistoryStore()
    except HistoryError:
        return None


# ---- the desktop app's controller ------------------------------------------------------


@pytest.mark.gui
def test_dictation_is_delivered_and_copied_when_history_cannot_save(
    qtbot: QtBot, data_folder: BrokenFolder
) -> None:
    history = _open_history(data_folder)
    mic = Microphone(backend=FakeSoundDevice(np.zeros(16_000, np.float32)))
    worker = InferenceWorker(ScriptedPipeline(WORDS), mic.ring, mic.new_audio)
    delivery = FakeDelivery()
    controller = DictationController(
        worker, mic, delivery, history, Settings(keep_audio=True), "tiny.en"
    )
    notices: list[tuple[str, str]] = []
    controller.notice.connect(lambda level, text: notices.append((level, text)))
    committed: list[str] = []
    worker.committed.connect(lambda _job, text: committed.append(text))
    try:
        with qtbot.waitSignal(controller.completed, timeout=10_000) as done:
            assert controller.start(source="hotkey")
            qtbot.waitUntil(lambda: len(committed) >= 2, timeout=10_000)
            controller.stop()

        text = controller.last_text
        assert text.startswith("Send the report")
        assert done.args == ["pasted", "hotkey"]
        assert delivery.typed.strip() == text
        assert delivery.clipboard == text
        if history is None:  # the start-up notice (app.main) said history is unavailable
            # Only the crash journal (which cannot be written either) may speak up.
            assert all("crash journal" in message for _level, message in notices)
        else:
            assert history.count() == 0
            warnings = [message for level, message in notices if level == "warning"]
            assert warnings[-1].startswith("Could not save the dictation")
            assert "disk is full" in warnings[-1]
            assert warnings[-1].endswith(MESSAGE_KEPT_TO_SAVE)
            # `saytype quit` from a script would have lost it without a word.
            assert "1 dictation not yet in the history" in _what_a_quit_loses(controller)
            if data_folder.fault == "full":
                data_folder.mend()  # the user frees some space, and dictates again
                committed.clear()
                with qtbot.waitSignal(controller.completed, timeout=10_000):
                    assert controller.start(source="hotkey")
                    qtbot.waitUntil(lambda: len(committed) >= 2, timeout=10_000)
                    controller.stop()
                qtbot.waitUntil(lambda: history.count() == 2, timeout=10_000)
                assert [entry.text for entry in history.search()] == [text, text]
                assert ("info", MESSAGE_SAVED_AT_LAST) in notices
                assert _what_a_quit_loses(controller) == ""
            assert controller.start()  # the next dictation is not blocked
            controller.cancel()
    finally:
        controller.cancel()
        assert worker.shutdown(5000)
        mic.close()
        if history is not None:
            history.close()


def _what_a_quit_loses(controller: DictationController) -> str:
    """`saytype quit`'s refusal with this controller and nothing else under way."""
    from types import SimpleNamespace

    from app.ui.shell.control_commands import _work_a_quit_loses

    parts = SimpleNamespace(
        files=SimpleNamespace(jobs_left=0),
        queue_panel=SimpleNamespace(unsaved_transcripts=lambda: 0),
        controller=controller,
    )
    return _work_a_quit_loses(parts)  # type: ignore[arg-type]


# ---- saytype listen ----------------------------------------------------------------------


@pytest.mark.model
def test_listen_prints_the_text_and_warns_once_when_the_data_folder_fails(
    data_folder: BrokenFolder, speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = speech.wav(SENTENCE, tmp_path / "sentence.wav")
    data_folder.break_it()

    done = subprocess.run(
        [sys.executable, "-m", "app", "listen", "--input", str(wav), "--speed", "0", "--jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )

    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1]["type"] == "final"
    assert word_error_rate([SENTENCE], [events[-1]["text"]]) <= 0.15, events[-1]["text"]
    warnings = [line for line in done.stderr.splitlines() if line.startswith("saytype: warning:")]
    assert len(warnings) == 1, done.stderr
    assert data_folder.reason in warnings[0], done.stderr
    assert "Traceback" not in done.stderr


# ---- saytype transcribe -o ----------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize("fault", FAULTS)
def test_transcribe_to_a_broken_folder_loses_no_work(
    fault: Fault, speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = speech.wav(SENTENCE, tmp_path / "sentence.wav")
    folder = BrokenFolder(tmp_path / "out", fault)
    try:
        folder.break_it()
        done = subprocess.run(
            [sys.executable, "-m", "app", "transcribe", "-o", str(folder.path), str(wav)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=REPO,
        )
    finally:
        folder.remove()

    assert done.returncode == 1, done.stderr
    assert folder.reason in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if fault == "read-only":  # refused before the work: the folder, not a transcript, is named
        assert f"error: {folder.path}: cannot write" in done.stderr, done.stderr
        assert "-o" in done.stderr.splitlines()[-1]
        assert done.stdout == ""
    else:  # the disk filled during the work: the transcript still reaches the user
        assert "follows on standard output" in done.stderr, done.stderr
        assert word_error_rate([SENTENCE], [done.stdout]) <= 0.15, done.stdout


# ---- settings --------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
def test_saving_settings_on_a_broken_disk_says_why_and_keeps_the_old_file(
    fault: Fault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = BrokenFolder(tmp_path / "config", fault)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder.path))
    try:
        save_settings(Settings().replace(model="base.en"))
        before = settings_path().read_bytes()
        folder.break_it()

        with pytest.raises(SettingsError) as raised:
            save_settings(Settings().replace(model="small.en"))

        message = str(raised.value)
        assert message.startswith(f"Could not save settings to {settings_path()}:")
        assert folder.reason in message
        assert settings_path().read_bytes() == before
        assert load_settings().settings.model == "base.en"
    finally:
        folder.remove()
