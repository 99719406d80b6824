"""Split segments into subtitle cues that fit on screen.

Broadcast guidelines (and most players) keep a cue to two lines of at most 42
characters. Whisper segments are often longer, so a long segment becomes several
cues, its time shared in proportion to the characters each cue holds.
"""

from __future__ import annotations

import bisect
import itertools
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
    """Turn segments into cues of at most ``max_lines`` lines of ``width`` characters.

    A segment too long for one cue gets as many cues as filling them one after the other
    would give, in parts of about equal length, cut after a sentence's end where one is
    near: filled, the last cue often held a single word for a fraction of a second.
    """
    cues: list[Cue] = []
    for segment in segments:
        groups = [tuple(_lines_of(part, width)) for part in _parts(segment.text, width, max_lines)]
        if not groups:
            continue
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


def _parts(text: str, width: int, max_lines: int) -> list[list[str]]:
    """The words of ``text`` in as many parts as greedy filling needs, each fitting
    ``max_lines`` lines: about equally long when they fit so, else as greedy filling cut them.
    """
    if max_lines < 1:
        raise ValueError("a cue needs at least one line")
    words = [piece for word in text.split() for piece in wrap_words(word, width)]
    if not words:
        return []
    greedy, lines = [], wrap_words(" ".join(words), width)
    for first in range(0, len(lines), max_lines):
        greedy.append(" ".join(lines[first : first + max_lines]).split())
    if len(greedy) == 1:
        return greedy
    for prefer_ends in (True, False):
        parts = _balanced(words, len(greedy), prefer_ends=prefer_ends)
        if all(len(wrap_words(" ".join(part), width)) <= max_lines for part in parts):
            return parts
    return greedy


def _lines_of(words: list[str], width: int) -> list[str]:
    """The part's lines, about equally long when it takes two or more."""
    greedy = wrap_words(" ".join(words), width)
    if len(greedy) < 2:
        return greedy
    even = [" ".join(line) for line in _balanced(words, len(greedy), prefer_ends=False)]
    return even if all(len(line) <= width for line in even) else greedy


def _balanced(words: list[str], count: int, *, prefer_ends: bool) -> list[list[str]]:
    """``words`` cut into ``count`` runs of about equal length (never an empty one)."""
    count = min(count, len(words))
    ends = list(itertools.accumulate(len(word) + 1 for word in words))  # after each word
    reach = ends[-1] / count / 4  # how far a sentence's end may pull a cut
    cuts: list[int] = []
    for index in range(1, count):
        target = ends[-1] * index / count
        low, high = (cuts[-1] + 1 if cuts else 1), len(words) - (count - index)
        nearest = min(max(bisect.bisect_left(ends, target) + 1, low), high)
        options = [cut for cut in (nearest - 1, nearest) if low <= cut <= high]
        best = min(options, key=lambda cut: abs(ends[cut - 1] - target))
        if prefer_ends:  # the nearest sentence's end within reach wins
            first = max(low, bisect.bisect_left(ends, target - reach) + 1)
            last = min(high, bisect.bisect_right(ends, target + reach))
            near = [cut for cut in range(first, last + 1) if words[cut - 1][-1:] in ".?!"]
            best = min(near, key=lambda cut: abs(ends[cut - 1] - target), default=best)
        cuts.append(best)
    bounds = [0, *cuts, len(words)]
    return [words[start:end] for start, end in itertools.pairwise(bounds)]
