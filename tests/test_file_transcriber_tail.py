"""The last clip of a file: Whisper must not go on with its prompt over the closing silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

ROUND = [
    "Chapter {}.",
    "The weather today is sunny with a light breeze from the west.",
    "Our team finished the project two weeks ahead of schedule.",
    "Remember to water the plants in the kitchen every morning.",
    "The library closes at eight o'clock on weekdays.",
    "She bought three apples, a loaf of bread and some cheese.",
    "Please turn off the lights when you leave the office.",
    "The museum has a new exhibition about ancient Egypt.",
    "My brother plays the guitar in a small jazz band.",
]


def test_a_file_ending_in_silence_gets_no_invented_last_sentence(
    speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    # Eight rounds, 4 min 44 s: the default windows leave a last 30 s clip holding the
    # tail of "jazz band" and a second of silence, where tiny.en, its prompt full of
    # "… jazz band. Chapter N.", said "Chapter 8." again (a subtitle after the end).
    said = [line.format(number) for number in range(1, 9) for line in ROUND]
    path = speech.wav(said, tmp_path / "rounds.wav", pause_s=0.7)
    transcript = FileTranscriber(tiny_en).transcribe_file(path)
    assert transcript.segments[-1].text == said[-1]
    assert transcript.segments[-1].end <= transcript.duration
    assert word_error_rate([" ".join(said)], [transcript.text]) <= 0.01
