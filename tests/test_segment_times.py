"""Segment times after long pauses: with the speech, not with Whisper's 30 s clip."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from app.core.engine.segment_timing import (
    LEAD_S,
    MIN_CUE_S,
    TRAIL_S,
    fitted_to_speech,
    sentence_pieces,
)
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

SAID = [
    "The meeting starts at nine tomorrow morning.",
    "The child almost hurt the small dog.",
    "Please turn off the lights when you leave the office.",
]
PAUSES_S = [25.0, 20.0]  # a meeting's silences: longer than half of Whisper's clip


def test_a_segment_is_narrowed_to_its_speech_and_never_widened() -> None:
    assert fitted_to_speech(4.0, 33.0, (29.5, 32.9)) == (29.5 - LEAD_S, 33.0)
    assert fitted_to_speech(0.0, 10.0, (2.0, 5.0)) == (2.0 - LEAD_S, 5.0 + TRAIL_S)
    assert fitted_to_speech(3.0, 4.0, (2.5, 4.5)) == (3.0, 4.0)
    assert fitted_to_speech(3.0, 4.0, None) == (3.0, 4.0)  # a soft word Silero missed


@pytest.mark.model
def test_sentences_after_long_pauses_are_timed_where_they_are_said_and_said_once(
    speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    # tiny.en timed the second sentence from 4 s (its clip's start) to 33 s, then said it
    # again, sure of itself, over the next 20 s of silence: a subtitle 25 s early, and
    # one the speaker never said (a new user's meeting recording).
    parts, spoken = [], []
    at = 0
    for index, sentence in enumerate(SAID):
        samples = speech.samples(sentence)
        voiced = np.flatnonzero(np.abs(samples) > 0.01)
        spoken.append(((at + voiced[0]) / SAMPLE_RATE, (at + voiced[-1]) / SAMPLE_RATE))
        pause = np.zeros(int(PAUSES_S[index] * SAMPLE_RATE) if index < len(PAUSES_S) else 0)
        parts += [samples, pause.astype(np.float32)]
        at += len(samples) + len(pause)
    path = tmp_path / "meeting.wav"
    write_wav(path, np.concatenate(parts), SAMPLE_RATE)

    segments = FileTranscriber(tiny_en).transcribe_file(path).segments

    assert word_error_rate([" ".join(SAID)], [" ".join(s.text for s in segments)]) <= 0.05
    assert len(segments) == len(SAID)
    for segment, (start, end) in zip(segments, spoken, strict=True):
        assert start - 1.0 <= segment.start <= start + 0.3
        assert end - 0.5 <= segment.end <= end + 1.0


@dataclass(frozen=True)
class _Word:
    word: str
    start: float
    end: float


def _words(*timed: tuple[str, float, float]) -> list[_Word]:
    return [_Word(word, start, end) for word, start, end in timed]


def test_a_segment_without_inner_times_is_cut_into_its_sentences_at_their_words() -> None:
    words = _words(
        (" Today,", 0.5, 0.9), (" trains", 0.9, 1.4), (" run.", 1.4, 1.9),
        (" Six.", 6.0, 6.0),
        (" Mr.", 7.0, 7.3), (" Quilter", 7.3, 7.8), (" spoke", 7.8, 8.2), (" in", 8.2, 8.3),
        (" the", 8.3, 8.4), (" U.S.", 8.4, 8.9), (" Senate", 8.9, 9.4), (" today.", 9.4, 9.9),
    )  # fmt: skip
    text = "".join(word.word for word in words)
    assert sentence_pieces(0.0, 30.0, text, words) == [
        (0.5, 1.9, "Today, trains run."),
        (6.0, 6.0 + MIN_CUE_S, "Six."),  # timed as a moment, shown for a moment more
        (7.0, 9.9, "Mr. Quilter spoke in the U.S. Senate today."),  # no stop at "Mr."
    ]


def test_one_sentence_or_no_word_times_keep_the_segment_as_it_is() -> None:
    words = _words((" It", 1.0, 1.2), (" works.", 1.2, 1.8))
    assert sentence_pieces(0.8, 2.0, " It works.", words) == [(0.8, 2.0, " It works.")]
    assert sentence_pieces(0.8, 9.0, " One. Two.", None) == [(0.8, 9.0, " One. Two.")]
    lower = _words((" one.", 1.0, 1.5), (" two", 1.5, 2.0))  # a stop before a small letter
    assert sentence_pieces(0.8, 2.0, " one. two", lower) == [(0.8, 2.0, " one. two")]
