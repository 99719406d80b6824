"""Text shaping: Whisper's words → the text the user meant, the same everywhere.

One :class:`TextShaper` is built from the settings and used by the window,
history, delivery and both CLI commands, so a dictation reads the same
wherever it lands. The steps run in a fixed order, each its own module:
snippets (a trigger phrase becomes the user's stored text), replacements (the
user's table wins over everything else), spoken commands,
fillers, numbers, then rendering (spacing, capitals, "scratch that").
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.engine.transcript import Segment, Transcript
from app.core.text.formatting import is_filler, remove_fillers, render
from app.core.text.numbers import digits_as_words, is_number_tail, numbers_to_digits
from app.core.text.paragraphs import with_paragraphs
from app.core.text.replacements import DEFAULT_REPLACEMENTS, Replacements
from app.core.text.snippets import EXACT, Snippets
from app.core.text.spoken_commands import (
    Item,
    apply_commands,
    begins_acting_backwards,
    could_continue,
)
from app.core.text.tokens import Token, tokenize

log = logging.getLogger(__name__)

_LONGEST_HOLD = 3  # words: the longest command or replacement prefix worth waiting for


def with_space_after(text: str) -> str:
    """``text`` and a space for a next dictation to follow; unchanged when empty or when it
    ends in whitespace already (after a "new line" the next line would start with it)."""
    return text + " " if text and not text[-1].isspace() else text


@dataclass(frozen=True)
class ShapingOptions:
    """What shaping does; the defaults are the settings' defaults.

    Attributes:
        spoken_commands: turn "comma", "new paragraph", "scratch that"… into their effect.
        replacements: (heard, written) pairs applied as whole words.
        snippets: (trigger, text) pairs: a trigger said as a phrase of its own
            becomes its text, exactly (:mod:`app.core.text.snippets`).
        capitalize_first: start each dictation with a capital letter.
        remove_fillers: drop "um", "uh" and similar sounds.
        numbers_as_digits: write spelled-out numbers as digits (numbers.py's patterns);
            off, a lone digit Whisper wrote is spelled out instead.
        trailing_space: add a space after each delivery, ready for the next dictation.
        plain: the code/plain style of a profile: no capitals at sentence starts and
            no full stop at the end (for code editors and terminals).
    """

    spoken_commands: bool = True
    replacements: tuple[tuple[str, str], ...] = DEFAULT_REPLACEMENTS
    snippets: tuple[tuple[str, str], ...] = ()
    capitalize_first: bool = True
    remove_fillers: bool = False
    numbers_as_digits: bool = False
    trailing_space: bool = False
    plain: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> ShapingOptions:
        """The options held by an ``app.core.settings.Settings``."""
        return cls(
            spoken_commands=settings.spoken_commands,
            replacements=tuple(tuple(pair) for pair in settings.replacements),
            snippets=tuple(tuple(pair) for pair in settings.snippets),
            capitalize_first=settings.capitalize_first,
            remove_fillers=settings.remove_fillers,
            numbers_as_digits=settings.numbers_as_digits,
            trailing_space=settings.trailing_space,
        )


@dataclass
class TextShaper:
    """Shapes whole texts, and tells how much of a growing text is settled."""

    options: ShapingOptions = field(default_factory=ShapingOptions)

    def __post_init__(self) -> None:
        self._replacements = Replacements(self.options.replacements)
        self._snippets = Snippets(self.options.snippets, commands=self.options.spoken_commands)
        # A trigger is held whole, and one word more: that word says whether it stands alone.
        self._longest_hold = max(_LONGEST_HOLD, self._snippets.longest + 1)

    def shape(self, text: str) -> str:
        """The shaped form of a whole text (a final, a file transcript, a segment)."""
        return self.shape_tokens(tokenize(text))

    def shape_transcript(self, transcript: Transcript) -> Transcript:
        """A file transcript shaped segment by segment, then joined into paragraphs.

        Segments keep their times, so a command acts within its segment, except one
        that begins a segment and acts on the words before it: Whisper often hears
        "Full stop." or "Scratch that." as a segment of its own, so that segment is
        shaped with the one before, and the two become one segment spanning both (the
        same text as dictating it live). The text is the shaped segments joined
        (:mod:`app.core.text.paragraphs`), so it always says what the segments, the txt
        and the subtitles say.
        """
        groups: list[list[Segment]] = []
        for segment in transcript.segments:
            acts_back = self.options.spoken_commands and begins_acting_backwards(
                tokenize(segment.text)
            )
            if groups and acts_back:
                groups[-1].append(segment)
            else:
                groups.append([segment])
        segments = tuple(
            dataclasses.replace(
                group[0],
                end=group[-1].end,
                text=self.shape(" ".join(segment.text for segment in group)),
            )
            for group in groups
        )
        return with_paragraphs(dataclasses.replace(transcript, segments=segments))

    def shape_tokens(self, tokens: Sequence[Token], *, hold_last_mark: bool = False) -> str:
        """Shape ``tokens``; with ``hold_last_mark``, leave off the last token's punctuation.

        A later spoken command may still absorb that punctuation, so text that is
        typed before the next words arrive must not include it yet.
        """
        tokens = list(tokens)
        if hold_last_mark and tokens and tokens[-1].trail:
            tokens[-1] = tokens[-1].with_trail("")
        plain = self.options.plain
        items = self._items(tokens)
        text = render(
            items,
            capitalize_first=self.options.capitalize_first and not plain,
            sentence_case=not plain,
        )
        ends_in_snippet = bool(items) and isinstance(items[-1], Token) and items[-1].cap == EXACT
        if (
            plain
            and not hold_last_mark
            and not ends_in_snippet
            and text.endswith(".")
            and not text.endswith("..")
        ):
            text = text[:-1]  # the end of a command line or a code line takes no full stop
        return text

    def settled(self, tokens: Sequence[Token]) -> int:
        """How many leading ``tokens`` no later word can change (the rest are held back).

        A trailing word is held while it may begin a spoken command or a
        replacement ("question" before "mark"), while a command waits for its word
        or for the word that would make it literal ("comma" before "splice"), and
        while it may be part of a number or be a filler.
        """
        end = len(tokens)
        changed = True
        while changed and end > 0:
            changed = False
            for start in range(max(0, end - self._longest_hold), end):
                tail = tokens[start:end]
                if self._may_continue(tail):
                    end, changed = start, True
                    break
            if end > 0 and self._held_alone(tokens[:end]):
                end, changed = end - 1, True
        return end

    def _may_continue(self, tail: Sequence[Token]) -> bool:
        if self.options.spoken_commands and could_continue(tail):
            return True
        if self._snippets.could_continue(tail):
            return True
        return self._replacements.could_continue(tail)

    def _held_alone(self, tokens: Sequence[Token]) -> bool:
        last = tokens[-1]
        if self.options.remove_fillers and is_filler(last):
            return True
        return self.options.numbers_as_digits and is_number_tail(tokens)

    def _items(self, tokens: Iterable[Token]) -> list[Item]:
        # One form for Whisper's small numbers on every path, then the user's table and rules.
        tokens = list(tokens) if self.options.numbers_as_digits else digits_as_words(list(tokens))
        words = self._replacements.apply(self._snippets.apply(tokens))
        items: list[Item] = apply_commands(words) if self.options.spoken_commands else [*words]
        if self.options.remove_fillers:
            items = remove_fillers(items)
        if self.options.numbers_as_digits:
            items = numbers_to_digits(items)
        return items
