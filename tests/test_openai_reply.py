"""verbose_json replies become timed segments; error bodies become one short line."""

from __future__ import annotations

import json

import pytest

from app.core.engine.remote.openai_reply import (
    MalformedReply,
    parse_verbose_json,
    summarise_error_body,
)
from app.core.engine.transcript import Segment


def test_segments_keep_their_times_and_the_text_is_theirs_joined() -> None:
    body = json.dumps(
        {
            "task": "transcribe",
            "language": "English",
            "duration": 4.2,
            "text": " Hello there. General Kenobi.",
            "segments": [
                {"id": 0, "start": 0.0, "end": 1.5, "text": " Hello there."},
                {"id": 1, "start": 1.5, "end": 4.2, "text": " General Kenobi."},
            ],
        }
    ).encode()
    reply = parse_verbose_json(body)
    assert reply.segments == (
        Segment(0.0, 1.5, "Hello there."),
        Segment(1.5, 4.2, "General Kenobi."),
    )
    assert reply.text == "Hello there. General Kenobi."
    assert reply.language == "english"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"text": "hello"}', "no 'segments' list"),
        (b'{"segments": [{"start": 0, "text": "x"}]}', "segment 1 lacks"),
        (b'{"segments": [{"start": "0", "end": 1, "text": "x"}]}', "segment 1 lacks"),
        (b'{"segments": [{"start": NaN, "end": 1, "text": "x"}]}', "segment 1 lacks"),
        (b'{"segments": ["x"]}', "segment 1 is not an object"),
    ],
)
def test_a_reply_that_is_not_a_transcription_is_named(body: bytes, says: str) -> None:
    with pytest.raises(MalformedReply, match=says):
        parse_verbose_json(body)


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (b'{"error": {"message": "Invalid API key.", "type": "auth"}}', "Invalid API key"),
        (b'{"detail": "Model not found"}', "Model not found"),
        (b'{"detail": [{"loc": ["body", "file"], "msg": "Field required"}]}', "Field required"),
        (b'{"error": "quota exceeded"}', "quota exceeded"),
        (b"<html><body><h1>413 Request Entity Too Large</h1></body></html>", "413 Request"),
        (b"upstream\n  timed   out\n", "upstream"),
        (b"", ""),
    ],
)
def test_error_bodies_are_summarised_in_one_line(body: bytes, summary: str) -> None:
    line = summarise_error_body(body)
    assert line.startswith(summary)
    assert "\n" not in line


def test_a_long_error_body_is_clipped() -> None:
    assert len(summarise_error_body(b"x" * 5000)) == 200
