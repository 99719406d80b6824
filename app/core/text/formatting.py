"""Items back into text: spacing, capitals, breaks, "scratch that", and fillers.

Spacing belongs to the item that follows it (a word brings its space, a
comma brings none), so the text of a prefix of items is a prefix of the text
of all of them: that is what lets the streaming shaper type words as they
settle and never take one back, except when the user says "scratch that".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.core.text.spoken_commands import Item, Mark
from app.core.text.tokens import SENTENCE_END, Token

FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm", "mmm"})
_I_FORMS = frozenset({"I", "I'm", "I'll", "I've", "I'd", "I\u2019m", "I\u2019ll", "I\u2019ve"})


def is_filler(token: Token) -> bool:
    """Whether ``token`` is a hesitation sound ("um", "uh") rather than a word."""
    return not token.fixed and len(token.words) == 1 and token.words[0] in FILLERS


def remove_fillers(items: Sequence[Item]) -> list[Item]:
    """Drop fillers; a sentence end Whisper put on one moves to the word before it.

    "So, um, I think" → "So, I think"; "I think, um." → "I think.".
    """
    result: list[Item] = []
    for item in items:
        if not (isinstance(item, Token) and is_filler(item)):
            result.append(item)
            continue
        previous = result[-1] if result else None
        if isinstance(previous, Token) and item.ends_sentence and not previous.ends_sentence:
            kept = previous.trail.rstrip(",;:")
            result[-1] = previous.with_trail(kept + item.trail.lstrip(",;:"))
    return result


@dataclass
class _State:
    """Where the text stands after some items: what the next word needs."""

    capitalize: bool
    glue: bool = False  # no space before the next word ("no space", after "(")


def _capitalized(word: str) -> str:
    for index, char in enumerate(word):
        if char.isalpha():
            return word[:index] + char.upper() + word[index + 1 :]
    return word


def _lowered(word: str) -> str:
    """Undo a sentence capital, but keep "I", acronyms and inner capitals ("McDonald")."""
    if word in _I_FORMS or not word[:1].isupper() or not word[1:].islower():
        return word
    return word[0].lower() + word[1:]


def _chosen_case(token: Token) -> bool:
    """A replacement the user wrote with capitals ("iPhone") keeps them, even first."""
    return token.fixed and any(c.isupper() for c in token.core)


def _word_text(token: Token, state: _State, *, sentence_case: bool = True) -> str:
    core = token.core
    if token.cap == "exact":  # a snippet's text, as the user wrote it
        return token.lead + core + token.trail
    if token.cap == "all":
        core = core.upper()
    elif token.cap == "first" or (sentence_case and state.capitalize and not _chosen_case(token)):
        core = _capitalized(core)
    elif token.cap == "lower" or (
        not sentence_case and state.capitalize and not _chosen_case(token)
    ):
        core = _lowered(core)
    return token.lead + core + token.trail


def render(
    items: Sequence[Item], *, capitalize_first: bool = True, sentence_case: bool = True
) -> str:
    """Join items into text as a careful typist would write it.

    Args:
        items: tokens and command marks, in order.
        capitalize_first: start with a capital letter.
        sentence_case: capitalise sentence starts; off (the plain style), Whisper's
            sentence capitals are undone instead ("I" and acronyms stay).

    Returns:
        The text, with "scratch that" already applied: it removes the phrase
        before it (the words since the last punctuation mark or break), or,
        right after a mark, the phrase that mark ended.
    """
    out = ""
    # Without sentence case, "capitalize" marks a sentence start, where a capital is undone.
    state = _State(capitalize=capitalize_first or not sentence_case)
    # (length of the text, state) where each phrase began: what "scratch that" returns to.
    phrases: list[tuple[int, _State]] = []
    phrase_open = False
    for item in items:
        if isinstance(item, Mark) and item.kind == "scratch":
            # The phrase under way, or right after a mark the phrase it ended: both
            # are the newest phrase start.
            if phrases:
                length, saved = phrases.pop()
                out, state = out[:length], replace(saved)
            phrase_open = False
            continue
        if not phrase_open:
            phrases.append((len(out), replace(state)))
            phrase_open = True
        if isinstance(item, Token):
            space = "" if not out or out.endswith("\n") or state.glue else " "
            text = _word_text(item, state, sentence_case=sentence_case)
            out += space + text
            ending = item.trail or (item.core.rstrip()[-1:] if item.cap == "exact" else "")
            state = _State(capitalize=any(c in SENTENCE_END for c in ending))
            if item.trail.rstrip("\"')\u201d\u2019]") or item.cap == "exact":
                phrase_open = False  # Whisper's own punctuation ends a phrase too, as a snippet
        else:
            out, state = _apply_mark(out, state, item)
            phrase_open = item.kind in {"open", "nospace"}
    return out


def _apply_mark(out: str, state: _State, mark: Mark) -> tuple[str, _State]:
    if mark.kind == "punct":
        return out + mark.text, _State(capitalize=mark.text in SENTENCE_END)
    if mark.kind == "break":
        return out.rstrip(" ") + mark.text, _State(capitalize=True)
    if mark.kind == "open":
        space = "" if not out or out.endswith("\n") or state.glue else " "
        return out + space + mark.text, _State(capitalize=state.capitalize, glue=True)
    if mark.kind == "close":
        return out + mark.text, _State(capitalize=state.capitalize)
    # "no space": the next word joins this one.
    return out, _State(capitalize=state.capitalize, glue=True)
