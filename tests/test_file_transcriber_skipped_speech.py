"""A segment whose times run on over speech its words skipped: decoded again from there.

tiny.en heard the end of one sentence, a pause and another speaker's whole sentence
in one 30 s clip as one segment of the first sentence's words, timed to the clip's
end, and went on after the clip: the second sentence was lost (decision 0059).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import ModelHost, WhisperSegmentLike
from app.core.engine.model_registry import resolve_model
from app.core.engine.skipped_speech import SkippedSpeechCheck, skipped_speech
from tests.support.speech import SpeechMaker
from tests.test_file_transcriber_repetition import RecordedCalls

FIRST = "before the woodcutters of the Netherlands by a similar process"
SECOND = (
    "And so my fellow Americans, ask not what your country can do for you, ask what you can "
    "do for your country. My fellow citizens of the world, ask not what America will do for "
    "you, but what together we can do for the freedom of man."
)


@dataclass(frozen=True)
class Said:
    start: float
    end: float
    text: str
    seek: int = 0
    compression_ratio: float = 1.2


def test_a_segment_timed_over_a_pause_and_more_speech_than_its_words_skipped_it() -> None:
    # The case a new user found: 10 words timed 27.7-48.2 s, over 3.9 s of speech, a
    # 1.9 s pause and 10 s of another speaker's speech.
    stretches = [(27.7, 30.1), (30.2, 31.65), (33.5, 35.4), (36.5, 43.7), (48.19, 48.24)]
    assert skipped_speech(27.7, 48.24, 10, stretches) == (31.65, pytest.approx(33.2))


@pytest.mark.parametrize(
    ("words", "stretches", "why"),
    [
        (10, [(0.0, 2.0), (3.5, 6.0)], "the words fill the time"),
        (12, [(0.0, 1.0), (2.5, 3.5), (5.0, 6.0)], "slow speech: the words need all of it"),
        (4, [(0.0, 1.0), (2.5, 2.8), (14.0, 14.3)], "the speech after the pause is a breath"),
        (4, [(0.0, 14.0)], "no pause at all"),
    ],
)
def test_a_segment_that_may_have_said_all_it_covers_is_left_alone(
    words: int, stretches: list[tuple[float, float]], why: str
) -> None:
    end = 5.0 if why == "the words fill the time" else 15.0
    assert skipped_speech(0.0, end, words, stretches) is None, why


def test_the_decode_from_the_pause_saying_the_same_words_again_was_slow_speech() -> None:
    # "Montreal ... forced ... aligner" over 9 s: from the pause on, the decoder said the
    # words before it again; they are dropped, not said twice.
    again = SkippedSpeechCheck(
        [Said(4.7, 9.0, " Montreal forced aligner."), Said(9.5, 12.0, " Then more.")],
        lambda _start, _end: [],
        said_before=" Montreal forced aligner.",
    )
    assert [segment.text for segment in again] == [" Then more."]


class SkippingModel:
    """Hears what it is told: the first call skips the second sentence, the next hears it."""

    def __init__(self, second_starts_s: float, duration_s: float) -> None:
        self.second_starts_s = second_starts_s
        self.duration_s = duration_s

    def transcribe(self, audio: Any, **_kwargs: Any) -> tuple[Iterable[Any], Any]:
        info = type("Info", (), {"language": "en", "duration": len(audio) / SAMPLE_RATE})()
        if len(audio) / SAMPLE_RATE > self.duration_s - 1:  # the whole window
            return self._skipping(), info
        return iter([Said(0.3, len(audio) / SAMPLE_RATE - 0.5, f" {SECOND}")]), info

    def _skipping(self) -> Iterator[WhisperSegmentLike]:
        yield Said(0.2, self.duration_s - 0.2, f" {FIRST}.")


def test_the_sentence_a_segment_skipped_is_decoded_again_and_kept(
    speech: SpeechMaker, tmp_path: Path
) -> None:
    first, second = speech.samples(FIRST), speech.samples(SECOND)
    pause = np.zeros(int(2.0 * speech.sample_rate), np.float32)
    path = tmp_path / "two speakers.wav"
    write_wav(path, np.concatenate([first, pause, second, pause[:4000]]), speech.sample_rate)
    second_starts_s = (len(first) + len(pause)) / speech.sample_rate
    duration_s = second_starts_s + (len(second) + 4000) / speech.sample_rate
    scripted = SkippingModel(second_starts_s, duration_s)
    recorded = RecordedCalls(lambda _source, _options: scripted)
    host = ModelHost(resolve_model("tiny.en"), factory=recorded.factory)
    transcript = FileTranscriber(host).transcribe_file(path, TranscribeOptions(language="en"))
    assert transcript.text == f"{FIRST}. {SECOND}"
    heard_first, heard_second = transcript.segments
    assert heard_first.end <= second_starts_s  # timed to its own speech, not over the other
    assert heard_second.start >= second_starts_s - 0.5
    (_whole, _), (again, _) = recorded.calls
    # Decoded again from just before the second sentence, to the end.
    assert again / SAMPLE_RATE == pytest.approx(duration_s - second_starts_s, abs=0.6)
