"""Mutations of real media files, as data: a recipe names a seed and the edits made to it.

A recipe is plain data so that a finding can be printed, replayed and shrunk:
the seeded random engine (:func:`random_recipe`) and hypothesis strategies
(``tests/test_fuzz_media.py``) both build recipes, and :func:`apply_recipe`
turns one into bytes the same way every time. Positions are fractions of the
file so that a recipe stays meaningful whatever the seed's size.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass

# What edits exist, and how often the random engine picks each.
KIND_WEIGHTS = {
    "flip_header": 4,  # flip a bit in the first 64 bytes
    "truncate": 4,  # cut the file short
    "overwrite": 3,  # random bytes over a span
    "insert": 2,  # random bytes pushed in
    "delete": 2,  # a span removed
    "duplicate": 1,  # a span copied elsewhere (repeated headers, packets)
    "wav_field": 4,  # a WAV header field set to an extreme
    "size_field": 3,  # a size/length word next to a known marker set to an extreme
}

# Offsets of the canonical WAV header fields (size in bytes, offset from "fmt " data start
# for fmt fields; riff size from the file start; data size right after "data").
WAV_FIELDS = {
    "format": (0, 2),
    "channels": (2, 2),
    "sample_rate": (4, 4),
    "byte_rate": (8, 4),
    "block_align": (12, 2),
    "bits": (14, 2),
    "riff_size": (-1, 4),
    "data_size": (-2, 4),
}
EXTREMES = (
    0, 1, 2, 3, 7, 8, 255, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
    1000, 8000, 16000, 44100, 96000, 384000, 1_000_000,
)  # fmt: skip
# Markers of the structures that carry sizes and counts in common containers.
MARKERS = (
    b"RIFF", b"fmt ", b"data", b"LIST", b"fLaC", b"OggS", b"OpusHead", b"ID3", b"Xing",
    b"Info", b"LAME", b"ftyp", b"moov", b"mdat", b"trak", b"mdhd", b"stsd", b"stts",
    b"stsz", b"stsc", b"stco", b"esds", b"alac", b"\x1aE\xdf\xa3", b"\x18S\x80g",
    b"\x16T\xaek", b"\x1fC\xb6u",
)  # fmt: skip


@dataclass(frozen=True)
class Mutation:
    """One edit: ``at`` is a position as a fraction of the file, ``size`` a span's length,
    ``value`` seeds the random bytes or picks the header field, marker and extreme."""

    kind: str
    at: float = 0.0
    size: int = 1
    value: int = 0

    def describe(self) -> str:
        """Short, exact text of the edit, e.g. ``truncate@0.3712``."""
        return f"{self.kind}@{self.at:.4f}/{self.size}/{self.value}"


@dataclass(frozen=True)
class Recipe:
    """A seed file's name and the edits applied to it, in order."""

    seed_name: str
    mutations: tuple[Mutation, ...] = ()

    def describe(self) -> str:
        """The recipe as one line, enough to rebuild the file (see :func:`parse_recipe`)."""
        return " ".join([self.seed_name, *(m.describe() for m in self.mutations)])

    @property
    def suffix(self) -> str:
        """The seed's extension (``.wav``…), kept so that FFmpeg's guess sees it too."""
        dot = self.seed_name.rfind(".")
        return self.seed_name[dot:] if dot > 0 else ""


def parse_recipe(text: str) -> Recipe:
    """The inverse of :meth:`Recipe.describe`.

    Raises:
        ValueError: the text is not a recipe.
    """
    name, *edits = text.split()
    mutations = []
    for edit in edits:
        kind, _, rest = edit.partition("@")
        at, size, value = rest.split("/")
        if kind not in KIND_WEIGHTS:
            raise ValueError(f"unknown mutation kind: {kind}")
        mutations.append(Mutation(kind, float(at), int(size), int(value)))
    return Recipe(name, tuple(mutations))


def random_recipe(rng: random.Random, seed_names: list[str]) -> Recipe:
    """A recipe drawn from ``rng``: one seed, then 0 to 4 edits (mostly one)."""
    name = rng.choice(seed_names)
    count = rng.choices((0, 1, 2, 3, 4), weights=(2, 60, 20, 10, 8))[0]
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    mutations = []
    for kind in kinds:
        at = rng.random() ** 2 if kind in ("overwrite", "insert") else rng.random()
        size = rng.choice((1, 2, 4, 16, 64, 512, 4096))
        value = rng.randrange(1 << 30)
        mutations.append(Mutation(kind, round(at, 4), size, value))
    return Recipe(name, tuple(mutations))


def apply_recipe(recipe: Recipe, seeds: dict[str, bytes]) -> bytes:
    """The bytes of the mutated file.

    Raises:
        KeyError: the recipe names a seed that is not in ``seeds``.
    """
    data = bytearray(seeds[recipe.seed_name])
    for mutation in recipe.mutations:
        data = _apply(mutation, data)
    return bytes(data)


def _apply(m: Mutation, data: bytearray) -> bytearray:
    length = len(data)
    pos = min(length, int(m.at * length))
    noise = random.Random(m.value).randbytes(max(0, m.size))
    if m.kind == "flip_header":
        if length:
            index = min(length, 64) * m.at
            data[int(index) % length] ^= 1 << (m.value % 8)
    elif m.kind == "truncate":
        del data[pos:]
    elif m.kind == "overwrite":
        data[pos : pos + m.size] = noise[: max(0, min(m.size, length - pos))]
    elif m.kind == "insert":
        data[pos:pos] = noise
    elif m.kind == "delete":
        del data[pos : pos + m.size]
    elif m.kind == "duplicate":
        span = bytes(data[pos : pos + m.size])
        target = random.Random(m.value).randrange(length + 1) if length else 0
        data[target:target] = span
    elif m.kind == "wav_field":
        _set_wav_field(data, m.value % len(WAV_FIELDS), EXTREMES[(m.value >> 3) % len(EXTREMES)])
    elif m.kind == "size_field":
        _set_marker_size(data, m)
    return data


def _set_wav_field(data: bytearray, field_index: int, value: int) -> None:
    offset, width = list(WAV_FIELDS.values())[field_index]
    if offset == -1:
        where = 4 if data[:4] == b"RIFF" else -1
    elif offset == -2:
        found = data.find(b"data", 12)
        where = found + 4 if found >= 0 else -1
    else:
        found = data.find(b"fmt ", 12)
        where = found + 8 + offset if found >= 0 else -1
    if where >= 0 and where + width <= len(data):
        packed = struct.pack("<H" if width == 2 else "<I", value & ((1 << (8 * width)) - 1))
        data[where : where + width] = packed


def _set_marker_size(data: bytearray, m: Mutation) -> None:
    """Set a 32-bit word just before or after a marker (sizes, counts, rates) to an extreme."""
    hits = [(marker, i) for marker in MARKERS for i in _find_all(data, marker)]
    if not hits:
        return
    picker = random.Random(m.value)
    marker, index = picker.choice(hits)
    where = index + picker.choice((-4, len(marker), len(marker) + 4, len(marker) + 8))
    value = EXTREMES[(m.value >> 3) % len(EXTREMES)]
    if where >= 0 and where + 4 <= len(data):
        data[where : where + 4] = struct.pack(picker.choice(("<I", ">I")), value)


def _find_all(data: bytearray, marker: bytes, limit: int = 8) -> list[int]:
    found: list[int] = []
    start = 0
    while len(found) < limit:
        start = data.find(marker, start)
        if start < 0:
            break
        found.append(start)
        start += 1
    return found
