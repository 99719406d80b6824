"""Is a saved endpoint usable? The welcome sentence sent to it, and one sentence on how it went.

``saytype engines test NAME`` and Settings → Engine → Test ask the same
question the same way: the file engine a saved endpoint stands for
(:func:`endpoint_file_engine`, also what the Files tab sends files through)
transcribes the welcome sentence (a tone where the sample is not installed), and
the answer is one sentence: reachable, which model, how long it took and whether
it heard the words, or the server's refusal as
:mod:`app.core.engine.remote.remote_errors` words it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from app.core.engine.file_engine import FileEngine
from app.core.engine.model_hearing import HEARS_ENOUGH, share_heard, welcome_sample
from app.core.engine.remote.endpoint_book import Endpoint
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url

TEST_TONE_S = 1.0
OPENAI_DEFAULT_MODEL = "whisper-1"  # the name OpenAI-compatible servers accept by default


def endpoint_file_engine(endpoint: Endpoint, api_key: str = "") -> FileEngine:
    """The file engine that sends audio to ``endpoint`` (with ``api_key`` when not empty).

    Raises:
        RemoteEngineError: it cannot be set up (an unreadable CA file).
    """
    # Imported only here: the local path never loads a network client.
    if endpoint.protocol == "wyoming":
        from app.core.engine.remote.wyoming_engine import WyomingEndpoint, WyomingTranscriber

        return WyomingTranscriber(
            WyomingEndpoint(endpoint.url, model=endpoint.model, timeout_s=endpoint.timeout_s)
        )
    from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber

    return OpenAITranscriber(
        OpenAIEndpoint(
            url=endpoint.url,
            model=endpoint.model or OPENAI_DEFAULT_MODEL,
            api_key=api_key,
            ca_file=Path(endpoint.ca_file) if endpoint.ca_file else None,
            timeout_s=endpoint.timeout_s,
        )
    )


@dataclass(frozen=True)
class TestAnswer:
    """How a server answered the test: how long it took, and what it heard.

    Attributes:
        elapsed_s: seconds from sending to the answer.
        heard: the server's text for the welcome sentence; None when a tone went instead
            (no welcome sample installed).
    """

    elapsed_s: float
    heard: str | None


def send_test_audio(engine: FileEngine) -> TestAnswer:
    """Send the welcome sentence (a tone without it) through ``engine``; time its answer.

    Speech, not a tone: Whisper decodes a tone into a long run of made-up text, so a
    healthy server looked slow; and what it hears says whether its model and language fit.

    Raises:
        RemoteEngineError: the server could not be reached, or refused.
    """
    sample = welcome_sample()
    if sample is not None:
        started = time.perf_counter()
        transcript = engine.transcribe_file(sample)
        return TestAnswer(time.perf_counter() - started, transcript.text)
    t = np.arange(round(TEST_TONE_S * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="saytype-test-") as folder:
        path = Path(folder) / "tone.wav"
        write_wav(path, tone, SAMPLE_RATE)
        started = time.perf_counter()
        engine.transcribe_file(path)
        return TestAnswer(time.perf_counter() - started, None)


def reachable_sentence(name: str, url: str, model: str, answer: TestAnswer, note: str = "") -> str:
    """What a passed check says: ``name`` at ``url`` answered the test (and heard it?)."""
    said_model = f"model {model}" if model else "its default model"
    where = f"{name} ({display_url(url)}) is reachable: {said_model}"
    if answer.heard is None:
        return f"{where} answered a {TEST_TONE_S:g} s test in {answer.elapsed_s:.2f} s{note}."
    share = share_heard(answer.heard)
    said = f"{where} heard the test sentence in {answer.elapsed_s:.2f} s{note}"
    if share >= HEARS_ENOUGH:
        return f"{said}."
    heard = answer.heard if len(answer.heard) <= 60 else answer.heard[:60] + "…"
    return (
        f"{said}, but only {share:.0%} of its words ({heard!r}): check the endpoint's model "
        "and language."
    )


def unusable_sentence(name: str, error: RemoteEngineError) -> str:
    """What a failed check says: ``name`` and the server's failure in one sentence."""
    return f"{name} is not usable: {error}"


def check_endpoint(endpoint: Endpoint, api_key: str = "") -> tuple[bool, str]:
    """Send the test sentence to ``endpoint``; whether it answered, and the sentence saying so.

    Blocks for up to the endpoint's timeout: call it off any GUI thread.
    """
    try:
        engine = endpoint_file_engine(endpoint, api_key)
        answer = send_test_audio(engine)
    except RemoteEngineError as exc:
        return False, unusable_sentence(endpoint.name, exc)
    model = endpoint.model or (OPENAI_DEFAULT_MODEL if endpoint.protocol == "openai" else "")
    note = " (with the API key from the keyring)" if api_key else ""
    return True, reachable_sentence(endpoint.name, endpoint.url, model, answer, note)
