"""``saytype listen --engine E``: dictation whose final comes from a server, and never lost.

The Wyoming server is a real wyoming-faster-whisper with the bundled tiny.en
(tests/support/wyoming_server.py): the audio is streamed to it while the
"key" is held, and its log shows that it decoded the utterance. A server
killed mid-dictation, or one that is down or refuses, falls back to the local
model: the words still arrive, with one sentence on stderr.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from saytype_bench.accuracy import word_error_rate
from tests.support.ci import fail_missing
from tests.support.fault_server import FaultServer, Reply
from tests.support.openai_server import OpenAIServer
from tests.support.speech import SpeechMaker
from tests.support.wyoming_server import (
    WyomingServer,
    free_port,
    running_wyoming_server,
    server_missing,
    stop,
)

SENTENCES = [
    "Please book a table for four people at seven tonight.",
    "The museum is closed on Mondays, so we will go on Tuesday.",
]
REFERENCE = " ".join(SENTENCES)
SERVER_DECODED = "Processing audio with duration"  # wyoming-faster-whisper's log line

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCES, tmp_path_factory.mktemp("listen_remote") / "two.wav")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WyomingServer]:
    missing = server_missing()
    if missing is not None:
        fail_missing(missing)
    with running_wyoming_server(tmp_path / "wyoming") as running:
        yield running


def listen(spoken: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app", "listen", "--input", str(spoken), "--push-to-talk"]
    return subprocess.Popen(
        [*command, "--jsonl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )


def finish(process: subprocess.Popen[str]) -> tuple[list[dict[str, Any]], str]:
    out, err = process.communicate(timeout=300)
    return [json.loads(line) for line in out.splitlines()], err


def final_text(events: list[dict[str, Any]]) -> str:
    assert events, "no events"
    assert events[-1]["type"] == "final", events[-3:]
    assert [e["type"] for e in events].count("final") == 1
    return str(events[-1]["text"])


def test_the_final_comes_from_the_wyoming_server(
    wyoming_server: WyomingServer, spoken: Path
) -> None:
    mark = wyoming_server.log_mark()
    events, err = finish(listen(spoken, "--speed", "2", "--engine", wyoming_server.url))
    assert err == ""
    assert word_error_rate([REFERENCE], [final_text(events)]) <= 0.05
    assert wyoming_server.log_since(mark).count(SERVER_DECODED) == 1
    # Partials came from the local model while speaking, before the release.
    kinds = [e["type"] for e in events]
    assert "partial" in kinds[: kinds.index("release")]


def test_the_final_comes_from_an_openai_compatible_server(
    openai_server: OpenAIServer, spoken: Path
) -> None:
    mark = openai_server.log_mark()
    events, err = finish(listen(spoken, "--speed", "0", "--engine", openai_server.url))
    served = openai_server.log_since(mark)
    assert err == ""
    assert word_error_rate([REFERENCE], [final_text(events)]) <= 0.05
    assert served.count("POST /v1/audio/transcriptions") == 1  # the utterance, once


def test_a_server_killed_mid_dictation_loses_nothing(server: WyomingServer, spoken: Path) -> None:
    process = listen(spoken, "--speed", "1", "--engine", server.url)
    assert process.stdout is not None
    lines = []
    while True:  # the audio is on its way to the server once words show
        line = process.stdout.readline()
        assert line, process.communicate()
        lines.append(json.loads(line))
        if lines[-1]["type"] in {"partial", "commit"} and len(lines[-1]["text"].split()) >= 2:
            break
    stop(server)
    events, err = finish(process)
    assert process.returncode == 0, err
    assert word_error_rate([REFERENCE], [final_text(lines + events)]) <= 0.1
    assert SERVER_DECODED not in server.log.read_text(errors="replace")
    warning = err.splitlines()
    assert len(warning) == 1, err
    assert warning[0].startswith(f"saytype: warning: The connection to {server.url} broke ")
    assert warning[0].endswith("; this dictation was finished by the local model instead.")


def test_a_server_that_is_down_falls_back_to_local(spoken: Path) -> None:
    url = f"wyoming://127.0.0.1:{free_port()}"
    events, err = finish(listen(spoken, "--speed", "0", "--engine", url))
    assert word_error_rate([REFERENCE], [final_text(events)]) <= 0.1
    assert err == (
        f"saytype: warning: Cannot connect to {url}: connection refused; check that the server "
        "is running and that the host and port are right; this dictation was finished by the "
        "local model instead.\n"
    )


def test_an_openai_server_that_refuses_falls_back_and_sends_the_utterance(
    faults: FaultServer, spoken: Path
) -> None:
    faults.script(Reply(401, b'{"error": {"message": "Invalid key"}}'))
    events, err = finish(listen(spoken, "--speed", "0", "--engine", faults.url))
    assert word_error_rate([REFERENCE], [final_text(events)]) <= 0.1
    assert err == (
        f"saytype: warning: {faults.url} refused the API key (401: Invalid key); give it "
        "a key it accepts (Settings → Engine, or SAYTYPE_API_KEY); this dictation was "
        "finished by the local model instead.\n"
    )
    assert len(faults.bodies) == 1
    assert b"RIFF" in faults.bodies[0]  # the utterance went as one WAV, at the release


def test_without_fallback_a_failure_keeps_the_recording(faults: FaultServer, spoken: Path) -> None:
    faults.script(Reply(500, b'{"detail": "overloaded"}', headers=(("Retry-After", "0"),)))
    events, err = finish(listen(spoken, "--speed", "0", "--engine", faults.url, "--no-fallback"))
    assert "final" not in [e["type"] for e in events]
    # stdout alone says how it ended: the release, then the reason.
    assert [e["type"] for e in events][-2:] == ["release", "error"]
    assert events[-1]["text"].startswith(f"{faults.url} failed (500: overloaded)")
    assert err == (
        f"saytype: error: {faults.url} failed (500: overloaded) after 3 attempts; try again "
        "later; the recording is kept: 'saytype recover' transcribes it.\n"
    )
    recovered = subprocess.run(
        [sys.executable, "-m", "app", "recover", "--jsonl"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert recovered.returncode == 0, recovered.stderr
    [entry] = [json.loads(line) for line in recovered.stdout.splitlines()]
    assert word_error_rate([REFERENCE], [entry["text"]]) <= 0.1


def test_ctrl_c_while_the_server_has_the_utterance_aborts_at_once(
    faults: FaultServer, spoken: Path
) -> None:
    faults.script(Reply(hold=True))
    child = listen(spoken, "--speed", "0", "--engine", faults.url)
    try:
        assert faults.request_arrived.wait(120), "the utterance never reached the server"
        child.send_signal(signal.SIGINT)  # once: the input has ended, so this interrupts
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, err
    assert err.strip() == "saytype: interrupted."
    assert "final" not in [json.loads(line)["type"] for line in out.splitlines()]
