"""LocalAgreement: commit the words two recent hypotheses agree on.

Re-decoding a growing buffer changes the last words as more audio arrives; the
prefix that the newest pass shares with one of the two before it has proved
stable and is committed.
Committed words are never retracted. Words compare case- and
punctuation-insensitively, so "process," and "process." agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Generic, Protocol, TypeVar

_NOT_WORD = re.compile(r"[^\w']+")


class _HasText(Protocol):
    @property
    def text(self) -> str: ...


WordT = TypeVar("WordT", bound=_HasText)


def word_key(word: str) -> str:
    """The comparable form of a word: lower case, punctuation stripped."""
    return _NOT_WORD.sub("", word.lower())


def agreed_prefix_length(first: Sequence[_HasText], second: Sequence[_HasText]) -> int:
    """Number of leading words on which the two sequences agree."""
    count = 0
    for a, b in zip(first, second, strict=False):
        if word_key(a.text) != word_key(b.text):
            break
        count += 1
    return count


def title_cased(words: Sequence[_HasText], min_run: int = 3) -> bool:
    """Whether the hearing begins with ``min_run`` or more capitalized words in a row.

    Over the first seconds of an utterance greedy search often hears a heading: "The
    Quick Brown Fox jumps over the", "First Line New Paragraph"; the pass after it,
    hearing more, writes the words as a sentence. Committed, the heading's capitals would
    be typed and never taken back. Two in a row are often a name ("John Smith called").
    """
    run = 0
    for word in words:
        text = word.text.strip()
        if not any(c.isalpha() for c in text):
            continue  # a number or a mark says nothing of the case
        if not text[:1].isupper():
            break
        run += 1
    return run >= min_run


def says_a_phrase_twice(words: Sequence[_HasText], min_size: int = 3) -> bool:
    """Whether a phrase of ``min_size`` words or more comes twice in a row (one word between).

    People repeat a word or two ("I think, I think"); a phrase of three words or more
    said again at once is a greedy decode that heard its prompt, or the words before a
    buffer cut, a second time ("It has several sentences. It has several sentences").
    """
    keys = [word_key(w.text) for w in words]
    for start in range(len(keys)):
        for size in range(min_size, (len(keys) - start) // 2 + 1):
            phrase = keys[start : start + size]
            for gap in (0, 1):
                again = start + size + gap
                if keys[again : again + size] == phrase:
                    return True
    return False


def extra_words_echo(
    beam: Sequence[_HasText], greedy: Sequence[_HasText], min_size: int = 4, slack: int = 2
) -> bool:
    """Whether the words ``greedy`` has more than ``beam`` are an echo, not speech beam lost.

    Over noise Whisper may say a phrase it has just heard a second time, with a few
    invented words before it ("…in the exhibition. The next one is called the crafts
    represented in the exhibition."). That is a stretch of greedy words beam search
    did not hear, ending in a copy of ``min_size`` words or more said before it, the
    copy at least as long as what it invented; it accounts for the extra words, give
    or take ``slack``. Words after the copy ("…open it. Then I want you to save.") are
    speech.
    """
    beam_keys = [word_key(w.text) for w in beam]
    keys = [word_key(w.text) for w in greedy]
    matcher = SequenceMatcher(a=beam_keys, b=keys, autojunk=False)
    start = 0
    for block in matcher.get_matching_blocks():  # the last block is empty, at the end
        run_end = block.b
        if run_end - start >= max(min_size, len(keys) - len(beam) - slack):
            copy = _echoed_suffix(keys, start, run_end, min_size)
            if copy and run_end - start - copy <= copy:
                return True
        start = block.b + block.size
    return False


def _echoed_suffix(keys: list[str], start: int, end: int, min_size: int) -> int:
    """How many words ``keys[start:end]`` ends with that come earlier too (0: too few)."""
    for size in range(end - start, min_size - 1, -1):
        phrase = keys[end - size : end]
        before = keys[: end - size]
        if any(before[i : i + size] == phrase for i in range(len(before) - size + 1)):
            return size
    return 0


def repetition_loop_start(
    words: Sequence[_HasText],
    max_phrase: int = 8,
    min_repeats: int = 3,
    min_single: int = 6,
    min_doubled: int = 6,
) -> int | None:
    """Where a decoder loop starts: the second of several back-to-back copies of a phrase.

    People do repeat themselves ("words, words, words"), so a single word must
    come ``min_single`` times in a row and a longer phrase ``min_repeats`` times
    before it counts as the model stuck in a loop. A whole sentence of at least
    ``min_doubled`` words said twice in a row is Whisper repeating itself over
    trailing silence (seen in the end-to-end test), not a person: once is enough.
    """
    keys = [word_key(w.text) for w in words]
    for start in range(len(keys)):
        for size in range(min_doubled, (len(keys) - start) // 2 + 1):
            if keys[start : start + size] == keys[start + size : start + 2 * size]:
                return start + size
    run = _repeated_run(keys, max_phrase, min_repeats, min_single)
    return None if run is None else sum(run)


def looping_phrase(words: Sequence[_HasText]) -> list[str]:
    """The phrase ``words`` repeat back to back, by :func:`repetition_loop_start`'s rule
    for phrases ([] when there is none)."""
    keys = [word_key(w.text) for w in words]
    run = _repeated_run(keys, max_phrase=8, min_repeats=3, min_single=6)
    return [] if run is None else keys[run[0] : sum(run)]


def _repeated_run(
    keys: Sequence[str], max_phrase: int, min_repeats: int, min_single: int
) -> tuple[int, int] | None:
    """Start and size of the first phrase said ``min_repeats`` times in a row (a single
    word: ``min_single`` times), or None."""
    for start in range(len(keys)):
        for size in range(1, max_phrase + 1):
            phrase = keys[start : start + size]
            if len(phrase) < size:
                break
            repeats = 1
            while keys[start + repeats * size : start + (repeats + 1) * size] == phrase:
                repeats += 1
            if repeats >= (min_single if size == 1 else min_repeats):
                return start, size
    return None


class LocalAgreement(Generic[WordT]):
    """Tracks the two previous hypotheses of the still-uncommitted words.

    The newest hypothesis commits the longest prefix it shares with the one
    before it (LocalAgreement-2) or with the one before that: a word that flips
    and flips back ("Saytype", "say type", "Saytype") still has two passes
    agreeing on it, where plain LocalAgreement-2 would hold it, and every word
    after it, until the buffer is cut by force.
    """

    def __init__(self) -> None:
        self._previous: list[WordT] = []
        self._older: list[WordT] = []  # the hypothesis before _previous, same alignment
        # For unupdate: the hypothesis that became _older, and how much was cut from it
        # (None when it no longer lines up with the newest one).
        self._older_source: list[WordT] = []
        self._older_cut: int | None = None

    def update(self, hypothesis: Sequence[WordT]) -> list[WordT]:
        """Feed the newest hypothesis of uncommitted words; return the words to commit now.

        The committed words are taken from the newest hypothesis and removed
        from the remembered ones, so the next call compares only what is left.
        """
        with_previous = agreed_prefix_length(self._previous, hypothesis)
        agreed = max(with_previous, agreed_prefix_length(self._older, hypothesis))
        committed = list(hypothesis[:agreed])
        # The previous hypothesis stays comparable only if it matched all that was committed.
        self._older_source = self._previous
        self._older_cut = agreed if with_previous >= agreed else None
        self._older = self._previous[agreed:] if self._older_cut is not None else []
        self._previous = list(hypothesis[agreed:])
        return committed

    def reset(self) -> None:
        """Forget the previous hypotheses."""
        self._previous = []
        self._older = []
        self._older_source = []
        self._older_cut = None

    def unupdate(self, words: Sequence[WordT]) -> None:
        """Put back ``words`` that :meth:`update` returned but the caller did not commit."""
        self._previous = [*words, *self._previous]
        if self._older_cut is not None:
            self._older_cut -= len(words)
            self._older = self._older_source[max(0, self._older_cut) :]
