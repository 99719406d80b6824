"""Each way an OpenAI-compatible server can fail gives one clear sentence, and nothing hangs.

The server here is tests/support/fault_server.py, scripted to fail: it never
transcribes (success is tested against a real server in test_remote_openai.py).
Requests go through the real client over real sockets on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from app.core.audio.file_decoder import AudioFileError
from app.core.engine.cancellation import CancellationToken
from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber
from app.core.engine.remote.remote_errors import RemoteEngineError
from tests.support.fault_server import FaultServer, Reply, make_test_ca, running_fault_server

SAMPLE_RATE = 16_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def transcriber(url: str, **settings: object) -> OpenAITranscriber:
    defaults: dict[str, object] = {"model": "whisper-1", "backoff_s": 0.01}
    return OpenAITranscriber(OpenAIEndpoint(url, **(defaults | settings)))


def failure(engine: OpenAITranscriber, path: Path) -> RemoteEngineError:
    with pytest.raises(RemoteEngineError) as caught:
        engine.transcribe_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith(".")
    return caught.value


def test_connection_refused_says_to_check_the_server(tone: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    error = failure(transcriber(url), tone)
    assert str(error) == (
        f"Cannot connect to {url}: connection refused; check that the server is running "
        "and that the host and port are right."
    )
    assert error.endpoint_unusable


def test_a_wrong_url_says_where_the_api_usually_is(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(404, b'{"detail": "Not Found"}'))
    error = failure(transcriber(faults.url.removesuffix("/v1")), tone)
    assert "has no OpenAI-compatible transcription endpoint (404: Not Found)" in str(error)
    assert "usually ends in /v1" in str(error)
    assert error.endpoint_unusable


def test_a_refused_key_names_the_variable_and_the_key_goes_as_a_bearer_token(
    faults: FaultServer, tone: Path
) -> None:
    faults.script(Reply(401, b'{"error": {"message": "Invalid API key.", "type": "auth"}}'))
    error = failure(transcriber(faults.url, api_key="sk-test-123"), tone)
    assert str(error) == (
        f"{faults.url} refused the API key (401: Invalid API key); give it a key it "
        "accepts (Settings → Engine, or SAYTYPE_API_KEY)."
    )
    assert faults.requests[0]["authorization"] == "Bearer sk-test-123"
    assert "sk-test" not in str(error)


def test_too_large_fails_this_file_only(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(413, b"<html><h1>413 Request Entity Too Large</h1></html>", "text/html"))
    error = failure(transcriber(faults.url), tone)
    assert "refused the audio as too large (413: 413 Request Entity Too Large)" in str(error)
    assert not error.endpoint_unusable


def test_the_upload_is_the_decoded_audio_as_16_khz_wav(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(400, b'{"detail": "no"}'))
    failure(transcriber(faults.url, model="large-v3"), tone)
    assert faults.requests[0]["content-type"].startswith("multipart/form-data")
    body = faults.bodies[0]
    assert b'name="model"\r\n\r\nlarge-v3\r\n' in body
    wav = body[body.index(b"RIFF") :]
    assert wav[8:16] == b"WAVEfmt "
    assert int.from_bytes(wav[24:28], "little") == SAMPLE_RATE
    assert len(wav) > 2 * SAMPLE_RATE  # a second of 16-bit mono samples


@pytest.mark.parametrize(
    "body", [b"Internal error, but 200", b'{"text": "no segments"}', b'{"segments": 3}']
)
def test_a_malformed_reply_is_not_taken_for_a_transcript(
    faults: FaultServer, tone: Path, body: bytes
) -> None:
    faults.script(Reply(200, body))
    error = failure(transcriber(faults.url), tone)
    assert "sent a reply that is not a transcription (" in str(error)
    assert "OpenAI-compatible speech-to-text server" in str(error)


def test_429_and_5xx_are_retried_a_bounded_number_of_times(faults: FaultServer, tone: Path) -> None:
    faults.script(
        Reply(429, b'{"error": {"message": "Slow down"}}', headers=(("Retry-After", "0"),)),
        Reply(502, b"Bad Gateway", "text/plain"),
        Reply(503, b'{"detail": "Model is loading"}'),
    )
    error = failure(transcriber(faults.url, attempts=3), tone)
    assert str(error) == (
        f"{faults.url} failed (503: Model is loading) after 3 attempts; try again later."
    )
    assert len(faults.requests) == 3
    # Each attempt sent the whole file again (only the multipart boundary differs).
    assert len(faults.bodies[0]) == len(faults.bodies[2]) > 2 * SAMPLE_RATE


def test_a_client_error_is_not_retried(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(422, b'{"detail": [{"loc": ["body", "model"], "msg": "Unknown model"}]}'))
    error = failure(transcriber(faults.url, attempts=3), tone)
    assert str(error) == f"{faults.url} rejected the request (422: Unknown model)."
    assert len(faults.requests) == 1


def test_a_server_that_never_answers_times_out(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(hold=True))
    started = time.monotonic()
    error = failure(transcriber(faults.url, timeout_s=0.5), tone)
    assert time.monotonic() - started < 5
    assert str(error) == (
        f"{faults.url} did not finish within 0.5 s; try again, or give it a longer "
        "timeout (Settings → Engine → Add…, 'saytype engines add --timeout', or --timeout)."
    )


def test_a_server_that_dies_mid_request_is_one_sentence(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(drop=True))
    error = failure(transcriber(faults.url), tone)
    assert str(error).startswith(f"The connection to {faults.url} broke during the request (")
    assert len(faults.requests) == 1  # not retried: the server may have done the work


def test_cancel_aborts_a_request_in_flight_at_once(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(hold=True))
    token = CancellationToken()
    cancelled_at: list[float] = []

    def cancel_once_the_server_has_it() -> None:
        faults.request_arrived.wait(10)
        cancelled_at.append(time.monotonic())
        token.cancel()

    canceller = threading.Thread(target=cancel_once_the_server_has_it, name="canceller")
    canceller.start()
    transcript = transcriber(faults.url, timeout_s=60).transcribe_file(tone, cancel=token)
    returned_at = time.monotonic()
    canceller.join(5)
    assert not transcript.complete
    assert transcript.segments == ()
    assert returned_at - cancelled_at[0] < 1.0
    assert len(faults.requests) == 1


def test_a_cancel_before_the_upload_sends_nothing(faults: FaultServer, tone: Path) -> None:
    faults.script(Reply(500))
    token = CancellationToken()
    token.cancel()
    transcript = transcriber(faults.url).transcribe_file(tone, cancel=token)
    assert not transcript.complete
    assert faults.requests == []


def test_a_file_that_cannot_be_decoded_is_never_sent(faults: FaultServer, tmp_path: Path) -> None:
    faults.script(Reply(500))
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio\n" * 50, encoding="utf-8")
    with pytest.raises(AudioFileError):
        transcriber(faults.url).transcribe_file(notes)
    assert faults.requests == []


def test_tls_is_verified_and_a_private_ca_can_be_given(tmp_path: Path, tone: Path) -> None:
    ca_file, server_tls = make_test_ca(tmp_path)
    with running_fault_server(tls=server_tls) as faults:
        faults.script(Reply(503, b'{"detail": "Busy"}'))
        try:
            error = failure(transcriber(faults.url), tone)
            assert str(error).startswith(f"The TLS certificate of {faults.url} could not be")
            assert str(error).endswith("pass that CA with --ca-file.")
            assert faults.requests == []  # nothing was sent to an unverified server
            # With its CA the handshake succeeds: the server's own 503 comes back.
            error = failure(transcriber(faults.url, ca_file=ca_file, attempts=1), tone)
            assert str(error) == f"{faults.url} failed (503: Busy); try again later."
        finally:
            faults.released.set()


def test_the_wrong_scheme_is_named_either_way(tmp_path: Path, tone: Path) -> None:
    with running_fault_server() as plain:
        error = failure(transcriber(plain.url.replace("http:", "https:")), tone)
        assert "check that the URL's scheme (http or https) matches the server" in str(error)
        assert error.endpoint_unusable
    _, server_tls = make_test_ca(tmp_path)
    with running_fault_server(tls=server_tls) as secure:
        error = failure(transcriber(secure.url.replace("https:", "http:"), timeout_s=5), tone)
        assert "use https:// if the server expects TLS" in str(error)


def test_an_unknown_host_says_to_check_the_url(tone: Path) -> None:
    error = failure(transcriber("http://no-such-host.invalid:8000/v1"), tone)
    assert str(error) == (
        "Cannot connect to http://no-such-host.invalid:8000/v1: the host name is unknown; "
        "check the URL."
    )


def test_an_unreadable_ca_file_is_refused_before_any_request(tmp_path: Path) -> None:
    with pytest.raises(RemoteEngineError, match=r"Cannot use the CA file .*missing\.pem"):
        transcriber("https://127.0.0.1:1/v1", ca_file=tmp_path / "missing.pem")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(RemoteEngineError, match="give a PEM file of CA certificates"):
        transcriber("https://127.0.0.1:1/v1", ca_file=garbage)


def test_the_request_asks_for_verbose_json_with_the_model_language_and_vocabulary(
    faults: FaultServer, tone: Path
) -> None:
    from app.core.engine.file_transcriber import TranscribeOptions

    faults.script(Reply(400, json.dumps({"detail": "stop here"}).encode()))
    with pytest.raises(RemoteEngineError):
        transcriber(faults.url, model="Systran/faster-whisper-tiny.en").transcribe_file(
            tone, TranscribeOptions(language="en", vocabulary=("Saytype", "Siobhan"))
        )
    assert faults.requests[0]["user-agent"].startswith("saytype/")
    body = faults.bodies[0]
    for name, value in [
        ("model", "Systran/faster-whisper-tiny.en"),
        ("response_format", "verbose_json"),
        ("language", "en"),
        ("prompt", "Saytype, Siobhan"),
    ]:
        assert f'name="{name}"\r\n\r\n{value}\r\n'.encode() in body
