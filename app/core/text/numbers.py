"""Numbers as digits: a small, rule-based normaliser for English number words.

Whisper already writes most numbers as digits; this catches the ones it
spells out. It knows only the patterns listed here (docs/text-shaping.md
repeats them), and leaves everything else as it was:

* cardinals from "zero" to the billions, with "hundred", "thousand",
  "million", "billion", an optional "and" after "hundred"/"thousand"
  ("one hundred and five" → 105) and hyphens ("twenty-five" → 25);
* "a" before a scale word ("a hundred" → 100);
* decimals with "point" and single digits ("three point one four" → 3.14);
* "percent" after a number ("twenty percent" → 20%).

A lone "one" stays a word ("no one", "the one I want") unless a number is next
to it ("one, two, three" → "1, 2, 3"), and numbers said in a row stay separate
("two three four" → "2 3 4"); "twenty three hundred" is 2300.

Whisper itself is not consistent about small numbers: the same "one, two,
three" comes back as "1, 2, 3." from a short live window and "One, two,
three." from a whole recording. With numbers as digits off,
:func:`digits_as_words` gives both paths one form before any rule runs: a lone
digit is written as its word, as style guides spell out numbers below ten.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from app.core.text.spoken_commands import Item
from app.core.text.tokens import Token

_UNITS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    word: 10 * (index + 2)
    for index, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | {"hundred"}


class _Number:
    """A cardinal being read word by word; ``take`` refuses a word that starts a new one."""

    def __init__(self) -> None:
        self.total = 0
        self.current = 0
        self.last = ""  # kind of the last word: unit, tens, hundred, scale
        self.scale = 10**12
        self.words = 0

    @property
    def value(self) -> int:
        return self.total + self.current

    def take(self, word: str) -> bool:
        if word in _UNITS:
            value = _UNITS[word]
            if self.last in {"", "hundred", "scale"} or (self.last == "tens" and value < 10):
                self.current += value
                return self._took("unit" if value < 10 else "teen")
            return False
        if word in _TENS:
            if self.last in {"", "hundred", "scale"}:
                self.current += _TENS[word]
                return self._took("tens")
            return False
        if word == "hundred":
            if self.last in {"unit", "teen"} and self.current < 100:
                self.current *= 100
                return self._took("hundred")
            return False
        scale = _SCALES[word]
        if self.last in {"unit", "teen", "tens", "hundred"} and scale < self.scale:
            self.total += self.current * scale
            self.current = 0
            self.scale = scale
            return self._took("scale")
        return False

    def _took(self, kind: str) -> bool:
        self.last = kind
        self.words += 1
        return True


_DIGIT_WORDS = {str(value): word for word, value in _UNITS.items() if value < 10}


def digits_as_words(tokens: Sequence[Token]) -> list[Token]:
    """Write each lone digit Whisper wrote ("2," but not "2.5", "3:30", "5%", "$4") as a word.

    A digit next to another number stays a digit: "Flight 9 47 leaves at 6 45" became
    "Flight nine 47 leaves at six 45", one number in two forms.
    """
    # Numbers written side by side, with no punctuation between ("1, 2 or 3" is a list).
    joined = [
        a.core.replace(".", "").isdigit() and b.core.replace(".", "").isdigit() and not a.trail
        for a, b in pairwise(tokens)
    ]
    return [
        Token(token.lead, _DIGIT_WORDS[token.core], token.trail, cap=token.cap)
        if not token.fixed
        and token.core in _DIGIT_WORDS
        and not (index > 0 and joined[index - 1])
        and not (index < len(joined) and joined[index])
        else token
        for index, token in enumerate(tokens)
    ]


def _word(item: Item) -> str | None:
    """The single match word of a plain token, or None."""
    if isinstance(item, Token) and not item.fixed and len(item.words) == 1:
        return item.words[0]
    return None


def _number_words(item: Item) -> tuple[str, ...] | None:
    if not isinstance(item, Token) or item.fixed or item.lead or not item.words:
        return None
    return item.words if all(word in NUMBER_WORDS for word in item.words) else None


def is_number_tail(items: Sequence[Item]) -> bool:
    """Whether the newest item may still be part of a number ("twenty" before "three")."""
    if not items:
        return False
    last = items[-1]
    if _number_words(last) == ("one",):
        return True  # even "one,": a number after it makes it "1," ("one, two, three")
    if _number_words(last) is not None or _word(last) in {"point", "a"}:
        return not (isinstance(last, Token) and last.trail)
    return _word(last) == "and" and len(items) > 1 and _number_words(items[-2]) is not None


def numbers_to_digits(items: Sequence[Item]) -> list[Item]:
    """Replace runs of number words with digits; see the module docstring for the patterns."""
    result: list[Item] = []
    index = 0
    while index < len(items):
        end, text = _read_number(items, index)
        if end == index:
            result.append(items[index])
            index += 1
            continue
        first, last = items[index], items[end - 1]
        assert isinstance(first, Token)
        assert isinstance(last, Token)
        result.append(Token(first.lead, text, last.trail, fixed=True, cap=first.cap))
        index = end
    return result


def _read_number(items: Sequence[Item], start: int) -> tuple[int, str]:
    """(index after the number starting at ``start``, its digits), or (start, "")."""
    number = _Number()
    index = start
    if _a_before_scale(items, start):
        number.current, number.last, index = 1, "unit", start + 1
    while index < len(items):
        words = _number_words(items[index])
        if words is None:
            if _word(items[index]) == "and" and number.last in {"hundred", "scale"}:
                following = _number_words(items[index + 1]) if index + 1 < len(items) else None
                if following and following[0] in _UNITS | _TENS:
                    index += 1
                    continue
            break
        taken = 0
        for word in words:
            if not number.take(word):
                break
            taken += 1
        if taken < len(words):
            break  # a new number starts in (or at) this token
        token = items[index]
        index += 1
        if isinstance(token, Token) and token.trail:
            break  # punctuation ends the number
    lone_one = number.words == 1 and number.value == 1 and index - start == 1
    if number.words == 0 or (lone_one and not _next_to_a_number(items, start, index)):
        return start, ""
    text = str(number.value)
    end = index
    last = items[end - 1]
    if isinstance(last, Token) and not last.trail:
        end, text = _decimals(items, end, text)
        if end < len(items) and _word(items[end]) == "percent":
            return end + 1, text + "%"
    return end, text


def _next_to_a_number(items: Sequence[Item], start: int, end: int) -> bool:
    """Whether the item before ``start`` or at ``end`` is a number ("one, two": a list)."""
    neighbours = [items[i] for i in (start - 1, end) if 0 <= i < len(items)]
    return any(
        _number_words(item) is not None
        or (isinstance(item, Token) and item.core.isdigit() and not item.fixed)
        for item in neighbours
    )


def _a_before_scale(items: Sequence[Item], start: int) -> bool:
    """ "a hundred", "a thousand": the "a" counts as one."""
    if _word(items[start]) != "a" or start + 1 >= len(items):
        return False
    following = _number_words(items[start + 1])
    return following is not None and following[0] in {"hundred", *_SCALES}


def _decimals(items: Sequence[Item], end: int, text: str) -> tuple[int, str]:
    """Digits after "point": "three point one four" → "3.14"."""
    if end + 1 >= len(items) or _word(items[end]) != "point":
        return end, text
    digits = ""
    index = end + 1
    while index < len(items):
        word = _word(items[index])
        if word is None or word not in _UNITS or _UNITS[word] > 9:
            break
        digits += str(_UNITS[word])
        index += 1
        last = items[index - 1]
        if isinstance(last, Token) and last.trail:
            break
    return (index, f"{text}.{digits}") if digits else (end, text)
