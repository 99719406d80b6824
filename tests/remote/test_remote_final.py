"""Cancel while a server works on a dictation's final: the request ends, nothing is emitted.

Real connections: a Wyoming stream to a listener that never answers, and an
OpenAI-compatible request that the fault server holds. The local transcriber
is the real one (tiny.en); a cancelled dictation never asks it for a final.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.engine.remote import dictation_engine
from app.core.engine.remote.dictation_engine import DictationEngine
from app.core.engine.remote.endpoint_book import DEFAULT_TIMEOUT_S, Endpoint, EndpointBook
from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber
from app.core.engine.remote.remote_errors import RemoteEngineError
from app.core.engine.remote.remote_final import RemoteFinal, RemoteUtterance, WholeUtterance
from app.core.engine.remote.wyoming_engine import WyomingEndpoint
from app.core.engine.remote.wyoming_stream import WyomingUtterance
from saytype_bench.accuracy import word_error_rate
from tests.support.fault_server import FaultServer, Reply
from tests.support.silent_listener import SilentListener
from tests.support.speech import SpeechMaker

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


def test_a_server_that_never_answers_a_dictation_is_given_up_in_seconds(
    tiny_en: ModelHost, silent: SilentListener, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A saved endpoint keeps the 600 s meant for files: a dictation to a server that took the
    # connection and never answered sat on "Finishing…" for ten minutes.
    monkeypatch.setattr(dictation_engine, "DICTATION_WAIT_S", 0.5)  # 30 s in the app
    quiet = Endpoint("quiet", silent.url, "wyoming")
    assert quiet.timeout_s == DEFAULT_TIMEOUT_S
    engine = DictationEngine(LivePipeline(tiny_en), EndpointBook((quiet,), active="quiet"))
    cancel = CancellationToken()
    watchdog = threading.Timer(30, cancel.cancel)  # the old wait would outlast the test
    watchdog.start()
    transcriber = engine.new_transcriber(cancel)
    try:
        for block in np.array_split(TONE, 4):
            transcriber.push(block)
        transcriber.finish()  # the local model's final (a tone: no words), not Cancelled
    finally:
        watchdog.cancel()
        if isinstance(transcriber, RemoteFinal):
            transcriber.close()
    assert silent.audio_arrived.is_set()
    notice = engine.take_notice()
    assert notice is not None
    assert "within 0.5 s" in notice, notice
    assert notice.endswith("this dictation was finished by the local model instead.")
    assert engine.heard_by("tiny.en") == "tiny.en"  # what history records for it


EMPTY = Reply(status=200, body=b'{"text": "", "segments": []}')
SAID = "Remember to water the plants while I am away."


def dictate_to(
    tiny_en: ModelHost, faults: FaultServer, audio: np.ndarray, *, fallback: bool
) -> tuple[str, list[str]]:
    cancel = CancellationToken()
    fallbacks: list[str] = []
    engine = OpenAITranscriber(OpenAIEndpoint(faults.url, "whisper-1", timeout_s=30))
    final = RemoteFinal(
        LivePipeline(tiny_en).new_transcriber(cancel),
        WholeUtterance(engine),
        cancel,
        fallbacks.append if fallback else None,
    )
    try:
        for block in np.array_split(audio, 8):
            final.push(block)
            if final.pass_due():  # partials and commits while speaking, as the live loop
                final.run_pass()
        return final.finish().text, fallbacks
    finally:
        final.close()


def test_an_empty_answer_for_speech_is_finished_by_the_local_model(
    tiny_en: ModelHost, faults: FaultServer, speech: SpeechMaker
) -> None:
    # A server whose own voice filter dropped the words answered 200 with no text: the
    # dictation ended as "No speech was heard", with no history entry and no recording.
    faults.script(EMPTY)
    audio = speech.samples(SAID)

    text, fallbacks = dictate_to(tiny_en, faults, audio, fallback=True)

    assert word_error_rate([SAID], [text]) <= 0.2, text
    assert len(fallbacks) == 1
    seconds = len(audio) / 16_000
    assert fallbacks == [f"The server answered with no text for {seconds:.1f} s of speech"]
    with pytest.raises(RemoteEngineError, match="answered with no text"):
        dictate_to(tiny_en, faults, audio, fallback=False)  # the caller keeps the recording
    assert dictate_to(tiny_en, faults, np.zeros(16_000, np.float32), fallback=True) == ("", [])


def test_a_looping_answer_is_finished_by_the_local_model(
    tiny_en: ModelHost, faults: FaultServer, speech: SpeechMaker
) -> None:
    # A server that could not hear the audio answered "Thank you for watching!" three times,
    # and with type as I speak the tail of it was typed into a terminal.
    loop = "Thank you for watching! " * 3
    faults.script(Reply(status=200, body=json.dumps({"text": loop, "segments": []}).encode()))

    text, fallbacks = dictate_to(tiny_en, faults, speech.samples(SAID), fallback=True)

    assert word_error_rate([SAID], [text]) <= 0.2, text
    assert fallbacks == ["The server's text repeats a phrase the local model did not hear"]


def test_a_phrase_said_again_and_again_is_the_servers_to_keep(
    tiny_en: ModelHost, faults: FaultServer, speech: SpeechMaker
) -> None:
    # The local model keeps one copy of a loop, so comparing loops threw away a server's
    # right text: "Dear Anna, new line, new line, new line, thanks…" became "Dear Anna,".
    said = "Dear Anna, new line, new line, new line, thanks for the report."
    faults.script(Reply(status=200, body=json.dumps({"text": said, "segments": []}).encode()))

    text, fallbacks = dictate_to(tiny_en, faults, speech.samples(said), fallback=True)

    assert (text, fallbacks) == (said, [])


def _answer(text: str) -> Reply:
    return Reply(status=200, body=json.dumps({"text": text, "segments": []}).encode())


def test_an_answer_that_stops_early_is_finished_by_the_local_model(
    tiny_en: ModelHost, faults: FaultServer, speech: SpeechMaker
) -> None:
    # "…water the plants" and no more: with type as I speak, the words after the typed
    # ones never reached the app, and nothing said so.
    faults.script(_answer("Remember to water the plants."))

    text, fallbacks = dictate_to(tiny_en, faults, speech.samples(SAID), fallback=True)

    assert word_error_rate([SAID], [text]) <= 0.2, text
    assert fallbacks == ["The server's text stops before the end of what was said"]


def test_an_answer_that_hears_the_last_words_otherwise_is_the_servers(
    tiny_en: ModelHost, faults: FaultServer, speech: SpeechMaker
) -> None:
    heard_otherwise = "Remember to water the plants while I'm gone."
    faults.script(_answer(heard_otherwise))

    text, fallbacks = dictate_to(tiny_en, faults, speech.samples(SAID), fallback=True)

    assert (text, fallbacks) == (heard_otherwise, [])


def test_history_is_told_which_server_heard_a_dictation(
    tiny_en: ModelHost, faults: FaultServer, speech: SpeechMaker
) -> None:
    faults.script(_answer(SAID))
    office = Endpoint("Office", faults.url, "openai", model="whisper-1")
    engine = DictationEngine(LivePipeline(tiny_en), EndpointBook((office,), active="Office"))
    transcriber = engine.new_transcriber(CancellationToken())
    assert isinstance(transcriber, RemoteFinal)
    try:
        transcriber.push(speech.samples(SAID))
        assert transcriber.finish().text == SAID
    finally:
        transcriber.close()
    assert engine.heard_by("tiny.en") == "whisper-1 on Office (server)"

    engine.use(EndpointBook((office,), active=""))  # back to local
    engine.new_transcriber(CancellationToken())
    assert engine.heard_by("tiny.en") == "tiny.en"
