"""Transcribe on a Wyoming server (Home Assistant's protocol; ``wyoming-faster-whisper``).

The protocol is a TCP stream of JSON events: ``transcribe``, ``audio-start``,
``audio-chunk``\\* and ``audio-stop`` go out, one ``transcript`` comes back.
Audio is sent in chunks as it is decoded (a file) or spoken (dictation,
:mod:`app.core.engine.remote.wyoming_stream`), so the server can work while
audio is still arriving and the transcript is ready soon after the end. The
reply is text only: a file's transcript is one segment spanning the audio.

:func:`exchange` is the one conversation both share; it runs in an asyncio
loop, so a cancel or a timeout closes the connection at once. Failures are
the same sentences as for OpenAI-compatible servers
(:mod:`app.core.engine.remote.remote_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileReader
from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.remote import remote_errors
from app.core.engine.remote.cancellable import cancellable
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url
from app.core.engine.transcript import Segment, Transcript

log = logging.getLogger(__name__)

_CHUNK_S = 1.0  # one audio-chunk event per second of audio


@dataclass(frozen=True)
class WyomingEndpoint:
    """Where and how to reach a Wyoming speech-to-text server.

    Attributes:
        url: ``wyoming://HOST:PORT``.
        model: the model name sent with ``transcribe`` ("" = the server's own).
        timeout_s: longest wait for the transcript once the audio has been sent.
        connect_timeout_s: longest wait for the connection.
    """

    url: str
    model: str = ""
    timeout_s: float = 600.0
    connect_timeout_s: float = 10.0

    @property
    def host_port(self) -> tuple[str, int]:
        """The server's host and port from the URL."""
        parts = urlsplit(self.url)
        return parts.hostname or "", parts.port or 0


def import_wyoming() -> None:
    """Import the ``wyoming`` package without its one known warning.

    ``wyoming.audio`` uses the standard library's ``audioop`` while Python still
    has it (falling back to its own copy on 3.13+), which warns on import; the
    warning is about wyoming's code, not ours, and would fail runs that treat
    warnings as errors.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
        import wyoming.audio  # noqa: F401


def pcm16(samples: AudioArray) -> bytes:
    """Float samples in [-1, 1] as 16-bit little-endian PCM, the Wyoming wire format."""
    return bytes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())


async def exchange(
    endpoint: WyomingEndpoint, audio: AsyncIterator[bytes], language: str | None
) -> str:
    """Send ``audio`` (16 kHz mono PCM16 chunks) and return the server's transcript.

    Raises:
        RemoteEngineError: connection refused or dropped, a timeout, or an error event.
    """
    import_wyoming()
    from wyoming.asr import Transcribe, Transcript
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncTcpClient
    from wyoming.error import Error

    url = endpoint.url
    host, port = endpoint.host_port
    client = AsyncTcpClient(host, port)
    try:
        await asyncio.wait_for(client.connect(), endpoint.connect_timeout_s)
    except asyncio.TimeoutError:
        raise remote_errors.timed_out(url, endpoint.connect_timeout_s, connecting=True) from None
    except OSError as exc:
        raise remote_errors.connect_failed(url, exc) from None
    try:
        try:
            await client.write_event(
                Transcribe(name=endpoint.model or None, language=language or None).event()
            )
            await client.write_event(AudioStart(SAMPLE_RATE, 2, 1).event())
            async for chunk in audio:
                await client.write_event(AudioChunk(SAMPLE_RATE, 2, 1, chunk).event())
            await client.write_event(AudioStop().event())

            async def transcript() -> str:
                while True:
                    event = await client.read_event()
                    if event is None:
                        raise ConnectionResetError("the server closed the connection")
                    if Transcript.is_type(event.type):
                        return str(Transcript.from_event(event).text).strip()
                    if Error.is_type(event.type):
                        said = Error.from_event(event).text
                        raise RemoteEngineError(
                            f"{display_url(url)} failed ({said}); check the server's log."
                        )

            return await asyncio.wait_for(transcript(), endpoint.timeout_s)
        except asyncio.TimeoutError:
            raise remote_errors.timed_out(url, endpoint.timeout_s, connecting=False) from None
        except (OSError, asyncio.IncompleteReadError) as exc:
            raise remote_errors.connection_dropped(url, exc) from None
    finally:
        with contextlib.suppress(OSError):  # a server that hung up has closed it already
            await client.disconnect()


class WyomingTranscriber:
    """A :class:`~app.core.engine.file_engine.FileEngine` on a Wyoming server.

    Args:
        endpoint: the server and the request settings.
    """

    def __init__(self, endpoint: WyomingEndpoint) -> None:
        self.endpoint = endpoint

    @property
    def where(self) -> str:
        """The server's URL as it may be shown."""
        return display_url(self.endpoint.url)

    def transcribe_file(
        self,
        path: Path,
        options: TranscribeOptions | None = None,
        *,
        on_progress: Callable[[float], None] | None = None,
        cancel: CancellationToken | None = None,
    ) -> Transcript:
        """Decode ``path`` here and stream it to the server; its text as one segment.

        A cancel closes the connection and returns an empty transcript with
        ``complete=False``.

        Raises:
            AudioFileError: the file cannot be decoded.
            RemoteEngineError: the server could not be reached or failed.
        """
        started = time.perf_counter()
        options = options or TranscribeOptions()
        reader = AudioFileReader(path, chunk_seconds=_CHUNK_S)

        async def chunks() -> AsyncIterator[bytes]:
            for samples in reader.chunks():
                yield pcm16(samples)
                await asyncio.sleep(0)  # let a cancel in between chunks
            reader.check_complete()

        async def run() -> str | None:
            sending = asyncio.ensure_future(exchange(self.endpoint, chunks(), options.language))
            return await cancellable(sending, cancel)

        log.info("streaming %s to %s", path.suffix or "audio", self.where)
        text = asyncio.run(run())
        duration = reader.decoded_seconds
        if text is None:
            log.info("the transcription on %s was cancelled", self.where)
        elif on_progress is not None:
            on_progress(1.0)
        segments = (Segment(0.0, duration, text),) if text else ()
        return Transcript(
            text=text or "",
            segments=segments,
            language=options.language or "",
            duration=duration,
            model_name=self.endpoint.model or "wyoming",
            elapsed_s=time.perf_counter() - started,
            complete=text is not None,
            source=str(path),
        )
