"""Cancel while a server works on a dictation's final: the request ends, nothing is emitted.

Real connections: a Wyoming stream to a listener that never answers, and an
OpenAI-compatible request that the fault server holds. The local transcriber
is the real one (tiny.en); a cancelled dictation never asks it for a final.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber
from app.core.engine.remote.remote_final import RemoteFinal, RemoteUtterance, WholeUtterance
from app.core.engine.remote.wyoming_engine import WyomingEndpoint
from app.core.engine.remote.wyoming_stream import WyomingUtterance
from tests.support.fault_server import FaultServer, Reply
from tests.support.silent_listener import SilentListener

pytestmark = pytest.mark.model

TONE = (0.1 * np.sin(2 * np.pi * 440 * np.arange(16_000) / 16_000)).astype(np.float32)


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener(hang_up=False)
    yield listener
    listener.close()


def cancel_when(arrived: threading.Event, cancel: CancellationToken) -> threading.Thread:
    thread = threading.Thread(target=lambda: arrived.wait(30) and cancel.cancel(), name="canceller")
    thread.start()
    return thread


def dictate_and_cancel(
    tiny_en: ModelHost, remote: RemoteUtterance, arrived: threading.Event
) -> list[str]:
    cancel = CancellationToken()
    fallbacks: list[str] = []
    final = RemoteFinal(
        LivePipeline(tiny_en).new_transcriber(cancel), remote, cancel, fallbacks.append
    )
    try:
        for block in np.array_split(TONE, 4):
            final.push(block)
        canceller = cancel_when(arrived, cancel)
        with pytest.raises(Cancelled):
            final.finish()
        canceller.join(5)
    finally:
        final.close()
    assert arrived.is_set()
    return fallbacks


def test_cancel_ends_a_wyoming_stream(tiny_en: ModelHost, silent: SilentListener) -> None:
    utterance = WyomingUtterance(WyomingEndpoint(silent.url, timeout_s=60))
    assert dictate_and_cancel(tiny_en, utterance, silent.audio_arrived) == []  # no fallback


def test_cancel_aborts_an_openai_request(tiny_en: ModelHost, faults: FaultServer) -> None:
    faults.script(Reply(hold=True))
    engine = OpenAITranscriber(OpenAIEndpoint(faults.url, "whisper-1", timeout_s=60))
    assert dictate_and_cancel(tiny_en, WholeUtterance(engine), faults.request_arrived) == []
