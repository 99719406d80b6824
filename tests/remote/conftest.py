"""What the remote-engine tests share: a scripted fault server, a tone to send it, and a
long file with pauses to cut into chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.wav_file import write_wav
from tests.support.fault_server import FaultServer, running_fault_server
from tests.support.paused_noise import write_paused_noise

SAMPLE_RATE = 16_000


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second of a quiet tone: these servers never listen to it."""
    t = np.arange(SAMPLE_RATE, dtype=np.float32) / SAMPLE_RATE
    path = tmp_path_factory.mktemp("remote") / "tone.wav"
    write_wav(path, (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), SAMPLE_RATE)
    return path


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    with running_fault_server() as server:
        yield server


@pytest.fixture
def faults(fault_server: FaultServer) -> Iterator[FaultServer]:
    """The shared server; a request it holds is let go when the test ends."""
    yield fault_server
    fault_server.released.set()


@pytest.fixture(scope="module")
def paused(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """A long file with pauses (tests/support/paused_noise.py) and its samples."""
    path = tmp_path_factory.mktemp("chunks") / "paused.wav"
    return path, write_paused_noise(path)
