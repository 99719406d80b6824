"""Find the longest user phrase (a replacement's or a snippet's) that starts at a token.

Replacements and snippets are both tables keyed by the lower-case words of a
phrase, and both must read a phrase the same way: on whole tokens, never
across Whisper's punctuation ("Open, AI" is two phrases) and never into words
another rule already produced. One matcher keeps the two from drifting apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.core.text.tokens import Token


def longest_phrase_at(
    table: Mapping[tuple[str, ...], str], tokens: Sequence[Token], start: int, *, longest: int
) -> tuple[int, str] | None:
    """The longest key of ``table`` that the tokens from ``start`` spell, with its value.

    Args:
        table: phrases as tuples of lower-case words, each with what stands for it.
        tokens: the text being shaped.
        start: the index of the phrase's first token.
        longest: the most words in any key (the search stops there).

    Returns:
        (the index just past the phrase's last token, the key's value), or None.
    """
    words: list[str] = []
    best: tuple[int, str] | None = None
    end = start
    while end < len(tokens) and len(words) < longest:
        token = tokens[end]
        if token.fixed or (end > start and tokens[end - 1].trail):
            break  # punctuation inside would be lost: "Open, AI" is two phrases
        words.extend(token.words)
        end += 1
        value = table.get(tuple(words))
        if value is not None:
            best = (end, value)
    return best
