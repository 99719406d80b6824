"""Segment times that begin and end with the speech, not with Whisper's 30 s clip.

Whisper times a segment with timestamp tokens that tiny.en rounds to whole
seconds, and after a long pause it often starts the next segment where its clip
began: a subtitle then shows a sentence 20 s before it is said. The voice
detector knows where the speech is, so a segment's start is moved up to its first
speech and its end back to its last, never outside the times Whisper gave (a
soft word Silero misses keeps Whisper's time).
"""

from __future__ import annotations

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
