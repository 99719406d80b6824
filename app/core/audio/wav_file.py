"""16-bit mono PCM WAV files: kept dictation audio, test speech and benchmark clips."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from app.core.atomic_file import write_bytes_atomically
from app.core.audio.file_decoder import AudioArray


def encode_wav(audio: AudioArray, sample_rate: int) -> bytes:
    """Float samples in [-1, 1] as the bytes of a 16-bit mono PCM WAV file."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(pcm.tobytes())
    return buffer.getvalue()


def write_wav(path: Path, audio: AudioArray, sample_rate: int) -> None:
    """Write ``audio`` to ``path`` as WAV, atomically and owner-only (it may be speech).

    Raises:
        OSError: the file could not be written (the old one, if any, is untouched).
    """
    write_bytes_atomically(path, encode_wav(audio, sample_rate), file_mode=0o600)
