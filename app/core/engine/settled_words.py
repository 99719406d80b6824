"""The settled words of one utterance: as committed, and as best heard.

Commits are emitted once and never retracted. A word can still be committed
wrongly: two passes over a buffer ending mid-phrase may agree on a word the
speaker had not said yet ("nothing going on" before "else going on" is heard).
The pass that runs just before a cut hears the cut audio with context on both
sides, so the final text takes the cut audio's words from that pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from app.core.engine.heard_words import continuation, join_words
from app.core.engine.local_agreement import word_key
from app.core.engine.reheard_words import split_reheard, spoken_parts
from app.core.engine.window_decoder import Word

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FreshWords:
    """One pass's words, split at the end of the committed words it heard again.

    Attributes:
        words: every word the pass heard, in absolute time.
        fresh: the words after the committed ones; may start with the rest of a
            word committed before it was complete (a continuation piece, "-line").
        skip: how many of ``words`` re-heard committed words.
        piece: 1 when ``fresh`` starts with a continuation piece.
    """

    words: list[Word]
    fresh: list[Word]
    skip: int
    piece: int

    def heard_through(self, newly_committed: int) -> list[Word]:
        """This pass's words for the committed ones, once ``newly_committed`` more are."""
        return self.words[: self.skip + max(0, newly_committed - self.piece)]


class SettledWords:
    """Committed words, and which of them lie in audio that was cut from the buffer."""

    def __init__(self) -> None:
        self.committed: list[Word] = []  # absolute times, seconds since the first sample
        # Counted, not found by time: alignment times are too rough near a cut (a word
        # ending 0.1 s past the cut would seem to be in the buffer and swallow the next).
        self._cut = 0
        self._heard_cut: list[Word] = []  # the cut words as the pass before each cut heard them

    @property
    def text(self) -> str:
        """Everything committed, as emitted."""
        return join_words(self.committed)

    @property
    def end(self) -> float:
        """End time of the last committed word (0 before the first)."""
        return self.committed[-1].end if self.committed else 0.0

    @property
    def in_buffer(self) -> list[Word]:
        """Committed words whose audio is still in the buffer."""
        return self.committed[self._cut :]

    @property
    def heard_cut(self) -> list[Word]:
        """The words of all audio cut so far, as best heard (the final text uses these)."""
        return list(self._heard_cut)

    @property
    def heard_cut_count(self) -> int:
        """How many words :attr:`heard_cut` holds."""
        return len(self._heard_cut)

    def prompt(self, max_words: int) -> str:
        """The newest cut words: context for decoding the buffer after them."""
        return join_words(self._heard_cut[-max_words:])

    def split(self, words: list[Word]) -> FreshWords:
        """Split a pass's words at the end of the committed words in the buffer.

        Words after the committed ones that say the last committed words again (three
        or more) are the decoder hearing its prompt or its own words, not the speaker,
        and go ("Was that strange? Was that strange question…" typed, 2 of 4 long
        dictations, after a cut and within the buffer).
        """
        in_buffer = self.in_buffer
        skip, rest = split_reheard(in_buffer, words)
        echoed = _said_again(self.committed, words[skip:])
        if echoed:
            log.info("a pass said the last %d committed words again after them", echoed)
            words = [*words[:skip], *words[skip + echoed :]]
        if rest:  # the committed words end inside a word heard as several ("1-2-3-4-5")
            piece = [
                Word(in_buffer[-1].end, max(in_buffer[-1].end, words[skip - 1].end), f" {rest}")
            ]
        else:
            piece = continuation(in_buffer[-1], words[skip - 1]) if in_buffer and skip > 0 else []
        return FreshWords(words, [*piece, *words[skip:]], skip, len(piece))

    def commit(self, words: list[Word]) -> None:
        """Append committed words; a continuation piece ("-line") joins the word before."""
        for word in words:
            if self.committed and not word.text.startswith(" "):
                last = self.committed[-1]
                self.committed[-1] = Word(
                    last.start, max(last.end, word.end), last.text + word.text
                )
            else:
                self.committed.append(word)

    def mark_cut(
        self, cut_s: float, heard: list[Word] | None, spoken: Callable[[Word], bool]
    ) -> None:
        """The buffer was cut at ``cut_s``, after the last committed word.

        ``heard`` is the newest pass's version of the committed words the cut
        removed (None: take them as committed); see :func:`best_heard`.
        """
        committed = self.in_buffer
        self._heard_cut.extend(
            committed if heard is None else best_heard(committed, heard, cut_s, spoken)
        )
        self._cut = len(self.committed)


# A pass that leaves out this many committed words in a row skipped a phrase (Whisper
# does, on repeated wording); one or two are a commit's mistake ("my I fellow").
_SKIPPED_PHRASE_WORDS = 3


def _is_skipped_phrase(left_out: list[Word], heard_instead: int) -> bool:
    """Whether committed words a pass has fewer words for are a phrase it skipped.

    At least three more than it heard in their place, and three different ones:
    a run of one repeated word ("words, words, words") may be a decoder loop that
    got committed, and the pass is right to hear fewer.
    """
    distinct = {word_key(word.text) for word in left_out}
    return (
        len(left_out) - heard_instead >= _SKIPPED_PHRASE_WORDS
        and len(distinct) >= _SKIPPED_PHRASE_WORDS
    )


def best_heard(
    committed: list[Word], heard: list[Word], cut_s: float, spoken: Callable[[Word], bool]
) -> list[Word]:
    """The cut audio's words: the newest pass's, and committed ones it missed if spoken.

    The pass hears with context on both sides of every word, so its words win
    where the two differ ("my fellow" over a committed "my I fellow"). But a
    pass may stop early ("... the Chinese" for "... the Chinese took
    impressions from wood") or skip a phrase ("can do for you country" for
    "can do for you ask what you can do for your country"). So committed words
    stay, when ``spoken`` (the VAD heard speech where they lie; words in silence
    were invented by the model), where the pass has none after its last word, or
    has at least three fewer in their place; a word the pass heard over a kept
    word's time shows it was spoken (Silero misses hoarse, fast words), and is
    left out itself when centred among the kept words ("a different word." for
    "a different bunch of different words." said them twice). Words of the pass
    centred past the cut are left out: it lined up committed words it did not
    hear again with words that are still in the buffer.
    """
    past = (i for i, w in enumerate(heard) if w.start + w.end >= 2 * cut_s)
    heard = heard[: next(past, len(heard))]
    # Compared by their parts: "One, two, three four 5-6" committed is "1-2-3-4-5-6" heard.
    said, said_by = _by_parts(committed)
    again, again_by = _by_parts(heard)
    matcher = SequenceMatcher(None, said, again, autojunk=False)
    best: list[Word] = []
    taken_committed: set[int] = set()
    taken_heard: set[int] = set()
    for tag, c1, c2, h1, h2 in matcher.get_opcodes():
        left_out = _words_of(committed, said_by[c1:c2], taken_committed)
        instead = _words_of(heard, again_by[h1:h2], taken_heard)
        stopped_early = tag == "delete" and h1 == len(again)
        skipped = tag != "equal" and _is_skipped_phrase(left_out, len(instead))
        if stopped_early or skipped:
            kept = [word for word in left_out if spoken(word) or _overlaps(word, instead)]
            best += kept
            instead = [word for word in instead if not _centred_in(word, kept)]
        best += instead
    return best


def _overlaps(word: Word, others: list[Word]) -> bool:
    """Whether the pass heard any of ``others`` over some of ``word``'s time."""
    return any(other.start < word.end and word.start < other.end for other in others)


def _centred_in(word: Word, run: list[Word]) -> bool:
    """Whether ``word`` is centred within ``run``'s time: a second hearing of its sound."""
    centre = (word.start + word.end) / 2
    return bool(run) and run[0].start <= centre <= run[-1].end


# Three words said again at once are the prompt heard back; one or two may be said twice.
_ECHO_WORDS = 3
_ECHO_LONGEST = 12


def _said_again(committed: list[Word], words: list[Word]) -> int:
    """How many of ``words``' first words repeat the last committed ones (0: none, or few)."""
    longest = min(len(committed), len(words), _ECHO_LONGEST)
    for size in range(longest, _ECHO_WORDS - 1, -1):
        last = [word_key(word.text) for word in committed[-size:]]
        if [word_key(word.text) for word in words[:size]] == last:
            return size
    return 0


def _by_parts(words: list[Word]) -> tuple[list[str], list[int]]:
    """Each word's comparable parts, in order, and the word each part belongs to."""
    parts: list[str] = []
    owners: list[int] = []
    for index, word in enumerate(words):
        for part in spoken_parts(word.text):
            parts.append(part)
            owners.append(index)
    return parts, owners


def _words_of(words: list[Word], owners: list[int], taken: set[int]) -> list[Word]:
    """The words owning these parts, each once in all (a word's parts may span two runs)."""
    found = [index for index in dict.fromkeys(owners) if index not in taken]
    taken.update(found)
    return [words[index] for index in found]
