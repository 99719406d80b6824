"""Whisper text as tokens: a word with the punctuation Whisper glued to it.

Every shaping rule (spoken commands, replacements, fillers, numbers) matches
whole words case-insensitively and must see through Whisper's own punctuation
("comma," or "Mark?"), yet keep that punctuation where no rule fires. So text
is split on whitespace once, and each token keeps its leading and trailing
punctuation apart from its core and from the lower-case words used to match.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# Punctuation Whisper puts before a word ("(the", '"hello') and after one ("world.").
_LEADING = "\"'(\u201c\u2018[¿¡"
_TRAILING = ".,!?;:\"')\u201d\u2019]…"
SENTENCE_END = frozenset(".?!…")


@dataclass(frozen=True)
class Token:
    """One whitespace-separated piece of Whisper text.

    Attributes:
        lead: punctuation before the word (an opening quote or bracket).
        core: the word itself as Whisper wrote it ("Mario", "e-mail", "3").
        trail: punctuation after the word (",", ".", "?").
        fixed: set on words a rule produced (a replacement), which no later
            rule may reinterpret as a command, filler or number.
        cap: "first" to capitalise, "all" to upper-case, "lower" to undo
            Whisper's sentence capital, "exact" for a snippet's text (never
            changed), or "" to leave the word as written.
    """

    lead: str
    core: str
    trail: str
    fixed: bool = False
    cap: str = ""
    words: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.words:
            object.__setattr__(self, "words", match_words(self.core))

    @property
    def text(self) -> str:
        """The token as written: lead + core + trail."""
        return self.lead + self.core + self.trail

    @property
    def ends_sentence(self) -> bool:
        """Whether Whisper ended a sentence on this token."""
        return any(mark in SENTENCE_END for mark in self.trail)

    def with_trail(self, trail: str) -> Token:
        """A copy with other trailing punctuation."""
        return replace(self, trail=trail)


def match_words(core: str) -> tuple[str, ...]:
    """Lower-case words to match rules on: hyphens split, apostrophes dropped.

    "Cap's" matches "caps", "new-line" matches "new line", "Mark" matches "mark".
    """
    cleaned = core.lower().replace("'", "").replace("\u2019", "")
    return tuple(part for part in cleaned.split("-") if part)


def split_token(raw: str) -> Token:
    """Split one whitespace-free piece into lead, core and trail."""
    start, end = 0, len(raw)
    while start < end and raw[start] in _LEADING:
        start += 1
    while end > start and raw[end - 1] in _TRAILING:
        end -= 1
    if start == end:  # punctuation only, such as a lone "-" or "..."
        return Token("", "", raw)
    return Token(raw[:start], raw[start:end], raw[end:])


def tokenize(text: str) -> list[Token]:
    """Whisper text into tokens (whitespace, including newlines, separates them)."""
    return [split_token(piece) for piece in text.split()]
