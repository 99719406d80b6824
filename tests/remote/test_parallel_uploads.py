"""``saytype transcribe --jobs N``: N files in flight on a remote engine, and never more.

The fault server counts the requests it holds at once; it answers none of
them until the test lets go, so the client must have had exactly N in flight.
The success path (transcripts in the order given) runs against a real
Wyoming server in tests/remote/test_remote_wyoming.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.fault_server import FaultServer, Reply

_DEADLINE_S = 60.0


def saytype(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )


def wait_for_requests(faults: FaultServer, count: int) -> None:
    deadline = time.monotonic() + _DEADLINE_S
    while len(faults.requests) < count:
        assert time.monotonic() < deadline, f"only {len(faults.requests)} requests arrived"
        faults.request_arrived.wait(0.05)  # a bounded poll of the server's own record


def test_jobs_keeps_that_many_requests_in_flight(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(hold=True))  # held until released, then the connection is dropped
    child = subprocess.Popen(
        [sys.executable, "-m", "app", "transcribe", "--engine", faults.url, "--jobs", "3"]
        + [str(tone)] * 5,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        wait_for_requests(faults, 3)
        faults.released.set()
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert faults.most_in_flight == 3
    assert len(faults.requests) == 5  # a dropped connection fails that file only
    assert child.returncode == 1
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 5, stderr
    assert all(  # each line names its file: five files, five failures
        line.startswith(f"saytype: error: {tone}: The connection to {faults.url} broke")
        for line in lines
    )


def test_a_failure_every_file_would_meet_stops_the_parallel_run(
    faults: FaultServer, tone: Path
) -> None:
    faults.script(Reply(401, b'{"error": {"message": "Invalid key"}}'))
    result = saytype("transcribe", "--engine", faults.url, "--jobs", "2", *[tone] * 6)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"saytype: error: {tone}: {faults.url} refused the API key (401: Invalid key); give "
        "it a key it accepts (Settings → Engine, or SAYTYPE_API_KEY).",
        f"saytype: error: stopped there; not transcribed: {', '.join([str(tone)] * 5)}.",
    ]


def test_jobs_needs_a_remote_engine(tone: Path) -> None:
    result = saytype("transcribe", "--jobs", "2", tone)
    assert result.returncode == 2
    assert result.stderr == (
        "saytype transcribe: error: --jobs needs a remote --engine (the local model transcribes "
        "one file at a time).\n"
    )
