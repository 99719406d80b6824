"""Where a new pass's words go past the committed ones, when it joins several into one.

A pass re-hears the committed words still in its buffer, not always alike: "my" may
come back as "I" (one word for one), and "One, two, three, four, five…" may come back
as one token, "1-2-3-4-5-6-7-8-9-10.". Counting whole tokens, the four committed
words skipped that token and the three after it, and "five … ten. The quick brown"
were never committed: type as I speak left them out. So the words are compared by
their parts (a hyphenated token's pieces, number words as digits), and a token the
committed words end inside is split: the rest of it ("5-6-7-8-9-10.") is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Protocol

from app.core.engine.local_agreement import word_key

_LOOK_PAST = 3  # hypothesis words looked at past as many as were committed
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_DIGITS = {name: str(value) for value, name in enumerate(_NUMBER_WORDS.split(" "))}


class _HasText(Protocol):
    @property
    def text(self) -> str: ...


def spoken_parts(text: str) -> list[str]:
    """The comparable parts of one word: its hyphenated pieces, number words as digits."""
    keys = [word_key(piece) for piece in text.strip().split("-")]
    return [_DIGITS.get(key, key) for key in keys]


def split_reheard(committed: Sequence[_HasText], hypothesis: Sequence[_HasText]) -> tuple[int, str]:
    """The index of the first hypothesis word after the committed ones, and the new rest of
    the word before it when the committed ones end inside it ("" when they do not).

    Committed words left unmatched after the last match are taken to map one-to-one onto
    the following parts; with nothing in common, word for word.
    """
    if not committed:
        return 0, ""
    said = [part for word in committed for part in spoken_parts(word.text)]
    window = hypothesis[: len(committed) + _LOOK_PAST]
    heard: list[str] = []
    owner: list[tuple[int, int]] = []  # each heard part's word and place in it
    for index, word in enumerate(window):
        for place, part in enumerate(spoken_parts(word.text)):
            heard.append(part)
            owner.append((index, place))
    matcher = SequenceMatcher(None, said, heard, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return min(len(committed), len(hypothesis)), ""
    last = blocks[-1]
    end = last.b + last.size + len(said) - (last.a + last.size)
    if end >= len(heard):  # past the window: word for word beyond it
        return min(len(hypothesis), len(window) + end - len(heard)), ""
    index, place = owner[end]
    if place == 0:
        return index, ""
    pieces = window[index].text.strip().split("-")
    return index + 1, "-".join(pieces[place:])
