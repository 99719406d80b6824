"""Transcribe files on an OpenAI-compatible server (``POST {base}/audio/transcriptions``).

speaches, vLLM and LocalAI speak this API (whisper.cpp's server does when its
inference path is set to it), so one client reaches them all. The file is decoded here
and a long one cut into chunks at pauses (:mod:`app.core.engine.remote.upload_audio`);
each chunk is sent as multipart with ``response_format=verbose_json``, and the
timed segments, shifted by their chunk's start, become the same
:class:`Transcript` the local engine makes, exported the same way. A long
file's chunks go out in parallel within the transcriber's in-flight limit
(:mod:`app.core.engine.remote.request_slots`); if one finally fails, the file
fails and none of it is returned.

The requests run on httpx2 (the maintained httpx that huggingface_hub 2 also
uses) in a private asyncio loop: async is what lets a cancel abort every
request that is waiting on the server, at once and with the connections closed,
which a blocking socket read cannot do. Each request, its retries and its TLS
are :mod:`app.core.engine.remote.openai_request`'s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
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
from app.core.engine.remote.openai_reply import (
    MalformedReply,
    TranscriptionReply,
    parse_verbose_json,
)
from app.core.engine.remote.openai_request import post_transcription, tls_context
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url
from app.core.engine.remote.request_slots import RequestSlots
from app.core.engine.remote.upload_audio import (
    DEFAULT_CHUNK_S,
    DEFAULT_CHUNK_SEARCH_S,
    UploadAudio,
    close_all,
    decode_for_upload,
)
from app.core.engine.transcript import Segment, Transcript

if TYPE_CHECKING:
    import httpx2

log = logging.getLogger(__name__)

_BEFORE_DONE = 0.999  # progress stays below 1.0 until every chunk's reply is in


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

    A long file goes as chunks cut at pauses (:mod:`~app.core.engine.remote.upload_audio`);
    their segments are shifted to file times and joined into one transcript. Every
    request this transcriber makes, for any file or chunk, on any thread, shares
    ``in_flight`` slots: files sent from a pool of that many threads, or one long
    file's chunks, keep at most that many requests on the server.

    Args:
        endpoint: the server and the request settings.
        in_flight: the most requests in flight at once (1 or more).
        chunk_s: the longest chunk of a file sent in one request, in seconds.
        search_s: each cut falls in the longest pause within a chunk's last ``search_s``.

    Raises:
        RemoteEngineError: the CA file cannot be read (checked here, before any file).
        ValueError: ``in_flight`` is below 1, or ``search_s`` is not within ``(0, chunk_s)``.
    """

    def __init__(
        self,
        endpoint: OpenAIEndpoint,
        *,
        in_flight: int = 1,
        chunk_s: float = DEFAULT_CHUNK_S,
        search_s: float = DEFAULT_CHUNK_SEARCH_S,
    ) -> None:
        if not 0 < search_s < chunk_s:
            raise ValueError(f"search_s must be within (0, chunk_s): {search_s}, {chunk_s}")
        self.endpoint = endpoint
        self.chunk_s = chunk_s
        self.search_s = search_s
        self._slots = RequestSlots(in_flight)
        self._tls = tls_context(endpoint.ca_file)

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
        ``language`` and ``vocabulary`` (as the prompt) are sent. ``on_progress``
        gets the fraction of the audio done as each chunk's reply arrives, and
        exactly 1.0 only when all have. A cancel aborts every request at once and
        returns the leading chunks already done with ``complete=False``.

        Raises:
            AudioFileError: the file cannot be decoded (nothing was sent).
            RemoteEngineError: the server could not be reached, refused or failed,
                for any one chunk (after its retries): the file then has no transcript.
        """
        started = time.perf_counter()
        options = options or TranscribeOptions()
        chunks = decode_for_upload(path, cancel, chunk_s=self.chunk_s, search_s=self.search_s)
        if chunks is None:
            return self._transcript(path, started, duration=0.0, complete=False)
        duration = sum(chunk.duration for chunk in chunks)
        replies: list[TranscriptionReply | None] = [None] * len(chunks)
        try:
            log.info(
                "sending %.1f s of audio (%d bytes, %d chunk(s)) to %s",
                duration,
                sum(chunk.size for chunk in chunks),
                len(chunks),
                self.where,
            )
            progress = _ChunkProgress(chunks, on_progress)
            done = asyncio.run(self._request(chunks, options, cancel, replies, progress))
        finally:
            close_all(chunks)
        segments: list[Segment] = []
        texts: list[str] = []
        for chunk, reply in zip(chunks, replies, strict=True):
            if reply is None:
                break  # cancelled: keep the leading chunks done, which read on without a gap
            segments += (_in_file(segment, chunk) for segment in reply.segments)
            texts += [reply.text] if reply.text else []
        if not done:
            log.info("the request to %s was cancelled", self.where)
        elif on_progress is not None:
            on_progress(1.0)
        first = replies[0] if replies else None  # no chunk: the file had no samples
        return self._transcript(
            path,
            started,
            duration=duration,
            complete=done,
            segments=tuple(segments),
            text=" ".join(texts),
            language=(first.language if first else "") or options.language or "",
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
        self,
        chunks: list[UploadAudio],
        options: TranscribeOptions,
        cancel: CancellationToken | None,
        replies: list[TranscriptionReply | None],
        progress: _ChunkProgress,
    ) -> bool:
        """Fill ``replies``; False when ``cancel`` fired first (every request is aborted)."""
        import httpx2

        endpoint = self.endpoint
        timeout = httpx2.Timeout(endpoint.timeout_s, connect=endpoint.connect_timeout_s)
        headers = {"User-Agent": f"saytype/{__version__}"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        async with httpx2.AsyncClient(
            timeout=timeout,
            verify=self._tls,
            headers=headers,
            follow_redirects=False,
        ) as client:
            sending = asyncio.ensure_future(
                self._send_all(client, chunks, options, replies, progress)
            )
            await cancellable(sending, cancel)  # raises the failure of a chunk
        return not sending.cancelled()

    async def _send_all(
        self,
        client: httpx2.AsyncClient,
        chunks: list[UploadAudio],
        options: TranscribeOptions,
        replies: list[TranscriptionReply | None],
        progress: _ChunkProgress,
    ) -> None:
        """Send every chunk (as slots allow); the first chunk that fails aborts the rest.

        Without a language, the first chunk goes alone and the others are told the
        language it was heard in, as the local engine's later windows are: a chunk
        of music or of names could otherwise be taken for another language.
        """
        turn = asyncio.Lock()  # FIFO: a file's chunks take slots in file order
        # Set before a failed chunk gives its slot back, so no later chunk takes it and is
        # sent in the moment before the failure cancels the rest.
        failed = asyncio.Event()

        async def one(index: int, options: TranscribeOptions) -> None:
            chunk = chunks[index]
            try:
                async with turn:
                    await self._slots.take()
                try:
                    if failed.is_set():
                        return
                    body = await post_transcription(client, self.endpoint, chunk, options)
                except BaseException:
                    failed.set()
                    raise
                finally:
                    self._slots.give_back()
                try:
                    replies[index] = parse_verbose_json(body)
                except MalformedReply as exc:
                    raise remote_errors.malformed_reply(self.endpoint.url, str(exc)) from None
            except RemoteEngineError as exc:
                if len(chunks) == 1:
                    raise
                raise remote_errors.chunk_failed(exc, index, len(chunks), chunk.start_s) from None
            progress.done(chunk.duration)

        tasks: list[asyncio.Future[None]] = []
        try:
            if options.language is None and len(chunks) > 1:
                tasks.append(asyncio.ensure_future(one(0, options)))
                await tasks[0]
                heard = replies[0]
                options = dataclasses.replace(
                    options, language=_language_code(heard.language if heard else "")
                )
            tasks += [
                asyncio.ensure_future(one(i, options)) for i in range(len(tasks), len(chunks))
            ]
            for finished in asyncio.as_completed(tasks):
                await finished  # the first failure leaves by the finally below
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def _in_file(segment: Segment, chunk: UploadAudio) -> Segment:
    """The segment with its times inside its chunk (as the local engine keeps them), in file
    time."""
    end = min(segment.end, chunk.duration)
    return dataclasses.replace(
        segment, start=chunk.start_s + min(segment.start, end), end=chunk.start_s + end
    )


class _ChunkProgress:
    """The fraction of a file's audio whose replies have arrived, reported as each one does.

    The last reply is not reported here: the caller reports exactly 1.0 once the
    transcript is whole (a one-chunk file reports only that).
    """

    def __init__(self, chunks: list[UploadAudio], report: Callable[[float], None] | None) -> None:
        self._total_s = sum(chunk.duration for chunk in chunks)
        self._done_s = 0.0
        self._left = len(chunks)
        self._report = report

    def done(self, seconds: float) -> None:
        self._done_s += seconds
        self._left -= 1
        if self._report is not None and self._left > 0:
            self._report(min(self._done_s / self._total_s, _BEFORE_DONE))


def _language_code(language: str) -> str | None:
    """``language`` if it is a code Whisper knows (OpenAI answers "english", not "en")."""
    from app.core.engine.whisper_internals import language_codes

    return language if language in language_codes() else None
