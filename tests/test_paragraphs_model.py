"""A real tiny.en transcript reads as sentences and paragraphs, not one line per segment.

One long sentence read by hibari-tts comes out of tiny.en as several segments cut
at its commas (measured: six, none ending a sentence but the last); a closing
sentence after two seconds of silence must start a paragraph.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.output.exporters import render
from app.core.text.paragraphs import ends_sentence
from app.core.text.shaper import TextShaper
from app.core.text.tokens import tokenize
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

LONG_SENTENCE = (
    "We walked along the river for a long time, past the old mill and the church and the "
    "school where my mother used to teach, and then across the bridge and up the hill to the "
    "farm, where my grandfather was waiting for us with a basket of apples and a story about "
    "the winter of nineteen sixty three, when the snow was so deep that nobody could leave "
    "the valley for a month."
)
CLOSING = "That was a long walk, and we were all very tired when we got home."


def test_segments_of_one_sentence_join_without_breaks_or_capitals(
    speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    wav = speech.wav([LONG_SENTENCE, CLOSING], tmp_path / "walk.wav", pause_s=2.0)
    raw = FileTranscriber(tiny_en).transcribe_file(wav, TranscribeOptions(language="en"))
    transcript = TextShaper().shape_transcript(raw)  # as `saytype transcribe` does
    segments = [segment for segment in transcript.segments if segment.text]
    continuing = [
        later for earlier, later in itertools.pairwise(segments) if not ends_sentence(earlier.text)
    ]
    heard = [segment.text for segment in raw.segments]
    assert continuing, f"the recording no longer tests anything: {heard}"

    for segment in continuing:
        first = tokenize(segment.text)[0].core
        assert first == "I" or not first[:1].isupper(), (first, heard)

    txt = render(transcript, "txt")
    lines = txt.removesuffix("\n").split("\n")
    for line in lines[:-1]:
        assert not line or ends_sentence(line), (line, txt)
    paragraphs = txt.removesuffix("\n").split("\n\n")
    assert len(paragraphs) == 2, txt
    assert paragraphs[1].startswith("That was"), txt

    document = json.loads(render(transcript, "json"))
    assert document["text"] == txt.removesuffix("\n")
    joined = " ".join(segment["text"] for segment in document["segments"])
    assert joined.split() == document["text"].split()
