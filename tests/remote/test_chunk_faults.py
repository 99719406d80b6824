"""A long file's chunks on a failing server: the in-flight limit holds, a cancel aborts them all,
and one chunk that keeps failing fails the whole file in one sentence.

The server is tests/support/fault_server.py (it never transcribes; the chunked
success path runs against a real server in test_remote_chunks.py). The file is
36 s of noise with pauses, cut into chunks of at most 10 s.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber
from app.core.engine.remote.remote_errors import RemoteEngineError
from app.core.engine.remote.upload_audio import close_all, decode_for_upload
from app.core.engine.transcript import Transcript
from tests.support.fault_server import FaultServer, Reply

CHUNK_S = 10.0
SEARCH_S = 4.0
_DEADLINE_S = 30.0
ONE_SEGMENT = json.dumps(
    {"text": "first", "language": "en", "segments": [{"start": 0.5, "end": 2.0, "text": "first"}]}
).encode()


def chunked(url: str, in_flight: int, **settings: object) -> OpenAITranscriber:
    defaults: dict[str, object] = {"model": "whisper-1", "backoff_s": 0.01}
    endpoint = OpenAIEndpoint(url, **(defaults | settings))
    return OpenAITranscriber(endpoint, in_flight=in_flight, chunk_s=CHUNK_S, search_s=SEARCH_S)


def chunk_starts(path: Path) -> list[float]:
    uploads = decode_for_upload(path, chunk_s=CHUNK_S, search_s=SEARCH_S)
    assert uploads is not None
    close_all(uploads)
    return [upload.start_s for upload in uploads]


def wait_for_requests(faults: FaultServer, count: int) -> None:
    deadline = time.monotonic() + _DEADLINE_S
    while len(faults.requests) < count:
        assert time.monotonic() < deadline, f"only {len(faults.requests)} requests arrived"
        faults.request_arrived.wait(0.05)  # a bounded poll of the server's own record


def test_a_long_files_chunks_go_out_in_parallel_and_a_cancel_aborts_them_all(
    faults: FaultServer, paused: tuple[Path, np.ndarray]
) -> None:
    path, _ = paused
    assert len(chunk_starts(path)) >= 4
    faults.script(Reply(hold=True))
    cancel = CancellationToken()
    outcome: list[Transcript] = []
    engine = chunked(faults.url, in_flight=2)
    worker = threading.Thread(
        # With the language given, no chunk waits for the first one's.
        target=lambda: outcome.append(
            engine.transcribe_file(path, TranscribeOptions(language="en"), cancel=cancel)
        )
    )
    worker.start()
    try:
        wait_for_requests(faults, 2)
        cancel.cancel()
        worker.join(_DEADLINE_S)
        assert not worker.is_alive()
    finally:
        faults.released.set()
        worker.join(_DEADLINE_S)
    (transcript,) = outcome
    assert not transcript.complete
    assert transcript.segments == ()
    assert len(faults.requests) == 2  # the other chunks waited for a slot, and were never sent
    assert faults.most_in_flight == 2


def test_a_chunk_that_keeps_failing_fails_the_file_in_one_sentence(
    faults: FaultServer, paused: tuple[Path, np.ndarray]
) -> None:
    path, _ = paused
    second = chunk_starts(path)[1]
    faults.script(Reply(200, ONE_SEGMENT), Reply(503))
    progress: list[float] = []
    with pytest.raises(RemoteEngineError) as caught:
        chunked(faults.url, in_flight=1, attempts=2).transcribe_file(
            path, on_progress=progress.append
        )
    minutes, seconds = divmod(int(second), 60)
    assert str(caught.value) == (
        f"Part 2 of {len(chunk_starts(path))} of the file (from {minutes}:{seconds:02d}) failed, "
        f"so nothing was kept: {faults.url} failed (503: scripted failure) after 2 attempts; "
        "try again later."
    )
    assert not caught.value.endpoint_unusable
    # The first chunk, then the second twice (its retry); the rest were never sent.
    assert len(faults.requests) == 3
    assert len(progress) == 1  # reported for the first chunk
    assert 0 < progress[0] < 1.0


def test_an_unusable_server_is_unusable_for_a_chunked_file_too(
    faults: FaultServer, paused: tuple[Path, np.ndarray]
) -> None:
    path, _ = paused
    faults.script(Reply(401, b'{"error": {"message": "Invalid key"}}'))
    with pytest.raises(RemoteEngineError) as caught:
        chunked(faults.url, in_flight=1).transcribe_file(path)
    assert str(caught.value).startswith(
        f"Part 1 of {len(chunk_starts(path))} of the file (from 0:00) failed, so nothing was "
        f"kept: {faults.url} refused the API key (401: Invalid key);"
    )
    assert len(faults.requests) == 1
    assert caught.value.endpoint_unusable  # a batch stops, as for an unchunked file


def test_without_a_language_the_later_chunks_are_told_the_first_ones(
    faults: FaultServer, paused: tuple[Path, np.ndarray]
) -> None:
    path, _ = paused
    faults.script(Reply(200, ONE_SEGMENT), Reply(400, b'{"detail": "stop here"}'))
    with pytest.raises(RemoteEngineError):
        chunked(faults.url, in_flight=2).transcribe_file(path)
    first, second = faults.bodies[:2]
    assert b'name="language"' not in first  # the server detects it in the first chunk
    assert b'name="language"\r\n\r\nen\r\n' in second
