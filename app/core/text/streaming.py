"""Shaping the live commit stream: what to show and what to type, as words settle.

Commits arrive a few words at a time and are never retracted, but a spoken
command can span two commits ("question" | "mark") and can change the text
before it (it absorbs Whisper's comma; "scratch that" removes a phrase). So the
newest words that a later word could still change are held back
(:meth:`TextShaper.settled`), and each commit re-shapes the settled words and
compares the result with what was already typed. Because spacing belongs to
the following word, the new text extends the old one, and only "scratch that"
makes it shorter: that is the one case where backspaces go out, exactly as
many as the characters it removed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.core.text.shaper import TextShaper, with_space_after
from app.core.text.tokens import Token, tokenize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextEdit:
    """Bring the focused application's text up to date: erase, then type.

    Attributes:
        erase: characters to delete before the cursor (BackSpace presses); only
            "scratch that" makes this more than zero.
        text: what to type after that.
    """

    erase: int = 0
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.erase or self.text)


def merge_final(typed: Sequence[Token], final: Sequence[Token]) -> list[Token]:
    """The tokens already typed, then the final's tokens after the point they reach.

    The final re-decodes the end of the utterance and may re-decide words that
    are in the application already (a comma, a capital, an extra word), and
    typed words are never taken back. So the typed tokens are aligned with the
    final's by their words, and only the final's tokens past the last typed one
    are added; when nothing aligns, the final's tokens past the typed count are.
    """
    if not typed:
        return list(final)
    matcher = SequenceMatcher(
        a=[token.words for token in typed], b=[token.words for token in final], autojunk=False
    )
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    if not blocks:
        return [*typed, *final[len(typed) :]]
    last = blocks[-1]
    unmatched_typed = len(typed) - (last.a + last.size)
    merged = [*typed, *final[last.b + last.size + unmatched_typed :]]
    if not unmatched_typed:
        # The last typed word's punctuation was held back, so the final's may replace it.
        merged[len(typed) - 1] = typed[-1].with_trail(final[last.b + last.size - 1].trail)
    return merged


_PREVIEW_CONTEXT_TOKENS = 40


class StreamingShaper:
    """One dictation's commits and final → :class:`TextEdit` s for the focused app.

    Args:
        shaper: the shaping rules.
    """

    def __init__(self, shaper: TextShaper) -> None:
        self._shaper = shaper
        self._tokens: list[Token] = []
        self._settled = 0
        self._typed = ""
        self._final: str | None = None

    @property
    def typed(self) -> str:
        """The shaped text handed out so far (what the application shows)."""
        return self._typed

    @property
    def held(self) -> str:
        """Committed words held back until the next commit, as heard (for display)."""
        return " ".join(token.text for token in self._tokens[self._settled :])

    @property
    def text(self) -> str:
        """The final shaped text once :meth:`on_final` ran, else the settled text."""
        return self._final if self._final is not None else self._typed

    def on_commit(self, words: str) -> TextEdit:
        """Newly committed ``words`` (Whisper's, with their leading space)."""
        if words and not words[0].isspace() and self._tokens:
            # A continuation piece ("-line" after "42") belongs to the word before it.
            last = self._tokens.pop()
            words = last.text + words
        self._tokens.extend(tokenize(words))
        self._settled = self._shaper.settled(self._tokens)
        shaped = self._shaper.shape_tokens(self._tokens[: self._settled], hold_last_mark=True)
        return self._update(shaped)

    def preview(self, guess: str) -> str | None:
        """The held words and ``guess`` shaped as they would continue the typed text.

        It begins as the final would go on: with a space, a line break, a mark
        that sticks to the word before, or nothing (after "no space"). None when
        shaping them would change what was typed ("scratch that" in the guess):
        the caller then shows them as heard.
        """
        # Shaping acts within a few words, so the newest settled ones are context enough
        # (shaping a long dictation whole three times a second would load the GUI thread).
        start = max(0, self._settled - _PREVIEW_CONTEXT_TOKENS)
        settled = self._shaper.shape_tokens(
            self._tokens[start : self._settled], hold_last_mark=True
        )
        tokens = self._tokens[start:] + tokenize(guess if guess[:1].isspace() else f" {guess}")
        shaped = self._shaper.shape_tokens(tokens)
        if not shaped.startswith(settled):
            return None
        return shaped[len(settled) :]

    def on_final(self, utterance: str, *, trailing_space: bool = False) -> TextEdit:
        """The whole ``utterance``: shape it with what was typed, and type the rest."""
        tokens = merge_final(self._tokens[: self._settled], tokenize(utterance))
        self._tokens = tokens
        self._settled = len(tokens)
        shaped = self._shaper.shape_tokens(tokens)
        self._final = shaped
        return self._update(with_space_after(shaped) if trailing_space else shaped)

    def _update(self, shaped: str) -> TextEdit:
        typed = self._typed
        common = 0
        limit = min(len(typed), len(shaped))
        while common < limit and typed[common] == shaped[common]:
            common += 1
        if common < len(typed):
            log.debug("erasing %d characters", len(typed) - common)
        self._typed = shaped
        return TextEdit(len(typed) - common, shaped[common:])
