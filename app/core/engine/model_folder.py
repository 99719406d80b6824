"""Integrity check of a CTranslate2 Whisper model folder, before anything loads it.

A broken folder must produce one clear sentence naming the folder and the fault,
not a C++ error or, worse, a silent attempt to fetch a tokenizer from the network
(faster-whisper falls back to the hub when ``tokenizer.json`` is missing).
"""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

REQUIRED_TOKENIZER = "tokenizer.json"
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")


class ModelError(Exception):
    """A model cannot be used; the message says which one and why, in one sentence."""


class _TruncatedError(Exception):
    pass


def check_model_folder(folder: Path) -> None:
    """Raise :class:`ModelError` unless ``folder`` holds a complete CTranslate2 Whisper model.

    Checks that ``config.json`` and the tokenizer parse, the vocabulary has Whisper's
    start token, and that
    ``model.bin`` holds every variable its header declares (a truncated download is
    the most common corruption).
    """
    if not folder.exists():
        raise ModelError(f"Model folder {folder} does not exist.")
    if not folder.is_dir():
        raise ModelError(f"Model path {folder} is not a folder.")
    config = folder / "config.json"
    if not config.is_file():
        raise ModelError(f"Model folder {folder} is missing config.json.")
    try:
        parsed = json.loads(config.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"Model folder {folder} has an unreadable config.json ({exc}).") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.info("config.json of %s: %s", folder, exc)
        raise ModelError(f"Model folder {folder} has a damaged config.json; {_AGAIN}") from exc
    if not isinstance(parsed, dict):
        raise ModelError(f"Model folder {folder} has a damaged config.json; {_AGAIN}")
    if not (folder / REQUIRED_TOKENIZER).is_file():
        raise ModelError(f"Model folder {folder} is missing its tokenizer ({REQUIRED_TOKENIZER}).")
    _check_tokenizer(folder)
    vocabularies = [folder / name for name in VOCABULARY_FILES if (folder / name).is_file()]
    if not vocabularies:
        raise ModelError(f"Model folder {folder} is missing its vocabulary (vocabulary.txt).")
    _check_vocabulary(folder, vocabularies[0])
    weights = folder / "model.bin"
    if not weights.is_file():
        raise ModelError(f"Model folder {folder} is missing model.bin.")
    size = weights.stat().st_size
    try:
        with weights.open("rb") as stream:
            needed = _declared_size(stream)
    except _TruncatedError:
        needed = None
    except OSError as exc:
        raise ModelError(f"Model folder {folder}: cannot read model.bin ({exc}).") from exc
    if needed is None or size < needed:
        # A cut download and damaged header bytes look the same from here.
        expected = "" if needed is None else f" of the {needed / 1e6:.1f} MB its header declares"
        raise ModelError(
            f"Model folder {folder} has a truncated or damaged model.bin ({size / 1e6:.1f} MB"
            f"{expected}); {_AGAIN}"
        )


_AGAIN = "download or copy the model again."
# Every Whisper vocabulary has it; the decoder cannot start a transcript without it.
_START_TOKEN = "<|startoftranscript|>"


def _check_tokenizer(folder: Path) -> None:
    """A cut or damaged ``tokenizer.json`` fails here, not in the first transcription."""
    try:
        parsed = json.loads((folder / REQUIRED_TOKENIZER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"Model folder {folder} has an unreadable {REQUIRED_TOKENIZER} ({exc}); {_AGAIN}"
        ) from exc
    if not isinstance(parsed, dict) or "model" not in parsed:
        raise ModelError(
            f"Model folder {folder} has a {REQUIRED_TOKENIZER} with no model; {_AGAIN}"
        )


def _check_vocabulary(folder: Path, vocabulary: Path) -> None:
    try:
        text = vocabulary.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"Model folder {folder} has an unreadable {vocabulary.name} ({exc}); {_AGAIN}"
        ) from exc
    if _START_TOKEN not in text:
        raise ModelError(
            f"Model folder {folder} has an empty or damaged {vocabulary.name}; {_AGAIN}"
        )


def _read(stream: BinaryIO, fmt: str) -> int:
    width = struct.calcsize(fmt)
    data = stream.read(width)
    if len(data) < width:
        raise _TruncatedError
    value: int = struct.unpack(fmt, data)[0]
    return value


def _skip_string(stream: BinaryIO) -> None:
    length = _read(stream, "<H")
    if len(stream.read(length)) < length:
        raise _TruncatedError


def _skip(stream: BinaryIO, count: int) -> None:
    target = stream.tell() + count
    stream.seek(target)


def _declared_size(stream: BinaryIO) -> int:
    """Walk the model.bin header and return the byte count it declares.

    Layout (CTranslate2 ``models/model.cc``): uint32 version; for version >= 2 a
    spec name string and uint32 revision; uint32 variable count; per variable a
    name, uint8 rank, rank x uint32 dims, then (version >= 4) uint8 dtype and
    uint32 byte count, or (older) uint8 item size and uint32 item count, then the
    data; for version >= 3 a list of aliases. Strings are uint16 length + bytes.
    """
    version = _read(stream, "<I")
    if version >= 2:
        _skip_string(stream)
        _read(stream, "<I")
    variables = _read(stream, "<I")
    for _ in range(variables):
        _skip_string(stream)
        rank = _read(stream, "<B")
        _skip(stream, 4 * rank)
        if version >= 4:
            _read(stream, "<B")
            data_bytes = _read(stream, "<I")
        else:
            item_size = _read(stream, "<B")
            data_bytes = _read(stream, "<I") * item_size
        _skip(stream, data_bytes)
    if version >= 3:
        # Aliases live after the data; a file cut inside the data reads nothing here.
        end = stream.tell()
        stream.seek(0, 2)
        if stream.tell() < end:
            return end
        stream.seek(end)
        for _ in range(_read(stream, "<I")):
            _skip_string(stream)
            _skip_string(stream)
    return stream.tell()
