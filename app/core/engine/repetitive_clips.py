"""Whisper's check for a decoder stuck in a loop, narrowed to text that does loop.

faster-whisper decodes a 30 s clip again at rising temperatures when its text
compresses more than 2.4 times (gzip), its sign of a decoder repeating itself.
Speech whose sentences are alike (a list read out, a form's fields read one by
one) compresses that much at temperature 0 too, where the text is right; of the
sampled decodes that then compress less, 9 of 10 held a sentence fewer, and
faster-whisper takes the first of them (decision 0056; a sentence dropped inside
a clip is lost). So files are decoded with that check off, and a clip whose text
compresses past the threshold is held back until its last segment: only when its
words repeat back to back (the rule live dictation cuts loops by), or a few
letters inside a word do, is it decoded again, with the check on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.core.engine.local_agreement import repetition_loop_start
from app.core.engine.model_host import WhisperSegmentLike

REPETITIVE_RATIO = 2.4  # faster-whisper's compression_ratio_threshold
_FRAMES_PER_SECOND = 100  # a segment's ``seek`` names its clip's first feature frame
_STUTTER = re.compile(r"(\S{1,4})\1{7,}")  # up to 4 characters, 8 times or more in a row


@dataclass(frozen=True)
class _Word:
    text: str


def clip_start_s(segment: WhisperSegmentLike) -> float:
    """Where the 30 s clip a segment was decoded from starts, in seconds."""
    return float(getattr(segment, "seek", 0)) / _FRAMES_PER_SECOND


def decoder_looped(clip: list[WhisperSegmentLike]) -> bool:
    """One clip's segments repeat a phrase back to back (not merely alike sentences),
    or a few letters over and over inside a word ("ahhhhhhhhhhhh…", seen over 2 s of
    slow speech)."""
    words = [_Word(word) for segment in clip for word in segment.text.split()]
    if repetition_loop_start(words) is not None:
        return True
    return any(_STUTTER.search(segment.text) for segment in clip)


class RepetitionCheck:
    """Passes a window's segments through, but stops before a clip whose decoder looped.

    Iterate it in place of the segments; afterwards :attr:`looped_at` is the start
    (seconds, in the decoded audio) of the clip that looped, or None when none did.
    """

    def __init__(self, segments: Iterable[WhisperSegmentLike]) -> None:
        self._segments = segments
        self.looped_at: float | None = None

    def __iter__(self) -> Iterator[WhisperSegmentLike]:
        held: list[WhisperSegmentLike] = []
        for segment in self._segments:
            if held and clip_start_s(segment) != clip_start_s(held[0]):
                if self._looped(held):
                    return
                yield from held
                held = []
            if held or getattr(segment, "compression_ratio", 0.0) > REPETITIVE_RATIO:
                held.append(segment)  # all segments of a clip carry its ratio
            else:
                yield segment
        if held and not self._looped(held):
            yield from held

    def _looped(self, clip: list[WhisperSegmentLike]) -> bool:
        if decoder_looped(clip):
            self.looped_at = clip_start_s(clip[0])
        return self.looped_at is not None
