"""What a history search finds: the query as typed, or its words at the start of words."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[\w'\u2019-]+")  # what search compares when punctuation is set aside


def contains(text: str | None, folded_query: str) -> bool:
    """The query as typed, or each of its words starting a word of the text, in any order.

    "dinner see" finds "…dinner.\n\nSee you", and "milk eggs" finds "milk and eggs": the
    punctuation in a dictation is the app's own, and a user remembers words, not their
    order or what came between them. Words match at their start ("i a" does not find
    "quarterly report is attached" through "quarterly" and "report").
    """
    if text is None:
        return False
    folded = text.casefold()
    if folded_query in folded:
        return True
    words = _WORDS.findall(folded_query)  # a lone word (or "[a]") stays a plain substring
    said = _WORDS.findall(folded)
    return len(words) > 1 and all(any(w.startswith(word) for w in said) for word in words)
