"""The audio a remote server receives: the file decoded here, as 16 kHz mono 16-bit WAV chunks.

Decoding locally means the server hears the very samples the local engine
would (so both give the same words), a file that cannot be decoded fails here
with the local engine's message before anything is sent, and a video's picture
never leaves the machine. A long file is cut into chunks at pauses, exactly as
the local engine cuts its windows (:func:`~app.core.engine.long_audio.audio_windows`),
so no word is split between two requests; each chunk is its own request, which
a server's upload cap accepts, which can be retried alone and whose reply
shows progress. Each chunk goes to an anonymous temporary file (owner only,
gone when closed), so a long recording never sits in memory whole and the
upload streams from disk.
"""

from __future__ import annotations

import logging
import tempfile
import wave
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileReader
from app.core.engine.cancellation import CancellationToken
from app.core.engine.long_audio import DEFAULT_SEARCH_S, audio_windows

log = logging.getLogger(__name__)

# Ten minutes of 16 kHz 16-bit mono is 19.2 MB (the last chunk, up to CHUNK_S + SEARCH_S,
# 20.2 MB): under OpenAI's 25 MB upload cap, past which a request gets 413, and short
# enough that a chunk retried after a 5xx costs minutes of server time, not hours.
DEFAULT_CHUNK_S = 600.0
# Each cut falls in the longest pause within a chunk's last 30 s (the local windows' search).
DEFAULT_CHUNK_SEARCH_S = DEFAULT_SEARCH_S
_DECODE_S = 30.0  # the decoder's own chunks: memory holds at most CHUNK_S + SEARCH_S + this


@dataclass
class UploadAudio:
    """One chunk of a file as a WAV file ready to send; close it when done (it is deleted then).

    Attributes:
        wav: the open WAV file, positioned anywhere (senders rewind it).
        start_s: where the chunk begins in the file, in seconds.
        duration: seconds of audio in it.
        size: its size in bytes.
    """

    wav: IO[bytes]
    start_s: float
    duration: float
    size: int

    def close(self) -> None:
        """Close and delete the file."""
        self.wav.close()


def decode_for_upload(
    path: Path,
    cancel: CancellationToken | None = None,
    *,
    chunk_s: float = DEFAULT_CHUNK_S,
    search_s: float = DEFAULT_CHUNK_SEARCH_S,
) -> list[UploadAudio] | None:
    """Decode ``path`` into temporary WAV chunks cut at pauses; None if cancelled on the way.

    A file shorter than ``chunk_s + search_s`` is one chunk. Together the chunks
    hold every decoded sample once, in order.

    Args:
        path: any audio or video file PyAV can decode.
        cancel: checked between decoded pieces.
        chunk_s: the longest chunk, in seconds (the last may be up to ``search_s`` longer).
        search_s: each cut falls in the longest pause within a chunk's last ``search_s``.

    Raises:
        AudioFileError: the file is missing, not media, has no audio, or is truncated.
        ValueError: ``search_s`` is not within ``(0, chunk_s)``.
    """
    reader = AudioFileReader(path, chunk_seconds=_DECODE_S)
    uploads: list[UploadAudio] = []
    try:
        with closing(reader.chunks()) as pieces:
            for window in audio_windows(_until_cancelled(pieces, cancel), chunk_s, search_s):
                uploads.append(_to_wav(window.samples, window.start_s))
        if cancel is not None and cancel.cancelled:
            close_all(uploads)
            return None
        reader.check_complete()
    except BaseException:
        close_all(uploads)
        raise
    if len(uploads) > 1:
        log.info("cut %.1f s of audio into %d chunks", reader.decoded_seconds, len(uploads))
    return uploads


def close_all(uploads: list[UploadAudio]) -> None:
    """Close (and so delete) every chunk."""
    for upload in uploads:
        upload.close()


def _until_cancelled(
    pieces: Iterable[AudioArray], cancel: CancellationToken | None
) -> Iterator[AudioArray]:
    """The decoded pieces until ``cancel`` fires (the caller then sees it is cancelled)."""
    for piece in pieces:
        if cancel is not None and cancel.cancelled:
            return
        yield piece


def _to_wav(samples: AudioArray, start_s: float) -> UploadAudio:
    handle = tempfile.TemporaryFile(prefix="saytype-upload-")  # noqa: SIM115 (returned open)
    try:
        # The wave module writes the header's sizes when it closes; closing it leaves
        # a file object it was given open.
        with wave.open(handle, "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(SAMPLE_RATE)
            writer.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    except BaseException:
        handle.close()
        raise
    size = handle.tell()
    handle.seek(0)
    return UploadAudio(handle, start_s, len(samples) / SAMPLE_RATE, size)
