"""A segment whose times run on over speech its words cannot have covered.

Whisper ends a segment with a timestamp, and now and then that timestamp jumps far
past its words: a 30 s clip held the end of one sentence, a pause, then another
speaker's sentence, and the decoder said the first, timed it to the clip's end,
and went on after the clip (decision 0059: JFK's 14 s sentence lost between two
LJSpeech ones, while one faster-whisper call over the same file heard it). Such a
segment holds far fewer words than any speaker says in the time it claims. Where
the voice detector hears a pause after speech enough for the words, and speech
after the pause, the window is decoded again from there. A first segment of that
decode that only says the skipping segment's words again was slow speech, not a
skip: it is dropped ("Montreal ... forced ... aligner", said over 9 s).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from app.core.engine.heard_in_silence import only_words_from
from app.core.engine.model_host import WhisperSegmentLike

log = logging.getLogger(__name__)

# The slowest dictation and reading run at about 1.5 words a second, pauses included;
# a segment whose times hold under 0.8 a second claims audio its words did not fill.
SLOWEST_WORDS_PER_S = 0.8
# Faster than anyone speaks (about 4.5 words a second at most): the speech before a
# pause must be long enough for the segment's words to have been said there.
FASTEST_WORDS_PER_S = 5.0
PAUSE_S = 1.0  # silence between two sentences, not a breath inside one
SKIPPED_SPEECH_S = 1.0  # speech after the pause that must have held a word or two
RESUME_PAD_S = 0.3  # decoded from a little before the speech: a soft first syllable

Stretches = Callable[[float, float], list[tuple[float, float]]]


def skipped_speech(
    start_s: float, end_s: float, words: int, stretches: list[tuple[float, float]]
) -> tuple[float, float] | None:
    """(where the words end, where to decode again) for a segment that skipped speech.

    ``stretches`` are the voice detector's runs of speech within the segment's times.
    None when the words fill the time, or no pause after enough speech for them is
    followed by speech.
    """
    if end_s <= start_s or words >= SLOWEST_WORDS_PER_S * (end_s - start_s):
        return None
    said = 0.0
    for index, (first, last) in enumerate(stretches[:-1]):
        said += last - first
        after = stretches[index + 1 :]
        pause = after[0][0] - last
        speech_after = sum(e - s for s, e in after)
        if pause >= PAUSE_S and words <= FASTEST_WORDS_PER_S * said:
            if speech_after >= SKIPPED_SPEECH_S:
                return last, max(last, after[0][0] - RESUME_PAD_S)
            return None
    return None


class SkippedSpeechCheck:
    """Passes a window's segments through, ending at one that skipped speech.

    Iterate it in place of the segments; that segment comes out timed to its words'
    speech, and afterwards :attr:`resume_at` (seconds, in the decoded audio) is where
    the speech it skipped begins, or None when no segment skipped any; :attr:`said`
    is its text, for the decode from there (``said_before``).
    """

    def __init__(
        self, segments: Iterable[WhisperSegmentLike], stretches: Stretches, said_before: str = ""
    ) -> None:
        self._segments = segments
        self._stretches = stretches
        self._said_before = said_before
        self.resume_at: float | None = None
        self.said = ""

    def __iter__(self) -> Iterator[WhisperSegmentLike]:
        first = True
        for segment in self._segments:
            if first and self._said_before and only_words_from(segment.text, [self._said_before]):
                log.info("the speech decoded again said the words before it: slow speech, dropped")
                continue
            first = False
            start, end = float(segment.start), float(segment.end)
            found = skipped_speech(
                start, end, len(segment.text.split()), self._stretches(start, end)
            )
            if found is None:
                yield segment
                continue
            words_end, self.resume_at = found
            self.said = segment.text
            log.info(
                "a segment timed %.1f-%.1f s says %d words: decoded again from %.1f s",
                *(start, end, len(segment.text.split()), self.resume_at),
            )
            yield _ended_at(segment, words_end)
            return


def _ended_at(segment: WhisperSegmentLike, end_s: float) -> WhisperSegmentLike:
    if dataclasses.is_dataclass(segment) and not isinstance(segment, type):
        timed: Any = dataclasses.replace(segment, end=end_s)
        return timed
    return segment
