"""Speech no segment of a window covers: what a prompted decode may leave out.

Under a prompt (the Special words, faster-whisper's ``hotwords``) tiny.en may
stop giving timestamps and say a 30 s window in one or two segments, or in none:
with "Saytype" as the one special word, 15 of 32 real recordings joined into one
file had no cue at all, while the same decode without the prompt heard them. The
words a transcript leaves out are the worst error it can have, and a spelling
the user asked for does not make up for them, so a window whose prompted decode
leaves speech unheard is decoded again without the prompt (decision 0064).
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core.engine.transcript import Segment

UNHEARD_SPEECH_S = 1.0  # a word or two: less is a breath, a cough, a segment's loose edge
EDGE_S = 0.3  # a segment's times may stop a syllable short of its speech


def unheard_speech_s(
    segments: Iterable[Segment], stretches: Iterable[tuple[float, float]], offset_s: float = 0.0
) -> float:
    """Seconds of the voice detector's ``stretches`` outside every segment's times.

    The segments' times are ``offset_s`` later than the stretches' (a window's start
    in the file); each segment counts as heard ``EDGE_S`` beyond its ends.
    """
    heard = sorted(
        (s.start - offset_s - EDGE_S, s.end - offset_s + EDGE_S) for s in segments if s.text.strip()
    )
    unheard = 0.0
    for start, end in stretches:
        position = start
        for heard_from, heard_to in heard:
            if heard_to <= position:
                continue
            if heard_from >= end:
                break
            unheard += max(0.0, heard_from - position)
            position = max(position, heard_to)
            if position >= end:
                break
        unheard += max(0.0, end - position)
    return unheard
