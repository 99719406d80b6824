"""Render transcripts as txt, srt, vtt and json, and write them safely.

Every format joins segments by the rules of :mod:`app.core.text.paragraphs`:
txt and json's ``text`` are the same sentences and paragraphs, and subtitle cues
(one or more per segment) lose Whisper's capital where a segment only continues
a sentence.

Files are written in UTF-8 through a temporary file and an atomic rename, so a
full disk or a crash never leaves a half-written export in place of a good one.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.core import atomic_file
from app.core.engine.transcript import Transcript
from app.core.output.subtitles import build_cues
from app.core.text.paragraphs import continue_sentences, with_paragraphs

FORMATS = ("txt", "srt", "vtt", "json")


class ExportError(Exception):
    """An export could not be written; the message names the file and the reason."""


def format_timestamp(seconds: float, decimal_marker: str) -> str:
    """Format seconds as ``HH:MM:SS<marker>mmm``, rounding to the millisecond."""
    millis = max(0, math.floor(seconds * 1000 + 0.5))  # half up, not banker's rounding
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"


def to_txt(transcript: Transcript) -> str:
    """Plain text: sentences run on across segments, paragraphs apart by a blank line."""
    text = with_paragraphs(transcript).text
    return f"{text}\n" if text else ""


def to_srt(transcript: Transcript) -> str:
    """SubRip: numbered cues, ``00:01:02,345`` timestamps, a blank line after each."""
    blocks = []
    segments = continue_sentences(transcript.segments)
    for number, cue in enumerate(build_cues(segments), start=1):
        start = format_timestamp(cue.start, ",")
        end = format_timestamp(cue.end, ",")
        blocks.append(f"{number}\n{start} --> {end}\n" + "\n".join(cue.lines) + "\n")
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT: a ``WEBVTT`` header and ``00:01:02.345`` timestamps."""
    blocks = ["WEBVTT\n"]
    for cue in build_cues(continue_sentences(transcript.segments)):
        start = format_timestamp(cue.start, ".")
        end = format_timestamp(cue.end, ".")
        blocks.append(f"{start} --> {end}\n" + "\n".join(map(_vtt_escape, cue.lines)) + "\n")
    return "\n".join(blocks)


def _vtt_escape(line: str) -> str:
    # WebVTT cue text treats < and & as markup; a literal --> would end the cue timing.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_json_object(transcript: Transcript, file: str | None = None) -> dict[str, object]:
    """The CLI's JSON contract: file, text, segments, language, duration (and extras).

    ``text`` is the txt export's text; the segments' texts, joined into
    sentences and paragraphs, make it up.
    """
    arranged = with_paragraphs(transcript)
    return {
        "file": transcript.source if file is None else file,
        "text": arranged.text,
        "segments": [
            {"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text}
            for s in arranged.segments
        ],
        "language": transcript.language,
        "duration": round(transcript.duration, 3),
        "model": transcript.model_name,
        "complete": transcript.complete,
        # How the file ended before its header said ("is truncated: …"); "" for a whole file.
        "cut_short": transcript.cut_short,
    }


def to_json(transcript: Transcript) -> str:
    """Pretty JSON document with non-ASCII text kept readable."""
    return json.dumps(to_json_object(transcript), ensure_ascii=False, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Transcript], str]] = {
    "txt": to_txt,
    "srt": to_srt,
    "vtt": to_vtt,
    "json": to_json,
}


def render(transcript: Transcript, fmt: str) -> str:
    """Render ``transcript`` in one of :data:`FORMATS`."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(transcript)


def write_text_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` via a temporary file in the same folder.

    Raises:
        ExportError: when the folder is missing, read-only or full.
    """
    if path.parent.exists() and not path.parent.is_dir():
        raise ExportError(f"{path}: cannot write ({path.parent} is not a folder).")
    try:
        atomic_file.write_text_atomically(path, text, file_mode=0o644)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write ({atomic_file.describe_os_error(exc)}).") from exc


def check_folder_writable(folder: Path) -> None:
    """Make ``folder`` if missing and check a file can be written there, before any work.

    An hour of transcription must not be thrown away at the end because the folder
    is read-only or not the user's.

    Raises:
        ExportError: when the folder cannot be made or written in.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".saytype-check-"):
            pass
    except OSError as exc:
        reason = atomic_file.describe_os_error(exc)
        raise ExportError(f"{folder}: cannot write ({reason}).") from exc


def export(transcript: Transcript, fmt: str, path: Path) -> None:
    """Render and write ``transcript`` to ``path``."""
    write_text_atomically(path, render(transcript, fmt))


NAME_MAX_BYTES = 255  # a file name's limit on Linux file systems (ext4, btrfs, xfs, tmpfs)
_COUNTER_ROOM = len("-999")


def transcript_name(stem: str, suffix: str) -> str:
    """``STEM + SUFFIX``, the stem cut short enough that a ``-N`` counter still fits.

    A recording named near the limit (251 characters and ``.wav``) ended the whole run
    with "File name too long" once ``.json`` or ``.partial.txt`` took the place of ``.wav``.
    """
    room = NAME_MAX_BYTES - _COUNTER_ROOM - len(suffix.encode("utf-8"))
    encoded = stem.encode("utf-8")
    if len(encoded) > room:
        stem = encoded[:room].decode("utf-8", "ignore")  # never half a character
    return stem + suffix


def unused_path(path: Path, holding: str | None = None) -> Path:
    """``path``, or ``STEM-2.EXT``, ``STEM-3.EXT``…: the first that is free or holds ``holding``.

    Exports never replace a file with other words in it: it may be an earlier
    transcript the user edited. One that already holds exactly the text about to be
    written (the same transcript exported again) is replaced: nothing is lost.
    """
    candidate, counter = path, 2
    while candidate.exists() and not holds_text(candidate, holding):
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
        counter += 1
    return candidate


def holds_text(path: Path, text: str | None) -> bool:
    """Whether ``path`` holds exactly ``text`` (the same transcript written before)."""
    if text is None:
        return False
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False
