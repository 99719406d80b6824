"""A clip is decoded again only when its decoder looped, not when its sentences are alike.

faster-whisper's own check (gzip ratio over 2.4) also fires on speech of alike
sentences, and a sampled decode that compresses less is then taken (decision 0056).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.core.engine.repetitive_clips import RepetitionCheck, decoder_looped

ALIKE = [
    "The old desk in room 10 needs a new bulb before Monday morning.",
    "The small chair in room 11 needs a new screw before Tuesday morning.",
    "The broken desk in room 12 needs a new lock before Wednesday morning.",
]


@dataclass(frozen=True)
class RawSegment:
    start: float
    end: float
    text: str
    seek: int  # the clip's first feature frame, 100 per second
    compression_ratio: float


def segments_of(*clips: tuple[int, float, list[str]]) -> list[RawSegment]:
    """Segments of clips given as (seek, ratio, texts), one second per segment."""
    return [
        RawSegment(seek / 100 + n, seek / 100 + n + 1, text, seek, ratio)
        for seek, ratio, texts in clips
        for n, text in enumerate(texts)
    ]


class Consumed:
    """Yields the segments and counts how many the decoder was asked for."""

    def __init__(self, segments: list[RawSegment]) -> None:
        self.segments = segments
        self.asked = 0

    def __iter__(self) -> Iterator[RawSegment]:
        for segment in self.segments:
            self.asked += 1
            yield segment


def test_alike_sentences_are_no_loop_but_a_phrase_said_on_and_on_is() -> None:
    assert not decoder_looped(segments_of((0, 2.6, ALIKE)))
    assert decoder_looped(segments_of((0, 3.1, ["Thank you. Thank you. Thank you. Thank you."])))
    # a sentence of six words or more said twice in a row, across segments
    assert decoder_looped(segments_of((0, 2.7, [ALIKE[0], ALIKE[0]])))
    # a few letters over and over inside one word (tiny.en over slow, noisy speech)
    assert decoder_looped(segments_of((0, 9.8, ["In 1813. Ahhhhhhhhhhhhhhhhhhhhhhhhhhhhh"])))
    assert not decoder_looped(segments_of((0, 2.5, ["Hmmm. Sooo, words words words words."])))


def test_alike_sentences_over_the_ratio_pass_whole() -> None:
    segments = segments_of((0, 1.2, ["Hello there."]), (3000, 2.6, ALIKE), (6000, 1.3, ["Bye."]))
    check = RepetitionCheck(segments)
    assert list(check) == segments
    assert check.looped_at is None


def test_a_clip_that_looped_stops_the_window_before_it() -> None:
    loop = ["We will meet. We will meet. We will meet. We will meet."]
    segments = segments_of((0, 1.2, ["Hello there."]), (2550, 3.2, loop), (5550, 1.1, ["Bye."]))
    source = Consumed(segments)
    check = RepetitionCheck(source)
    assert [s.text for s in check] == ["Hello there."]
    assert check.looped_at == 25.5
    assert source.asked == 3  # only the segment that showed the looping clip had ended


def test_a_clip_under_the_ratio_is_passed_on_at_once() -> None:
    # Progress and each segment reach the user as the clip is decoded, not a clip later.
    source = Consumed(segments_of((0, 1.2, ["One.", "Two."]), (3000, 1.4, ["Three."])))
    passed = iter(RepetitionCheck(source))
    assert next(passed).text == "One."
    assert source.asked == 1


def test_a_loop_faster_whisper_would_not_flag_is_left_as_it_was() -> None:
    # Under the ratio faster-whisper takes the decode as it is; so does the check.
    segments = segments_of((0, 1.9, ["Go go go go go go go."]))
    check = RepetitionCheck(segments)
    assert list(check) == segments
    assert check.looped_at is None
