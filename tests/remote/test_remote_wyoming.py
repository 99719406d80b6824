"""``--engine wyoming://HOST:PORT`` and saved Wyoming endpoints, against a real server.

The server is wyoming-faster-whisper (tests/support/wyoming_server.py) with the
same bundled tiny.en as the local engine, so the words must match local ones.
Its fault paths (a server that hangs up or never answers) use a bare TCP
listener that speaks no Wyoming at all (tests/support/silent_listener.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from app.core.engine.remote.wyoming_engine import WyomingEndpoint, WyomingTranscriber
from saytype_bench.accuracy import word_error_rate
from tests.support.silent_listener import SilentListener
from tests.support.speech import SpeechMaker
from tests.support.wyoming_server import (
    WyomingServer,
    free_port,
)

SENTENCES = [
    "Please book a table for four people at seven tonight.",
    "The museum is closed on Mondays, so we will go on Tuesday.",
]

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCES, tmp_path_factory.mktemp("wyoming_speech") / "two.wav")


def saytype(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0].removeprefix("saytype: error: ")


def test_wyoming_gives_the_same_words_as_local(
    wyoming_server: WyomingServer, spoken: Path, tiny_en: ModelHost
) -> None:
    reference = " ".join(SENTENCES)
    local = FileTranscriber(tiny_en).transcribe_file(spoken)
    result = saytype("transcribe", "--engine", wyoming_server.url, "--format", "json", spoken)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    remote = json.loads(result.stdout)
    local_wer = word_error_rate([reference], [local.text])
    remote_wer = word_error_rate([reference], [remote["text"]])
    assert remote_wer <= local_wer + 0.005, (remote["text"], local.text)
    assert remote_wer <= 0.05
    assert remote["duration"] == pytest.approx(local.duration, abs=0.01)
    assert remote["complete"] is True
    # Wyoming answers text only: one segment spans the audio, so srt and vtt still work.
    assert [(s["start"], s["end"]) for s in remote["segments"]] == [(0.0, remote["duration"])]


def test_files_sent_in_parallel_come_out_in_the_order_given(
    wyoming_server: WyomingServer, speech: SpeechMaker, tmp_path: Path
) -> None:
    first = speech.wav(SENTENCES[0], tmp_path / "first.wav")
    second = speech.wav(SENTENCES[1], tmp_path / "second.wav")
    files = [second, first, second]
    result = saytype(
        "transcribe", "--engine", wyoming_server.url, "--jobs", "3", "--format", "json", *files
    )
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [reply["file"] for reply in replies] == [str(path) for path in files]
    wanted = [SENTENCES[1], SENTENCES[0], SENTENCES[1]]
    for reply, sentence in zip(replies, wanted, strict=True):
        assert word_error_rate([sentence], [reply["text"]]) <= 0.05, reply["text"]


def test_a_saved_wyoming_endpoint_is_tested_and_used_by_name(
    wyoming_server: WyomingServer, spoken: Path
) -> None:
    assert saytype("engines", "add", "home", wyoming_server.url, "--language", "en").returncode == 0
    tested = saytype("engines", "test", "home")
    assert tested.returncode == 0, tested.stderr
    assert tested.stdout.startswith(
        f"home ({wyoming_server.url}) is reachable: its default model heard the test sentence in"
    )
    result = saytype("transcribe", "--engine", "home", spoken)
    assert result.returncode == 0, result.stderr
    assert "museum" in result.stdout.lower()


def test_a_server_that_is_not_running_is_one_sentence(tone: Path) -> None:
    url = f"wyoming://127.0.0.1:{free_port()}"
    result = saytype("transcribe", "--engine", url, tone, tone)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [  # the file that failed, then the one not tried
        f"saytype: error: {tone}: Cannot connect to {url}: connection refused; check that the "
        "server is running and that the host and port are right.",
        f"saytype: error: stopped there; not transcribed: {tone}.",
    ]


@pytest.fixture
def hanging_up() -> Iterator[SilentListener]:
    listener = SilentListener(hang_up=True)
    yield listener
    listener.close()


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener(hang_up=False)
    yield listener
    listener.close()


def test_a_server_that_hangs_up_is_one_sentence(hanging_up: SilentListener, tone: Path) -> None:
    message = one_error_line(saytype("transcribe", "--engine", hanging_up.url, tone))
    assert message.startswith(f"The connection to {hanging_up.url} broke during the request (")


def test_a_server_that_never_answers_times_out(silent: SilentListener, tone: Path) -> None:
    message = one_error_line(saytype("transcribe", "--engine", silent.url, "--timeout", "1", tone))
    assert message == (
        f"{silent.url} did not finish within 1 s; try again, or give it a longer "
        "timeout (Settings → Engine → Add…, 'saytype engines add --timeout', or --timeout)."
    )


def test_cancel_closes_the_request_at_once(silent: SilentListener, tone: Path) -> None:
    cancel = CancellationToken()
    engine = WyomingTranscriber(WyomingEndpoint(silent.url, timeout_s=60))
    threading.Thread(
        target=lambda: silent.audio_arrived.wait(30) and cancel.cancel(), name="canceller"
    ).start()
    transcript = engine.transcribe_file(tone, cancel=cancel)
    assert silent.audio_arrived.is_set()
    assert not transcript.complete
    assert transcript.text == ""
