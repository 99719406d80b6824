"""The audio a remote server receives: the file decoded here, as 16 kHz mono 16-bit WAV.

Decoding locally means the server hears the very samples the local engine
would (so both give the same words), a file that cannot be decoded fails here
with the local engine's message before anything is sent, and a video's picture
never leaves the machine. The WAV goes to an anonymous temporary file (owner
only, gone when closed), chunk by chunk, so a long recording never sits in
memory whole and the upload streams from disk.
"""

from __future__ import annotations

import tempfile
import wave
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileReader
from app.core.engine.cancellation import CancellationToken

_CHUNK_S = 30.0


@dataclass
class UploadAudio:
    """A WAV file ready to send; close it when done (it is deleted then).

    Attributes:
        wav: the open WAV file, positioned anywhere (senders rewind it).
        duration: seconds of audio in it.
        size: its size in bytes.
    """

    wav: IO[bytes]
    duration: float
    size: int

    def close(self) -> None:
        """Close and delete the file."""
        self.wav.close()


def decode_for_upload(path: Path, cancel: CancellationToken | None = None) -> UploadAudio | None:
    """Decode ``path`` into a temporary WAV; None if cancelled on the way.

    Raises:
        AudioFileError: the file is missing, not media, has no audio, or is truncated.
    """
    reader = AudioFileReader(path, chunk_seconds=_CHUNK_S)
    handle = tempfile.TemporaryFile(prefix="saytype-upload-")  # noqa: SIM115 (returned open)
    cancelled = False
    try:
        # The wave module writes the header's sizes when it closes; closing it leaves
        # a file object it was given open.
        with wave.open(handle, "wb") as writer, closing(reader.chunks()) as chunks:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(SAMPLE_RATE)
            for chunk in chunks:
                if cancel is not None and cancel.cancelled:
                    cancelled = True
                    break
                pcm = (np.clip(chunk, -1.0, 1.0) * 32767).astype("<i2")
                writer.writeframes(pcm.tobytes())
        if not cancelled:
            reader.check_complete()
    except BaseException:
        handle.close()
        raise
    if cancelled:
        handle.close()
        return None
    size = handle.tell()
    handle.seek(0)
    return UploadAudio(handle, reader.decoded_seconds, size)
