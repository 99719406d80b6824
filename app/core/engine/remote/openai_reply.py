"""Read an OpenAI-compatible server's replies: verbose_json transcriptions and error bodies.

Servers differ in the details (OpenAI says ``"language": "english"``,
faster-whisper servers say ``"en"``; error bodies are OpenAI's
``{"error": {"message"}}``, FastAPI's ``{"detail"}`` or plain text), so the
reader keeps only what every one of them sends and turns anything else into one
sentence. Segment times are kept as sent, so srt and vtt exports of a remote
transcript are cut exactly as local ones are.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from app.core.engine.transcript import Segment

_SUMMARY_CHARS = 200  # an error body is summarised, never dumped


class MalformedReply(ValueError):
    """The reply is not a verbose_json transcription; the message says what is wrong."""


@dataclass(frozen=True)
class TranscriptionReply:
    """What a verbose_json reply holds that a :class:`Transcript` needs."""

    segments: tuple[Segment, ...]
    text: str
    language: str


def parse_verbose_json(body: bytes) -> TranscriptionReply:
    """Read a ``response_format=verbose_json`` reply.

    Raises:
        MalformedReply: the body is not JSON, or has no usable ``segments``.
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedReply(f"it is not JSON ({_first_line(body)!r})") from exc
    if not isinstance(data, dict):
        raise MalformedReply(f"it is JSON but not an object ({type(data).__name__})")
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list):
        raise MalformedReply("it has no 'segments' list (the server ignored verbose_json)")
    segments = tuple(_segment(raw, number) for number, raw in enumerate(raw_segments, 1))
    text = data.get("text")
    joined = " ".join(s.text for s in segments if s.text).strip()
    language = data.get("language")
    return TranscriptionReply(
        segments=segments,
        text=text.strip() if isinstance(text, str) and not segments else joined,
        language=language.strip().lower() if isinstance(language, str) else "",
    )


def _segment(raw: Any, number: int) -> Segment:
    if not isinstance(raw, dict):
        raise MalformedReply(f"segment {number} is not an object")
    start, end, text = _time(raw.get("start")), _time(raw.get("end")), raw.get("text")
    if start is None or end is None or not isinstance(text, str):
        raise MalformedReply(f"segment {number} lacks a numeric start, end or a text")
    return Segment(start=start, end=max(start, end), text=text.strip())


def _time(value: object) -> float | None:
    """A number of seconds, or None for anything else (a string, a bool, NaN, negative)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def summarise_error_body(body: bytes) -> str:
    """One line from an error reply: its message field if it has one, else its first line."""
    message: object = None
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if isinstance(data, dict):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if not message:
            message = data.get("detail") or data.get("message")
        if isinstance(message, list) and message and isinstance(message[0], dict):
            message = message[0].get("msg")  # FastAPI's validation errors
    text = message if isinstance(message, str) else _first_line(body)
    return _clip(text)


def _first_line(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)  # an HTML error page: keep its words
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _clip(lines[0]) if lines else ""


def _clip(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
