"""What a WAV file's header says about its length, to tell a cut-short file from a whole one.

A recorder that crashes (or a copy that stops) leaves a WAV whose header still
declares the full length. FFmpeg silently shortens such a file to what is on
disk, so the header is the only witness. The audio that is there is still worth
transcribing: the decoder reads it and reports a :class:`TruncatedWav` as data,
for the CLI to print and the GUI to show, rather than refusing the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # streaming writers leave these when the length is unknown
_MAX_CHUNKS = 64  # headers hold a handful (fmt, LIST, bext, fact, data); more is damage


@dataclass(frozen=True)
class TruncatedWav:
    """A WAV file shorter than its header declares.

    Attributes:
        path: the file.
        declared_seconds: the audio length the header declares.
        present_seconds: the audio length actually in the file.
    """

    path: Path
    declared_seconds: float
    present_seconds: float

    @property
    def message(self) -> str:
        """One sentence for a user, e.g. for a warning beside the transcript."""
        return f"{self.path} {self.reason}"

    @property
    def reason(self) -> str:
        """What is wrong, without the file's name (a transcript's ``cut_short``)."""
        return (
            f"is truncated: its header declares {self.declared_seconds:.1f} s "
            f"of audio, {self.present_seconds:.1f} s are there"
        )


def find_truncation(path: Path) -> TruncatedWav | None:
    """Read ``path``'s WAV header (not its audio) and say whether the file is cut short.

    Cheap: it reads a few chunk headers. A file that is not a WAV, cannot be read,
    declares an unknown length, or is cut inside its header gives None (decoding
    then says what is wrong, if anything).
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            riff = handle.read(12)
            if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
                return None
            missing = _missing_bytes(riff, size)
            if missing == 0:
                return None
            layout = _byte_rate_and_data_start(handle, size)
    except OSError:
        return None
    if layout is None:
        return None
    byte_rate, data_start = layout
    present = max(0, size - data_start)
    return TruncatedWav(
        path=path,
        declared_seconds=(present + missing) / byte_rate,
        present_seconds=present / byte_rate,
    )


def _missing_bytes(riff: bytes, size: int) -> int:
    """Bytes missing from a file of ``size`` bytes, judged by the size in its RIFF header."""
    riff_size: int = struct.unpack("<I", riff[4:8])[0]
    if riff_size in _UNKNOWN_SIZES:
        return 0
    return max(0, riff_size + 8 - size)


def _byte_rate_and_data_start(handle: BinaryIO, size: int) -> tuple[int, int] | None:
    """Walk the chunks after the RIFF header to the ``fmt `` byte rate and the data offset."""
    byte_rate: int | None = None
    position = 12
    for _ in range(_MAX_CHUNKS):
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return None
        chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk_id == b"fmt ":
            fmt = handle.read(12)
            if len(fmt) < 12:
                return None
            byte_rate = struct.unpack("<I", fmt[8:12])[0]
        elif chunk_id == b"data":
            start = position + 8
            return (byte_rate, start) if byte_rate and start <= size else None
        position += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to even sizes
    return None
