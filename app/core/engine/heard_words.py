"""Small rules about the words a pass heard: joining, squeezed tails, continuations."""

from __future__ import annotations

from app.core.engine.local_agreement import word_key
from app.core.engine.window_decoder import Word

# Alignment squeezes words with no audio behind them (a hallucinated repeat) to ~0 s.
MIN_WORD_S = 0.04


def join_words(words: list[Word]) -> str:
    """Words back into text (each word carries its own leading space)."""
    return "".join(word.text for word in words).strip()


def without_squeezed_tail(words: list[Word], run: int = 3) -> list[Word]:
    """Drop a trailing run of words the alignment squeezed to no duration.

    tiny.en sometimes repeats a sentence into the silent padding; alignment
    gives those words ~0 s, which real speech never has several times in a row.
    """
    end = squeezed_tail_start(words)
    return words[:end] if len(words) - end >= run else words


def without_squeezed_copy(words: list[Word], longest: int = 8) -> list[Word]:
    """A phrase of two or more words said twice in a row, one copy squeezed, said once.

    Alignment gives a copy Whisper made up a word with no audio behind it ("New
    paragraph. New paragraph." over one "new paragraph": the second "New" took 0 s),
    and typed as spoken it made a blank line more. A person who says a phrase twice
    gives each word its time. The copy kept is one without a squeezed word; three
    copies become one.
    """
    while (fewer := _one_copy_less(words, longest)) is not None:
        words = fewer
    return words


def _one_copy_less(words: list[Word], longest: int) -> list[Word] | None:
    keys = [word_key(word.text) for word in words]
    for first in range(len(words)):
        for size in range(2, min(longest, (len(words) - first) // 2) + 1):
            second = first + size
            if keys[first:second] != keys[second : second + size]:
                continue
            copies = (words[first:second], words[second : second + size])
            squeezed = [any(w.end - w.start < MIN_WORD_S for w in copy) for copy in copies]
            if not any(squeezed):
                continue
            kept = copies[0] if squeezed[1] else copies[1]
            return [*words[:first], *kept, *words[second + size :]]
    return None


def squeezed_tail_start(words: list[Word]) -> int:
    """Index where the trailing run of words squeezed to no duration begins."""
    end = len(words)
    while end > 0 and words[end - 1].end - words[end - 1].start < MIN_WORD_S:
        end -= 1
    return end


def settled_count(words: list[Word], horizon: float) -> int:
    """How many leading words may be committed: those ending by ``horizon``.

    A squeezed word in the trailing run may be a hallucinated repeat and is held
    back. One between real words is only rough alignment (a quick "you" in "you
    know") and must not hold back, or drop, the words around it.
    """
    limit = squeezed_tail_start(words)
    count = 0
    while count < limit and words[count].end <= horizon:
        count += 1
    return count


def continuation(committed: Word, heard: Word) -> list[Word]:
    """The rest of a word that was committed before it was complete ("42" → "42-line")."""
    done, now = committed.text.strip(), heard.text.strip()
    rest = now[len(done) :]
    if len(now) > len(done) and now.startswith(done) and any(c.isalnum() for c in rest):
        return [Word(heard.start, heard.end, rest)]
    return []


def same_word(a: Word, b: Word) -> bool:
    """Whether two hearings of a word say the same word, case and punctuation aside."""
    return _bare(a.text) == _bare(b.text)


def _bare(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
