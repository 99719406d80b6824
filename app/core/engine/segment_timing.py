"""Segment times that begin and end with the speech, not with Whisper's 30 s clip.

Whisper times a segment with timestamp tokens that tiny.en rounds to whole
seconds, and after a long pause it often starts the next segment where its clip
began: a subtitle then shows a sentence 20 s before it is said. The voice
detector knows where the speech is, so a segment's start is moved up to its first
speech and its end back to its last, never outside the times Whisper gave (a
soft word Silero misses keeps Whisper's time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LEAD_S = 0.2  # a cue shows a moment before the first word, as subtitles do
TRAIL_S = 0.3  # and stays a moment after the last, as the word fades


def fitted_to_speech(
    start_s: float, end_s: float, speech: tuple[float, float] | None
) -> tuple[float, float]:
    """``(start_s, end_s)`` narrowed to ``speech`` (where speech was heard in it), padded."""
    if speech is None:
        return start_s, end_s
    start = max(start_s, speech[0] - LEAD_S)
    end = min(end_s, speech[1] + TRAIL_S)
    return (start, end) if end > start else (start_s, end_s)


_SENTENCE_ENDS = (".", "?", "!")
# Stops that do not end a sentence: titles before a name, and "vs." ("U.S.", "e.g." have
# a stop inside, which says the same).
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "vs"})
MIN_CUE_S = 0.6  # a one-word sentence ("Six.") is timed as a moment; a cue needs longer


def _ends_sentence(word: str, following: str | None) -> bool:
    """Whether ``word`` ends a sentence: its stop is not an abbreviation's ("Mr.", "U.S.")."""
    word = word.strip()
    if following is None or not word.endswith(_SENTENCE_ENDS):
        return following is None
    if not following.strip()[:1].isupper():
        return False
    bare = word.rstrip(".?!")
    return not (word.endswith(".") and (bare.lower() in _ABBREVIATIONS or "." in bare))


def sentence_pieces(
    start_s: float, end_s: float, text: str, words: Sequence[Any] | None
) -> list[tuple[float, float, str]]:
    """One segment as its sentences, each timed by its words: ``(start, end, text)``.

    A hearing without inner timestamps (tiny.en under a prompt of the user's
    vocabulary) is one segment for a whole window; a subtitle cue per sentence,
    at its words' times, reads as Whisper's own segments do. Without word times
    (``words`` None or empty) the segment stays whole.
    """
    if not words:
        return [(start_s, end_s, text)]
    said = [str(word.word) for word in words]
    sentences: list[list[Any]] = [[]]
    for index, word in enumerate(words):
        sentences[-1].append(word)
        following = said[index + 1] if index + 1 < len(words) else None
        if following is not None and _ends_sentence(said[index], following):
            sentences.append([])
    if len(sentences) == 1:
        return [(start_s, end_s, text)]
    pieces = []
    for number, sentence in enumerate(sentences):
        begin, end = float(sentence[0].start), float(sentence[-1].end)
        after = float(sentences[number + 1][0].start) if number + 1 < len(sentences) else end_s
        end = max(end, min(begin + MIN_CUE_S, after))
        pieces.append((begin, end, "".join(str(w.word) for w in sentence).strip()))
    return pieces
