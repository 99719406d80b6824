"""Transcribe files on an OpenAI-compatible server (``POST {base}/audio/transcriptions``).

speaches, vLLM and LocalAI speak this API (whisper.cpp's server does when its
inference path is set to it), so one client reaches them all. The file is decoded here
(:mod:`app.core.engine.remote.upload_audio`) and sent as multipart with
``response_format=verbose_json``, whose timed segments become the same
:class:`Transcript` the local engine makes, exported the same way.

The request runs on httpx2 (the maintained httpx that huggingface_hub 2 also
uses) in a private asyncio loop: async is what lets a cancel abort a request
that is waiting on the server, at once and with the connection closed, which a
blocking socket read cannot do. 429 and 5xx replies are retried a bounded
number of times with exponential backoff (or the server's ``Retry-After``).
TLS certificates are always verified, against the system's store or a CA file
the user gives; there is no switch to turn that off.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app._version import __version__
from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.remote import remote_errors
from app.core.engine.remote.cancellable import cancellable
from app.core.engine.remote.openai_reply import MalformedReply, parse_verbose_json
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url
from app.core.engine.remote.upload_audio import UploadAudio, decode_for_upload
from app.core.engine.transcript import Segment, Transcript

if TYPE_CHECKING:
    import httpx2

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 30.0  # a longer Retry-After is capped, not obeyed blindly


@dataclass(frozen=True)
class OpenAIEndpoint:
    """Where and how to reach an OpenAI-compatible transcription server.

    Attributes:
        url: base URL, e.g. ``http://127.0.0.1:8000/v1`` (no trailing slash).
        model: the model name sent with each request.
        api_key: sent as a Bearer token when not empty (never logged or shown).
        ca_file: a PEM file of CA certificates to trust instead of the system's.
        timeout_s: longest wait for the server to take the upload or to answer.
        connect_timeout_s: longest wait for the connection itself.
        attempts: tries per file when the server answers 429 or 5xx (1 = no retry).
        backoff_s: the first wait before a retry; it doubles with each retry.
    """

    url: str
    model: str
    api_key: str = field(default="", repr=False)
    ca_file: Path | None = None
    timeout_s: float = 600.0
    connect_timeout_s: float = 10.0
    attempts: int = 3
    backoff_s: float = 1.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be 1 or more: {self.attempts}")
        if self.timeout_s <= 0 or self.connect_timeout_s <= 0:
            raise ValueError("timeouts must be positive")


class OpenAITranscriber:
    """A :class:`~app.core.engine.file_engine.FileEngine` on an OpenAI-compatible server.

    Args:
        endpoint: the server and the request settings.

    Raises:
        RemoteEngineError: the CA file cannot be read (checked here, before any file).
    """

    def __init__(self, endpoint: OpenAIEndpoint) -> None:
        self.endpoint = endpoint
        self._tls = _tls_context(endpoint.ca_file)

    @property
    def where(self) -> str:
        """The server's URL as it may be shown (no credentials)."""
        return display_url(self.endpoint.url)

    def transcribe_file(
        self,
        path: Path,
        options: TranscribeOptions | None = None,
        *,
        on_progress: Callable[[float], None] | None = None,
        cancel: CancellationToken | None = None,
    ) -> Transcript:
        """Decode ``path`` here, transcribe it on the server, and return its segments.

        ``options.beam_size`` and ``batch_size`` are the server's business;
        ``language`` and ``vocabulary`` (as the prompt) are sent. A cancel aborts
        the request at once and returns an empty transcript with ``complete=False``.

        Raises:
            AudioFileError: the file cannot be decoded (nothing was sent).
            RemoteEngineError: the server could not be reached, refused or failed.
        """
        started = time.perf_counter()
        options = options or TranscribeOptions()
        audio = decode_for_upload(path, cancel)
        if audio is None:
            return self._transcript(path, started, duration=0.0, complete=False)
        try:
            log.info(
                "sending %.1f s of audio (%d bytes) to %s", audio.duration, audio.size, self.where
            )
            body = asyncio.run(self._request(audio, options, cancel))
        finally:
            audio.close()
        if body is None:
            log.info("the request to %s was cancelled", self.where)
            return self._transcript(path, started, duration=audio.duration, complete=False)
        try:
            reply = parse_verbose_json(body)
        except MalformedReply as exc:
            raise remote_errors.malformed_reply(self.endpoint.url, str(exc)) from None
        if on_progress is not None:
            on_progress(1.0)
        return self._transcript(
            path,
            started,
            duration=audio.duration,
            segments=tuple(_within(segment, audio.duration) for segment in reply.segments),
            text=reply.text,
            language=reply.language or options.language or "",
        )

    def _transcript(
        self,
        path: Path,
        started: float,
        *,
        duration: float,
        complete: bool = True,
        segments: tuple[Segment, ...] = (),
        text: str = "",
        language: str = "",
    ) -> Transcript:
        return Transcript(
            text=text,
            segments=segments,
            language=language,
            duration=duration,
            model_name=self.endpoint.model,
            elapsed_s=time.perf_counter() - started,
            complete=complete,
            source=str(path),
        )

    async def _request(
        self, audio: UploadAudio, options: TranscribeOptions, cancel: CancellationToken | None
    ) -> bytes | None:
        """The reply's body, or None when ``cancel`` fired first (the request is aborted)."""
        import httpx2

        endpoint = self.endpoint
        timeout = httpx2.Timeout(endpoint.timeout_s, connect=endpoint.connect_timeout_s)
        headers = {"User-Agent": f"saytype/{__version__}"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        async with httpx2.AsyncClient(
            timeout=timeout, verify=self._tls, headers=headers, follow_redirects=False
        ) as client:
            return await cancellable(
                asyncio.ensure_future(self._send(client, audio, options)), cancel
            )

    async def _send(
        self, client: httpx2.AsyncClient, audio: UploadAudio, options: TranscribeOptions
    ) -> bytes:
        """POST the audio, retrying 429 and 5xx; the body of the successful reply."""
        import httpx2

        endpoint = self.endpoint
        url = f"{endpoint.url}/audio/transcriptions"
        fields = {"model": endpoint.model, "response_format": "verbose_json"}
        if options.language:
            fields["language"] = options.language
        if options.vocabulary:  # OpenAI's way to spell names: a prompt
            fields["prompt"] = ", ".join(options.vocabulary)
        for attempt in range(1, endpoint.attempts + 1):
            try:
                # httpx rewinds the file for each attempt and streams it from disk.
                response = await client.post(
                    url, data=fields, files={"file": ("audio.wav", audio.wav, "audio/wav")}
                )
            except httpx2.ConnectTimeout:
                raise remote_errors.timed_out(
                    endpoint.url, endpoint.connect_timeout_s, connecting=True
                ) from None
            except httpx2.TimeoutException:
                raise remote_errors.timed_out(
                    endpoint.url, endpoint.timeout_s, connecting=False
                ) from None
            except httpx2.ConnectError as exc:
                raise remote_errors.connect_failed(endpoint.url, exc) from None
            except httpx2.TransportError as exc:
                raise remote_errors.connection_dropped(endpoint.url, exc) from None
            status = response.status_code
            if response.is_success:
                log.info("%s answered %d after %d attempt(s)", self.where, status, attempt)
                return response.content
            if status not in _RETRY_STATUSES or attempt == endpoint.attempts:
                raise remote_errors.refused_by_status(
                    endpoint.url, status, response.content, attempt
                )
            delay = _retry_delay(response.headers.get("retry-after"), endpoint.backoff_s, attempt)
            log.info("%s answered %d; retry %d in %.1f s", self.where, status, attempt, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _within(segment: Segment, duration: float) -> Segment:
    """The segment with its times inside the audio, as the local engine keeps them."""
    end = min(segment.end, duration)
    return dataclasses.replace(segment, start=min(segment.start, end), end=end)


def _retry_delay(retry_after: str | None, backoff_s: float, attempt: int) -> float:
    """The server's Retry-After in seconds (capped), else exponential backoff."""
    if retry_after is not None:
        with contextlib.suppress(ValueError):
            return min(max(0.0, float(retry_after)), _MAX_RETRY_AFTER_S)
    return float(min(backoff_s * 2 ** (attempt - 1), _MAX_RETRY_AFTER_S))


def _tls_context(ca_file: Path | None) -> ssl.SSLContext | bool:
    """True (httpx2 verifies against the system's store) or a context trusting ``ca_file``."""
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RemoteEngineError(
            f"Cannot use the CA file {ca_file}: {reason.rstrip('.')}; give a PEM file of "
            "CA certificates."
        ) from None
