"""Split segments into subtitle cues that fit on screen.

Broadcast guidelines (and most players) keep a cue to two lines of at most 42
characters. Whisper segments are often longer, so a long segment becomes several
cues, its time shared in proportion to the characters each cue holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.engine.transcript import Segment

MAX_LINE_CHARS = 42
MAX_LINES = 2


@dataclass(frozen=True)
class Cue:
    """One subtitle: a time span and one or two lines of text."""

    start: float
    end: float
    lines: tuple[str, ...]


def wrap_words(text: str, width: int = MAX_LINE_CHARS) -> list[str]:
    """Greedy word wrap; a single word longer than ``width`` is cut into pieces."""
    lines: list[str] = []
    current = ""
    for whole_word in text.split():
        word = whole_word
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def build_cues(
    segments: Iterable[Segment], width: int = MAX_LINE_CHARS, max_lines: int = MAX_LINES
) -> list[Cue]:
    """Turn segments into cues of at most ``max_lines`` lines of ``width`` characters."""
    cues: list[Cue] = []
    for segment in segments:
        lines = wrap_words(segment.text, width)
        if not lines:
            continue
        groups = [tuple(lines[i : i + max_lines]) for i in range(0, len(lines), max_lines)]
        weights = [sum(len(line) for line in group) for group in groups]
        total = sum(weights)
        segment_end = max(segment.start, segment.end)  # never let a cue end before it starts
        span = segment_end - segment.start
        start = segment.start
        for index, (group, weight) in enumerate(zip(groups, weights, strict=True)):
            last = index == len(groups) - 1
            end = segment_end if last else start + span * weight / total
            cues.append(Cue(start=start, end=end, lines=group))
            start = end
    return cues
