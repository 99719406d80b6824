"""Whisper segments joined back into sentences and paragraphs.

Whisper cuts speech into segments at its own 30 s windows and at short pauses,
not at sentence ends, and writes every segment as if it began a sentence: a
capital first letter ("…nothing going / Else going on"). Every view of a file
transcript (txt, json, subtitles, the results window) goes through this one
module, so they all read the same and txt and json never disagree.

The rules, kept simple on purpose:

* A segment continues the sentence of the non-empty segment before it unless
  that one ended a sentence (its last word ends in ``.``, ``?``, ``!`` or
  ``…``, possibly inside a closing quote or bracket, or it ends in a line break).
* A continuing segment's first word loses Whisper's capital when it looks like
  an ordinary word: only its first letter is a capital ("Else", not "NASA" or
  "McDonald"), it is not "I" or a contraction of it ("I'm"), and it is not
  written with a capital in the middle of a sentence anywhere in the
  transcript (then it is a name: "…flew to / Paris" keeps "Paris").
* A new paragraph starts at a change of speaker, and after a pause of at least
  :data:`PARAGRAPH_PAUSE_S` that follows a sentence end. A pause inside a
  sentence is a hesitation, not a paragraph: breaking there would put a line
  break in the middle of a sentence.

Subtitle cues keep one cue per segment; they only take the lowered capitals.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.engine.transcript import Segment, Transcript
from app.core.text.tokens import Token, split_token, tokenize

PARAGRAPH_PAUSE_S = 1.5
PARAGRAPH_BREAK = "\n\n"

_I_FORMS = frozenset({"I", "I'm", "I'll", "I've", "I'd"})
_FIRST_WORD = re.compile(r"\s*(\S+)")


@dataclass(frozen=True)
class Paragraph:
    """Consecutive segments that read as one paragraph.

    Attributes:
        segments: the paragraph's non-empty segments, capitals already fixed.
    """

    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        """The segment texts joined with single spaces (none beside a line break)."""
        return _join(segment.text for segment in self.segments).strip()


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence (or a paragraph the shaper broke with a newline)."""
    if text.rstrip(" ").endswith("\n"):
        return True
    tokens = tokenize(text)
    return bool(tokens) and tokens[-1].ends_sentence


def continue_sentences(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """The segments with Whisper's capital removed where a segment continues a sentence.

    Empty segments are kept (they still have times) and do not count as the
    segment before. Applying this twice changes nothing more.

    Args:
        segments: the transcript's segments, in order.

    Returns:
        The same number of segments, with the same times.
    """
    names = _mid_sentence_capitals(segments)
    result: list[Segment] = []
    previous: Segment | None = None
    for segment in segments:
        if not segment.text.strip():
            result.append(segment)
            continue
        fixed = segment
        if (
            previous is not None
            and previous.speaker == segment.speaker
            and not ends_sentence(previous.text)
        ):
            fixed = dataclasses.replace(segment, text=_lower_first_word(segment.text, names))
        result.append(fixed)
        previous = fixed
    return tuple(result)


def paragraphs(
    segments: Sequence[Segment], pause_s: float = PARAGRAPH_PAUSE_S
) -> tuple[Paragraph, ...]:
    """Group the non-empty segments into paragraphs, capitals fixed.

    Args:
        segments: the transcript's segments, in order.
        pause_s: the shortest silence after a sentence end that starts a paragraph.

    Returns:
        The paragraphs in order; none when every segment is empty.
    """
    groups: list[list[Segment]] = []
    for segment in continue_sentences(segments):
        if not segment.text.strip():
            continue
        if not groups or _starts_paragraph(groups[-1][-1], segment, pause_s):
            groups.append([])
        groups[-1].append(segment)
    return tuple(Paragraph(tuple(group)) for group in groups)


def paragraph_text(segments: Sequence[Segment], pause_s: float = PARAGRAPH_PAUSE_S) -> str:
    """The whole transcript as text: paragraphs separated by a blank line, no final newline."""
    return PARAGRAPH_BREAK.join(p.text for p in paragraphs(segments, pause_s)).strip()


def with_paragraphs(transcript: Transcript) -> Transcript:
    """``transcript`` with its segments' capitals fixed and its text made of paragraphs.

    Every exporter and view starts here, so the text and the segments always agree:
    the segment texts, joined as :func:`paragraph_text` joins them, are the text.
    """
    segments = continue_sentences(transcript.segments)
    return dataclasses.replace(transcript, text=paragraph_text(segments), segments=segments)


def _starts_paragraph(previous: Segment, segment: Segment, pause_s: float) -> bool:
    if previous.speaker != segment.speaker:
        return True
    return segment.start - previous.end >= pause_s and ends_sentence(previous.text)


def _join(texts: Iterable[str]) -> str:
    """Join with a space, but none next to a line break the shaper wrote ("new paragraph")."""
    out = ""
    for text in texts:
        if out and not out.endswith("\n") and not text.startswith("\n"):
            out += " "
        out += text
    return out


def _lower_first_word(text: str, names: frozenset[str]) -> str:
    match = _FIRST_WORD.match(text)
    if match is None:
        return text
    token = split_token(match.group(1))
    if not _is_sentence_capital(token, names):
        return text
    lowered = token.lead + token.core[0].lower() + token.core[1:] + token.trail
    return text[: match.start(1)] + lowered + text[match.end(1) :]


def _is_sentence_capital(token: Token, names: frozenset[str]) -> bool:
    """A capital only a sentence start explains: "Else", not "I'm", "TV", "McDonald" or a name."""
    core = token.core.replace("\u2019", "'")
    letters = [char for char in core if char.isalpha()]
    if not letters or not letters[0].isupper() or not core[0].isalpha():
        return False
    if any(char.isupper() for char in letters[1:]):
        return False  # an acronym or a word with inner capitals
    return core not in _I_FORMS and core not in names


def _mid_sentence_capitals(segments: Iterable[Segment]) -> frozenset[str]:
    """Words written with a capital after a word that did not end a sentence: names."""
    names: set[str] = set()
    for segment in segments:
        for line in segment.text.splitlines():  # a line break starts a sentence too
            for before, token in itertools.pairwise(tokenize(line)):
                if not before.ends_sentence and token.core[:1].isupper():
                    names.add(token.core.replace("\u2019", "'"))
    return frozenset(names)
