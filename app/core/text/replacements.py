"""The user's replacement table: literal, whole-word, case-aware ("saytype" → "Saytype").

A replacement matches whole tokens, case-insensitively, and keeps Whisper's
punctuation around them ("saytype," → "Saytype,"). The replacement's own
capitals are the user's choice and are kept; a replacement written all in
lower case follows the case of what was heard (a sentence capital, or
shouted capitals), so "gonna" → "going to" still starts a sentence with "Going".
The words a replacement produces are fixed: no later rule reads them as a
command, a filler or a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.core.text.phrase_match import longest_phrase_at
from app.core.text.tokens import Token, match_words

# None: "say type" = "Saytype" (the product's name as tiny.en hears it) also rewrote "when I
# say type it again" (docs/decisions/0057-no-replacement-by-default.md).
DEFAULT_REPLACEMENTS: tuple[tuple[str, str], ...] = ()


def _follow_case(heard: str, replacement: str) -> str:
    letters = [c for c in heard if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if letters and letters[0].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Replacements:
    """A compiled replacement table.

    Args:
        pairs: (what is heard, what to write) pairs; empty or punctuation-only
            keys are ignored, and a later pair wins over an earlier equal key.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._table: dict[tuple[str, ...], str] = {}
        for heard, written in pairs:
            key = tuple(word for part in heard.split() for word in match_words(part))
            if key and written.strip():
                self._table[key] = written.strip()
        self._longest = max((len(key) for key in self._table), default=0)

    def __bool__(self) -> bool:
        return bool(self._table)

    def could_continue(self, tokens: Sequence[Token]) -> bool:
        """Whether the newest ``tokens`` begin a longer key ("open" of "open ai")."""
        words = tuple(word for token in tokens for word in token.words)
        if not words or any(token.trail for token in tokens[:-1]):
            return False
        return any(
            len(key) > len(words) and key[: len(words)] == words and not tokens[-1].trail
            for key in self._table
        )

    def apply(self, tokens: Sequence[Token]) -> list[Token]:
        """Replace every match, longest key first, scanning left to right."""
        if not self._table:
            return list(tokens)
        result: list[Token] = []
        index = 0
        while index < len(tokens):
            found = longest_phrase_at(self._table, tokens, index, longest=self._longest)
            if found is None:
                result.append(tokens[index])
                index += 1
                continue
            end, written = found
            first, last = tokens[index], tokens[end - 1]
            heard = " ".join(token.core for token in tokens[index:end])
            text = written if any(c.isupper() for c in written) else _follow_case(heard, written)
            result.append(Token(first.lead, text, last.trail, fixed=True, cap=first.cap))
            index = end
        return result
