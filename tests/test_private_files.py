"""Private files: what Saytype keeps about the user is the user's alone.

Settings, the history (with sqlite's side files) and kept recordings are 0600
in 0700 folders even under a permissive umask, and files left wider by older
versions are tightened; the control socket refuses other users (checked with
a real second user when the tests run as root); dictated words never reach the
logs, at any level.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core import control_channel
from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.recording_journal import RecordingJournal, journals_dir
from app.core.audio.wav_file import write_wav
from app.core.control_channel import ControlReply
from app.core.engine.cancellation import CancellationToken
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.transcript import Segment
from app.core.engine.window_decoder import Hypothesis, Word
from app.core.output.history import HistoryStore, audio_dir, history_path
from app.core.paths import data_dir
from app.core.private_files import private_file, private_folder
from app.core.settings import Settings
from app.core.settings_file import save_settings, settings_path
from app.ui.shell.control_server import ControlServer
from tests.support.ci import fail_missing
from tests.support.speech import SpeechMaker

SECRET = ["Meet", "Doctor", "Novak", "about", "the", "biopsy"]


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The common default: without care, new files would be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_helpers_create_owner_only_and_tighten_old_ones(tmp_path: Path) -> None:
    folder = private_folder(tmp_path / "a" / "b")
    assert _mode(folder) == 0o700
    assert _mode(tmp_path / "a") == 0o755  # parents are not ours to change
    made = private_file(folder / "f")
    assert _mode(made) == 0o600
    old = tmp_path / "old"
    old.write_text("kept")
    old.chmod(0o644)
    assert _mode(private_file(old)) == 0o600
    assert old.read_text() == "kept"


def test_settings_are_saved_owner_only_and_an_old_wide_file_is_tightened() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o755)
    path.write_text("{}")
    path.chmod(0o644)  # as an older version might have left it
    save_settings(Settings(language="fr"))
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left


def test_history_database_side_files_and_recordings_are_owner_only() -> None:
    with HistoryStore() as history:
        history.add("a private sentence", 1.5, "tiny.en")
        path = history_path()
        side_files = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(side.exists() for side in side_files)  # WAL mode: both exist while open
        assert [_mode(p) for p in (path, *side_files)] == [0o600, 0o600, 0o600]
        assert _mode(path.parent) == 0o700
    recording = audio_dir() / "dictation.wav"
    write_wav(recording, np.zeros(1600, np.float32), SAMPLE_RATE)
    assert _mode(recording.parent) == 0o700
    assert _mode(recording) == 0o600


def test_a_first_run_of_saytype_listen_makes_the_data_folder_owner_only() -> None:
    # `saytype listen` opens a recording journal before any history exists.
    assert not data_dir().exists()
    journal = RecordingJournal.create(model="tiny.en")
    try:
        assert [_mode(data_dir()), _mode(journals_dir())] == [0o700, 0o700]
    finally:
        journal.discard()


def test_an_older_wide_history_is_tightened_when_opened() -> None:
    with HistoryStore() as history:
        history.add("from an older version", 1.0, "tiny.en")
    path = history_path()
    wal = path.with_name(path.name + "-wal")
    wal.touch()
    for file in (path, wal):
        file.chmod(0o644)
    path.parent.chmod(0o755)
    with HistoryStore() as history:
        assert history.count() == 1
        assert _mode(path) == _mode(wal) == 0o600
        assert _mode(path.parent) == 0o700


# The control socket ---------------------------------------------------------------------

_CLIENT = """
import socket, sys
try:
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(10)
        conn.connect(sys.argv[1])
        conn.sendall(b'{"command": "toggle", "args": []}\\n')
        print("answered" if conn.recv(4096) else "closed unanswered")
except PermissionError:
    print("permission denied")
except (BrokenPipeError, ConnectionResetError):
    print("closed unanswered")
"""


def _as_nobody(qtbot: QtBot, socket_file: Path) -> str:
    """Run a client as the user nobody; serve the GUI loop until it is done; its verdict."""
    if os.geteuid() != 0:
        fail_missing("becoming another user needs root")
    python = shutil.which("python3", path="/usr/bin:/bin")  # ours may live in root's home
    if python is None:
        fail_missing("no system python3 that the user nobody can run")
    client = subprocess.Popen(
        [python, "-I", "-c", _CLIENT, str(socket_file)],
        user="nobody",
        group="nogroup",
        extra_groups=[],
        cwd="/",
        stdout=subprocess.PIPE,
        text=True,
    )
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=15_000)
    out, _ = client.communicate()
    return out.strip()


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user can enter (pytest's own tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="saytype-test-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _serve(path: Path, received: list[str]) -> ControlServer:
    def handle(command: str, _args: list[str]) -> ControlReply:
        received.append(command)
        return ControlReply(ok=True, state="idle", message="")

    server = ControlServer(path, handle)
    assert server.listen()
    return server


@pytest.mark.gui
def test_another_user_cannot_reach_the_control_socket(
    qtbot: QtBot, open_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(open_folder))
    received: list[str] = []
    server = _serve(control_channel.socket_path(), received)
    try:
        assert _mode(control_channel.runtime_dir()) == 0o700
        verdict = _as_nobody(qtbot, control_channel.socket_path())
    finally:
        server.close()
    assert verdict == "permission denied"  # stopped by the 0700 folder
    assert received == []


@pytest.mark.gui
def test_the_server_refuses_another_user_even_past_the_file_permissions(
    qtbot: QtBot, open_folder: Path
) -> None:
    """Defence in depth: with the folder and socket opened up, the uid check still refuses."""
    socket_file = open_folder / "control.sock"
    received: list[str] = []
    server = _serve(socket_file, received)
    try:
        socket_file.chmod(0o777)
        verdict = _as_nobody(qtbot, socket_file)
    finally:
        server.close()
    assert verdict == "closed unanswered"
    assert received == []


# Logs ------------------------------------------------------------------------------------


class _SecretDecoder:
    """Hears the secret sentence; as noise (high no_speech) or stuck in a loop when told."""

    def __init__(self, no_speech: float = 0.0, loop: bool = False) -> None:
        self.no_speech = no_speech
        self.loop = loop

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: CancellationToken | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis:
        duration = len(audio) / SAMPLE_RATE
        texts = SECRET + (SECRET[-2:] * 4 if self.loop else [])
        step = max(duration - 0.6, 0.1) / len(texts)
        words = tuple(Word(i * step, (i + 1) * step, " " + text) for i, text in enumerate(texts))
        text = "".join(word.text for word in words).strip()
        return Hypothesis(
            segments=(Segment(0.0, duration, text),),
            no_speech_prob=self.no_speech,
            avg_logprob=-0.2,
            compression_ratio=1.0,
            words=words,
        )


@pytest.mark.parametrize("decoder", [_SecretDecoder(no_speech=0.95), _SecretDecoder(loop=True)])
def test_the_live_guards_log_what_they_drop_but_not_the_words(
    decoder: _SecretDecoder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transcriber = StreamingTranscriber(decoder)
    block = np.full(512, 0.1, dtype=np.float32)
    for _ in range(3 * SAMPLE_RATE // 512):
        transcriber.push(block)
        if transcriber.pass_due():
            transcriber.run_pass()
    transcriber.finish()
    logged = [record.getMessage() for record in caplog.records]
    assert any("hallucinated" in line or "repetition loop" in line for line in logged)
    assert not [line for line in logged if "Novak" in line or "biopsy" in line]


@pytest.mark.model
def test_a_whole_dictation_at_debug_level_logs_no_word(
    speech: SpeechMaker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from app.cli import build_parser
    from app.commands import listen

    spoken = speech.wav("Meet Doctor Novak about the biopsy results.", tmp_path / "secret.wav")
    caplog.set_level(logging.DEBUG)
    args = build_parser().parse_args(
        ["listen", "--input", str(spoken), "--jsonl", "--push-to-talk", "--speed", "0"]
    )
    out = io.StringIO()
    assert listen.run(args, stdout=out, stderr=io.StringIO()) == 0
    assert "biopsy" in out.getvalue().lower()  # it was heard…
    logged = "\n".join(record.getMessage() for record in caplog.records).lower()
    assert "biopsy" not in logged  # …and never logged
    assert "novak" not in logged
