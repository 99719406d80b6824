"""A real OpenAI-compatible transcription server on 127.0.0.1, serving the bundled tiny.en.

It is faster-whisper-server (PyPI), installed by ``.ci/test`` into its own
virtual environment (:data:`SERVER_VENV`) because it brings its own
faster-whisper and web stack. Tests start it on a free port and wait until it
answers ``GET /health``, within a deadline; it runs with the hub switched off,
so it loads the model folder it is given and nothing else.
"""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.core.engine.model_registry import bundled_model_path
from tests.support.server_log import ServerLog

ROOT = Path(__file__).resolve().parents[2]
SERVER_VENV = ROOT / "build" / "openai-server-venv"
SERVER_COMMAND = SERVER_VENV / "bin" / "faster-whisper-server"
_READY_DEADLINE_S = 120.0


@dataclass(frozen=True)
class OpenAIServer(ServerLog):
    """A running server: its base URL (``…/v1``) and its process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


def server_missing() -> str | None:
    """Why the server cannot be started here, or None when it can."""
    if not SERVER_COMMAND.exists():
        return f"the OpenAI-compatible test server is not installed ({SERVER_COMMAND}; .ci/test)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_openai_server(log: Path, model: Path | None = None) -> Iterator[OpenAIServer]:
    """Start the server with ``model`` (default: the bundled tiny.en folder) until the block ends.

    Raises:
        RuntimeError: it exited or did not become ready in time (its log is quoted).
    """
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV"))  # not ours: it has its own venv
    }
    env |= {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}
    command = [str(SERVER_COMMAND), str(model or bundled_model_path())]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = OpenAIServer(f"http://127.0.0.1:{port}/v1", process, log)
    try:
        _wait_until_ready(server, f"http://127.0.0.1:{port}/health")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def load_its_model(server: OpenAIServer, wav: Path) -> None:
    """Transcribe ``wav`` once: the server loads its model at the first request, not at start."""
    from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber

    OpenAITranscriber(OpenAIEndpoint(server.url, "whisper-1")).transcribe_file(wav)


def _wait_until_ready(server: OpenAIServer, health: str) -> None:
    """Wait for uvicorn's "running" line in the log (inotify), then ask /health once."""
    from tests.support.changes import ProcessExited, wait_for_changes

    try:
        wait_for_changes(
            lambda: "Uvicorn running on" in server.log.read_text(errors="replace"),
            "the server to listen",
            timeout_s=_READY_DEADLINE_S,
            folders=[server.log.parent],
            process=server.process,
        )
    except (ProcessExited, TimeoutError) as exc:
        raise RuntimeError(f"{exc}:\n" + server.log.read_text(errors="replace")[-3000:]) from None
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, no proxy
    with direct.open(health, timeout=10) as reply:
        if reply.status != 200:
            raise RuntimeError(f"the server answered /health with {reply.status}")
