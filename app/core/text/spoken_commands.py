"""Spoken commands ("comma", "new paragraph", "scratch that") found in Whisper's words.

The table below was written from what tiny.en actually writes when hibari-tts
reads dictation with commands in it (docs/text-shaping.md lists the
sentences): it wraps a command in its own punctuation ("report, comma, see",
"question, Mark?"), hyphenates it onto the word before ("ready-period"), and
hears "comma" after a name as "Coma", "Kama" or "Kamah". So a command is
matched on whole tokens by their lower-case words, Whisper's punctuation
inside and around it is absorbed, and the aliases include those hearings.

A command is taken literally when the words around it say it is a noun: after
a determiner ("the comma splice", "a new line") or before a word that makes
it one ("period of time", "comma separated").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from app.core.text.tokens import SENTENCE_END, Token

log = logging.getLogger(__name__)

MarkKind = Literal["punct", "break", "open", "close", "nospace", "scratch"]


@dataclass(frozen=True)
class Mark:
    """What a spoken command puts into the text: a punctuation mark, a break, or an action."""

    kind: MarkKind
    text: str = ""


Item = Token | Mark

# Words that make the next one a noun. Left out on purpose: words tiny.en confuses
# with others ("their" for "there", "its" for "it's") and pronouns ("that", "her",
# "one") that often come right before a command ("I said that, comma").
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "these",
        "those",
        "each",
        "every",
        "another",
        "my",
        "your",
        "our",
        "his",
        "no",
        "any",
        "some",
        "per",
    ]
)
_ARTICLES = frozenset({"a", "an", "the"})
# Words after a punctuation name that make it a noun: "comma splice", "period of".
_NOUN_FOLLOWERS = frozenset(
    [
        "splice",
        "splices",
        "key",
        "keys",
        "sign",
        "signs",
        "symbol",
        "symbols",
        "character",
        "characters",
        "separated",
        "delimited",
        "rule",
        "rules",
        "of",
        "button",
        "buttons",
        "placement",
        "usage",
        "break",
        "breaks",
    ]
)
# "scratch that" is a verb and its object after these ("I need to scratch that itch",
# "please scratch that off the list", "we should scratch that item"); a dictation takes
# it back after a phrase ("…tomorrow scratch that I will call…"), not after them.
_SCRATCH_AS_A_VERB_AFTER = frozenset(
    ["to", "please", "should", "shall", "will", "would", "can", "could", "must", "might",
     "may", "i", "we", "you", "they", "let's", "lets", "just", "never", "don't", "not"]
)  # fmt: skip
# …and before these: "scratch that off", "scratch that out", "scratch that from".
_SCRATCH_AS_A_VERB_BEFORE = frozenset(["off", "out", "from"])
_NO_SPACE_BEFORE = frozenset(["is", "was", "there", "theres", "have", "has", "had", "with"])
_NO_SPACE_AFTER = frozenset(["left", "for", "in", "at", "to", "between", "on", "available"])
# Trailing marks a command absorbs from the word before it (quotes and brackets stay).
_ABSORBED = frozenset(".,!?;:…")
# Marks that take the place of Whisper's punctuation on the word before them. A closing
# quote or bracket too: "hello, close quote, exclamation mark" was "hello,"! (the comma is
# Whisper's guess at the pause, which the speaker did not say).
_ABSORBING = frozenset({"punct", "nospace", "scratch", "close"})


@dataclass(frozen=True)
class Command:
    """One spoken command: its spellings (as match words) and what it does."""

    name: str
    aliases: tuple[tuple[str, ...], ...]
    mark: Mark | None  # None for the word commands ("cap", "all caps")
    case: str = ""  # for the word commands: "first" or "all"
    literal_after: frozenset[str] = _DETERMINERS
    literal_before: frozenset[str] = _NOUN_FOLLOWERS

    @property
    def takes_word(self) -> bool:
        """Whether the command applies to the next word ("cap london")."""
        return self.mark is None


def _aliases(*spellings: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(spelling.split()) for spelling in spellings)


COMMANDS: tuple[Command, ...] = (
    Command("comma", _aliases("comma", "coma", "kama", "kamah", "kamma"), Mark("punct", ",")),
    Command("period", _aliases("period", "full stop", "fullstop"), Mark("punct", ".")),
    Command("question mark", _aliases("question mark", "question market"), Mark("punct", "?")),
    Command(
        "exclamation mark",
        _aliases("exclamation mark", "exclamation point"),
        Mark("punct", "!"),
    ),
    Command("colon", _aliases("colon"), Mark("punct", ":")),
    Command("semicolon", _aliases("semicolon", "semi colon"), Mark("punct", ";")),
    Command(
        "open quote",
        _aliases("open quote", "open quotes", "begin quote"),
        Mark("open", '"'),
        literal_after=_ARTICLES,
    ),
    Command(
        "close quote",
        _aliases("close quote", "close quotes", "end quote", "unquote"),
        Mark("close", '"'),
        literal_after=_ARTICLES,
    ),
    Command(
        "open paren",
        _aliases("open paren", "open parens", "open parent", "open parenthesis"),
        Mark("open", "("),
        literal_after=_ARTICLES,
    ),
    Command(
        "close paren",
        _aliases("close paren", "close parens", "close parent", "close parenthesis"),
        Mark("close", ")"),
        literal_after=_ARTICLES,
    ),
    Command("new line", _aliases("new line", "newline"), Mark("break", "\n")),
    Command("new paragraph", _aliases("new paragraph"), Mark("break", "\n\n")),
    Command(
        "scratch that",
        _aliases("scratch that"),
        Mark("scratch"),
        literal_after=_ARTICLES | _SCRATCH_AS_A_VERB_AFTER,
        literal_before=_SCRATCH_AS_A_VERB_BEFORE,
    ),
    Command("cap", _aliases("cap"), None, "first", literal_before=frozenset()),
    Command("all caps", _aliases("all caps", "all cap"), None, "all", literal_before=frozenset()),
    Command(
        "no space",
        _aliases("no space"),
        Mark("nospace"),
        literal_after=_DETERMINERS | _NO_SPACE_BEFORE,
        literal_before=_NO_SPACE_AFTER,
    ),
)

# Longest spellings first, so "full stop" wins over a shorter alias starting alike.
_SPELLINGS = sorted(
    ((alias, command) for command in COMMANDS for alias in command.aliases),
    key=lambda pair: -len(pair[0]),
)
# Single words that may be glued onto the word before with a hyphen ("ready-period").
HYPHEN_GLUED = frozenset(alias[0] for alias, _ in _SPELLINGS if len(alias) == 1)


def _match_at(tokens: Sequence[Token], start: int) -> tuple[Command, int] | None:
    """The command spelled by whole tokens from ``start``, and the index after it."""
    for alias, command in _SPELLINGS:
        words: list[str] = []
        end = start
        while end < len(tokens) and len(words) < len(alias) and not tokens[end].fixed:
            words.extend(tokens[end].words)
            end += 1
        if tuple(words) == alias:
            return command, end
    return None


def command_starts_at(tokens: Sequence[Token], start: int) -> bool:
    """Whether a spoken command is spelled by the tokens from ``start`` on."""
    return _match_at(tokens, start) is not None


def command_ends_at(tokens: Sequence[Token], end: int) -> bool:
    """Whether a spoken command is spelled by the tokens just before ``end``."""
    return any(
        found is not None and found[1] == end
        for found in (_match_at(tokens, start) for start in range(max(0, end - 3), end))
    )


def begins_acting_backwards(tokens: Sequence[Token]) -> bool:
    """Whether ``tokens`` begin with a command that acts on the words before them.

    A mark ("full stop", "comma", "scratch that", "new line") ends, joins or takes
    back what came before; "cap" acts on the next word instead.
    """
    tokens = split_glued(tokens)
    found = _match_at(tokens, 0)
    return found is not None and found[0].mark is not None and not _is_literal(tokens, 0, *found)


def could_continue(tokens: Sequence[Token]) -> bool:
    """Whether ``tokens`` (the newest words) may still become or change a command.

    True for the start of a longer spelling ("question", "full"), a command still
    waiting for its word ("cap"), and a command whose literal reading depends on
    the next word ("comma" before a possible "splice") when no punctuation ends it.
    """
    words = [word for token in tokens for word in token.words]
    if not words or any(token.fixed for token in tokens):
        return False
    for alias, command in _SPELLINGS:
        if len(words) < len(alias) and alias[: len(words)] == tuple(words):
            return True
        if tuple(words) == alias and not tokens[-1].trail:
            return command.takes_word or bool(command.literal_before)
    return False


# Words Whisper may run onto the word before with nothing between ("weathercomma,"); only
# those no English word ends with ("…coma" would split glaucoma).
GLUED_WITHOUT_HYPHEN = ("comma",)


def split_glued(tokens: Sequence[Token]) -> list[Token]:
    """Split "ready-period." into "ready" and "period.", and "weathercomma," into "weather"
    and "comma," (Whisper runs some commands onto the word before)."""
    result: list[Token] = []
    for token in tokens:
        stem, glued = _glued(token.core) if not token.fixed else ("", "")
        if not glued:
            result.append(token)
            continue
        result.append(Token(token.lead, stem, ""))
        result.append(Token("", glued, token.trail))
    return result


def _glued(core: str) -> tuple[str, str]:
    """(the word, the command run onto it), or ("", "") when ``core`` is one word."""
    parts = core.split("-")
    if len(parts) > 1 and parts[-1].lower() in HYPHEN_GLUED:
        return "-".join(parts[:-1]), parts[-1]
    for word in GLUED_WITHOUT_HYPHEN:
        stem = core[: -len(word)]
        if core.lower().endswith(word) and len(stem) >= 2 and stem.isalpha():
            return stem, core[-len(word) :]
    return "", ""


def apply_commands(tokens: Sequence[Token]) -> list[Item]:
    """Turn spoken commands into :class:`Mark` items; every other token passes through."""
    tokens = split_glued(tokens)
    items: list[Item] = []
    index = 0
    lower_next = False
    while index < len(tokens):
        found = _match_at(tokens, index)
        if found is None or _is_literal(tokens, index, *found):
            end = found[1] if found else index + 1
            first = tokens[index]
            if lower_next and not first.cap:
                first = replace(first, cap="lower")
            items.extend([first, *tokens[index + 1 : end]])
            index, lower_next = end, False
            continue
        command, end = found
        if command.takes_word:
            items.append(replace(tokens[end], cap=command.case))
            index, lower_next = end + 1, False
            continue
        assert command.mark is not None
        items.append(command.mark)
        lower_next = _absorb(items, command.mark, tokens[end - 1].trail)
        index = end
    return items


def _is_literal(tokens: Sequence[Token], start: int, command: Command, end: int) -> bool:
    before = tokens[start - 1] if start > 0 else None
    after = tokens[end] if end < len(tokens) else None
    if before and not before.trail and before.words and before.words[-1] in command.literal_after:
        return True
    if command.takes_word:
        return after is None or after.fixed or not after.core or bool(tokens[end - 1].trail)
    return bool(
        after is not None
        and not tokens[end - 1].trail
        and after.words
        and after.words[0] in command.literal_before
    )


def _absorb(items: list[Item], mark: Mark, own_trail: str) -> bool:
    """Drop Whisper's punctuation around the command just appended to ``items``.

    A mark replaces the punctuation Whisper put before it, as a careful typist
    would. Returns whether Whisper guessed a sentence end there that the spoken
    mark does not make, so its capital on the next word should go too.
    """
    guessed_end = any(c in SENTENCE_END for c in own_trail)
    previous = items[-2] if len(items) >= 2 else None
    if mark.kind in _ABSORBING and isinstance(previous, Token) and previous.trail:
        kept = "".join(c for c in previous.trail if c not in _ABSORBED)
        guessed_end = guessed_end or previous.ends_sentence
        items[-2] = previous.with_trail(kept)
    ends_sentence = mark.kind == "break" or (mark.kind == "punct" and mark.text in SENTENCE_END)
    return guessed_end and not ends_sentence
