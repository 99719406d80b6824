"""Whether an MP4 (M4A, MOV) file lacks its index, the usual way a cut-short recording ends.

An MP4 recorder writes the index (the ``moov`` box, where every sample lies) last, so a
crash or a full disk leaves the audio without it. FFmpeg then says only "Invalid data
found when processing input", which tells a user nothing they can act on.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

NO_MP4_INDEX = (
    "an MP4, M4A or MOV file without its index, which the recorder writes last: it was cut "
    "short (a crash, a full disk), and its audio cannot be found without the index. A repair "
    "tool such as untrunc rebuilds it, given a whole file from the same recorder."
)
_HEADER = struct.Struct(">I4s")
_LARGE_SIZE = struct.Struct(">Q")


def lacks_mp4_index(path: Path) -> bool:
    """True when ``path`` starts as an MP4 (an ``ftyp`` box) and no top-level ``moov`` follows."""
    try:
        with path.open("rb") as stream:
            kinds = list(_top_level_boxes(stream))
    except OSError:
        return False
    return bool(kinds) and kinds[0] == b"ftyp" and b"moov" not in kinds


def _top_level_boxes(stream: BinaryIO) -> list[bytes]:
    """The types of the boxes laid end to end from the start, up to where the file stops."""
    kinds: list[bytes] = []
    offset = 0
    while len(kinds) < 10_000:  # a damaged file must not loop for ever
        stream.seek(offset)
        header = stream.read(_HEADER.size)
        if len(header) < _HEADER.size:
            break
        size, kind = _HEADER.unpack(header)
        kinds.append(kind)
        if size == 1:  # a 64-bit size follows the type
            large = stream.read(_LARGE_SIZE.size)
            if len(large) < _LARGE_SIZE.size:
                break
            size = _LARGE_SIZE.unpack(large)[0]
        if size < _HEADER.size:  # 0: "to the end of the file"; less is damage
            break
        offset += size
    return kinds
