"""A real Wyoming speech-to-text server on 127.0.0.1, serving the bundled tiny.en.

It is ``wyoming-faster-whisper`` (PyPI, Home Assistant's), installed by
``.ci/test`` into its own virtual environment (:data:`SERVER_VENV`) because it
brings its own faster-whisper. Tests start it on a free port with the bundled
model folder (``--local-files-only``: it never downloads) and wait until it
answers a ``describe`` event, within a deadline.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from app.core.engine.model_registry import bundled_model_path
from tests.support.server_log import ServerLog

ROOT = Path(__file__).resolve().parents[2]
SERVER_VENV = ROOT / "build" / "wyoming-server-venv"
SERVER_COMMAND = SERVER_VENV / "bin" / "wyoming-faster-whisper"
_READY_DEADLINE_S = 120.0
_POLL_S = 0.2


@dataclass(frozen=True)
class WyomingServer(ServerLog):
    """A running server: its ``wyoming://`` URL and its process."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def server_missing() -> str | None:
    """Why the server cannot be started here, or None when it can."""
    if not SERVER_COMMAND.exists():
        return f"the Wyoming test server is not installed ({SERVER_COMMAND}; .ci/test)"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_wyoming_server(folder: Path, port: int | None = None) -> Iterator[WyomingServer]:
    """Start the server with the bundled tiny.en until the block ends; its files in ``folder``.

    Raises:
        RuntimeError: it exited or did not become ready in time (its log is quoted).
    """
    port = port or free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV"))  # not ours: it has its own venv
    }
    env |= {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    log = folder / "wyoming-server.log"
    command = [
        str(SERVER_COMMAND),
        *("--uri", f"tcp://127.0.0.1:{port}", "--model", str(bundled_model_path())),
        *("--data-dir", str(data), "--local-files-only", "--cpu-threads", "1"),
        *("--beam-size", "5"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = WyomingServer(f"wyoming://127.0.0.1:{port}", port, process, log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop(server)


def stop(server: WyomingServer) -> None:
    """End the server (a no-op when it has ended)."""
    if server.process.poll() is None:
        server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(10)


def _answers_describe(port: int) -> bool:
    from app.core.engine.remote.wyoming_engine import import_wyoming

    import_wyoming()
    from wyoming.client import AsyncTcpClient
    from wyoming.info import Describe, Info

    async def ask() -> bool:
        async with AsyncTcpClient("127.0.0.1", port) as client:
            await client.write_event(Describe().event())
            event = await asyncio.wait_for(client.read_event(), 5)
            return event is not None and Info.is_type(event.type)

    try:
        return asyncio.run(ask())
    except (OSError, asyncio.TimeoutError):
        return False


def _wait_until_ready(server: WyomingServer) -> None:
    deadline = time.monotonic() + _READY_DEADLINE_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the server exited with status {server.process.returncode}:\n"
                + server.log.read_text(errors="replace")[-3000:]
            )
        if _answers_describe(server.port):
            return
        with suppress(subprocess.TimeoutExpired):  # between polls: its exit ends the wait
            server.process.wait(timeout=_POLL_S)
    raise RuntimeError(
        f"the server was not ready within {_READY_DEADLINE_S:.0f} s:\n"
        + server.log.read_text(errors="replace")[-3000:]
    )
