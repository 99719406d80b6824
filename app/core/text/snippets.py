"""Snippets: a spoken trigger ("insert my address") becomes a stored block of text, exactly.

A snippet is matched like a spoken command: on whole tokens, by their lower-case
words, with Whisper's punctuation around the trigger absorbed. Its text is put
in as the user wrote it (lines, capitals and punctuation untouched), so it
is a fixed token with the "exact" case that no later rule reads or changes.

A trigger is an ordinary phrase, so it must be ambiguous-proof the same way a
command is: it fires only when it stands as a phrase of its own. Before it is
the start of the dictation, Whisper's punctuation, or a spoken command ("new
line insert my signature"); after it is the end, Whisper's punctuation, or a
spoken command. "Please insert my address here" stays words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.core.text.phrase_match import longest_phrase_at
from app.core.text.spoken_commands import command_ends_at, command_starts_at
from app.core.text.tokens import Token, tokenize

EXACT = "exact"  # the Token.cap of a snippet's text: rendered as written


def trigger_words(trigger: str) -> tuple[str, ...]:
    """The words a trigger is matched on ("Insert my address" → insert, my, address)."""
    return tuple(word for token in tokenize(trigger) for word in token.words)


def snippets_problem(pairs: Sequence[object]) -> str | None:
    """Why ``pairs`` is not a valid snippet table, as a phrase, or None when it is."""
    for pair in pairs:
        if not (
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            return f"{pair!r} is not a pair of texts (trigger, text)"
        trigger, text = pair
        if not trigger.strip():
            return "a snippet has text but no trigger (what you say to insert it)"
        if not trigger_words(trigger):
            return f"the snippet trigger {trigger!r} has no words to say"
        if not text.strip():
            return f"the snippet {trigger!r} has no text"
    return None


class Snippets:
    """A compiled snippet table.

    Args:
        pairs: (trigger, text) pairs; a trigger with no words or an empty text
            is ignored, and a later pair wins over an earlier equal trigger (a
            profile's snippet over the global one).
        commands: spoken commands are on, so a command next to a trigger
            makes it a phrase of its own.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = (), *, commands: bool = True) -> None:
        self._table: dict[tuple[str, ...], str] = {}
        for trigger, text in pairs:
            key = trigger_words(trigger)
            if key and text.strip():
                self._table[key] = text
        self._commands = commands
        self.longest = max((len(key) for key in self._table), default=0)

    def __bool__(self) -> bool:
        return bool(self._table)

    def could_continue(self, tokens: Sequence[Token]) -> bool:
        """Whether the newest ``tokens`` may still become a snippet or change its reading.

        True for the start of a longer trigger, and for a whole trigger with no
        punctuation after it: the next word decides whether it stands alone.
        """
        words = tuple(word for token in tokens for word in token.words)
        if not words or any(token.fixed for token in tokens) or tokens[-1].trail:
            return False
        if any(token.trail for token in tokens[:-1]):
            return False
        return any(len(key) >= len(words) and key[: len(words)] == words for key in self._table)

    def apply(self, tokens: Sequence[Token]) -> list[Token]:
        """Put each trigger's text in its place, where it stands as a phrase of its own."""
        if not self._table:
            return list(tokens)
        result: list[Token] = []
        index = 0
        while index < len(tokens):
            found = longest_phrase_at(self._table, tokens, index, longest=self.longest)
            if found is None or not self._stands_alone(tokens, index, found[0]):
                result.append(tokens[index])
                index += 1
                continue
            end, text = found
            result.append(Token("", text, "", fixed=True, cap=EXACT, words=("",)))
            index = end
        return result

    def _stands_alone(self, tokens: Sequence[Token], start: int, end: int) -> bool:
        before = tokens[start - 1] if start > 0 else None
        alone_before = (
            before is None
            or bool(before.trail)
            or before.cap == EXACT
            or (self._commands and command_ends_at(tokens, start))
        )
        alone_after = (
            end == len(tokens)
            or bool(tokens[end - 1].trail)
            or (self._commands and command_starts_at(tokens, end))
        )
        return alone_before and alone_after
