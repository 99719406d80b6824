"""``saytype transcribe --engine URL`` fails the way a script expects: one line, an exit status.

The server is the scripted fault server (tests/support/fault_server.py); the
CLI runs in a child process with warnings as errors, as users run it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.ctrl_c import STOPPING
from tests.support.fault_server import FaultServer, Reply


def saytype(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error", **env},
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("saytype: error: ")
    return lines[0].removeprefix("saytype: error: ")


def test_connection_refused_is_one_sentence_and_stops_the_batch(tone: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    result = saytype("transcribe", "--engine", url, tone, tone)
    assert result.returncode == 1
    first, stopped = result.stderr.splitlines()  # each file named: which one failed, which not
    assert first.startswith(f"saytype: error: {tone}: Cannot connect to {url}: connection refused;")
    assert stopped == f"saytype: error: stopped there; not transcribed: {tone}."


def test_a_failing_server_fails_each_file_with_one_line(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(500, b'{"detail": "CUDA out of memory"}', headers=(("Retry-After", "0"),)))
    result = saytype("transcribe", "--engine", faults.url, tone, tone)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.splitlines()
        == [
            f"saytype: error: {tone}: {faults.url} failed (500: CUDA out of memory) after 3 "
            "attempts; try again later."
        ]
        * 2
    )
    assert len(faults.requests) == 6


def test_the_key_comes_from_the_environment_and_is_never_shown(
    faults: FaultServer, tone: Path
) -> None:
    faults.script(Reply(401, b'{"error": {"message": "Incorrect API key provided"}}'))
    result = saytype("transcribe", "--engine", faults.url, tone, SAYTYPE_API_KEY="sk-secret-42")
    message = one_error_line(result)
    assert "refused the API key (401: Incorrect API key provided)" in message
    assert "sk-secret-42" not in result.stderr
    assert faults.requests[0]["authorization"] == "Bearer sk-secret-42"


def test_the_model_option_is_the_name_sent(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(200, b"{}"))
    message = one_error_line(
        saytype("transcribe", "--engine", faults.url, "--model", "distil-large-v3", tone)
    )
    assert message.startswith(f"{faults.url} sent a reply that is not a transcription")
    assert b'name="model"\r\n\r\ndistil-large-v3\r\n' in faults.bodies[0]


def test_a_redirect_is_not_followed_and_says_where_it_points(
    faults: FaultServer, tone: Path
) -> None:
    elsewhere = "http://127.0.0.1:9/v1/audio/transcriptions"
    faults.script(Reply(307, b"", headers=(("Location", elsewhere),)))
    message = one_error_line(saytype("transcribe", "--engine", faults.url, tone))
    assert message == (
        f"{faults.url} redirects to {elsewhere} (307); Saytype sends audio only to the URL you "
        "gave, so use that address instead if you trust it."
    )
    assert len(faults.requests) == 1  # once, and not to the other address


def test_a_timeout_is_one_sentence(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(hold=True))
    message = one_error_line(saytype("transcribe", "--engine", faults.url, "--timeout", "1", tone))
    assert message == (
        f"{faults.url} did not finish within 1 s; try again, or give it a longer "
        "timeout (Settings → Engine → Add…, 'saytype engines add --timeout', or --timeout)."
    )


def test_ctrl_c_during_a_request_ends_cleanly(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(hold=True))
    child = subprocess.Popen(
        [sys.executable, "-m", "app", "transcribe", "--engine", faults.url, str(tone)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        assert faults.request_arrived.wait(60), "the request never reached the server"
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, stderr
    assert stderr.splitlines() == [  # the request is aborted; nothing came back to keep
        f"saytype: {STOPPING}",
        f"saytype: error: stopped there; not transcribed: {tone}.",
    ]
    assert stdout == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--engine", "ftp://host/v1"), "is not an engine"),
        (("--engine", "wyoming://host"), "wyoming://HOST:PORT, with a port"),
        (("--engine", "no-such-endpoint"), "a saved endpoint's name"),
        (("--engine", "wyoming://127.0.0.1:1", "--ca-file", "ca.pem"), "needs a https://"),
        (("--engine", "http://127.0.0.1:1/v1", "--ca-file", "ca.pem"), "needs a https://"),
        (("--ca-file", "ca.pem"), "needs a https://"),
        (("--engine", "http://127.0.0.1:1/v1", "--timeout", "0"), "positive number"),
        (("--timeout", "5"), "--timeout applies to a server named with --engine"),
    ],
)
def test_engine_usage_errors_exit_2(args: tuple[str, ...], says: str, tone: Path) -> None:
    result = saytype("transcribe", *args, tone)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr
