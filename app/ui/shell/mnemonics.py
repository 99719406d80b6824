"""Alt+letter mnemonics (``&``) for a set of labels shown together.

Qt reads the letter after ``&`` in a label or button as its Alt+letter shortcut,
and only a visible widget's shortcut is live; so each page of a dialog needs its
labels' letters distinct among themselves and from the always-visible buttons.
"""

from __future__ import annotations


def with_mnemonics(labels: list[str], taken: frozenset[str] = frozenset()) -> list[str]:
    """Give each label a distinct Alt+letter (``&``), preferring the first letter of a word.

    A greedy pass in order gives the early labels their first choice, but runs out
    of letters with a dozen labels; each label it leaves out then gets one through
    the shortest augmenting path (bipartite matching), which moves as few other
    labels as possible to a later choice. A label left without a letter gets none.

    Args:
        labels: the texts, without any ``&``.
        taken: lower-case letters already used by other visible controls.

    Returns:
        The labels in the same order, each with ``&`` before its letter when it got one.
    """

    def candidates(text: str) -> list[int]:
        letters = [i for i, c in enumerate(text) if c.isalpha() and c.lower() not in taken]
        starts = [i for i in letters if i == 0 or text[i - 1] in " -"]
        return starts + [i for i in letters if i not in starts]

    owner: dict[str, int] = {}  # letter -> label number
    chosen: dict[int, int] = {}  # label number -> index of its letter

    def place(label: int, depth: int, visited: set[str]) -> bool:
        """Take a free letter or, with depth left, move a letter's owner to another one."""
        options = [(index, labels[label][index].lower()) for index in candidates(labels[label])]
        free = [(index, letter) for index, letter in options if letter not in owner]
        movable = [
            (index, letter)
            for index, letter in options
            if depth and letter in owner and letter not in visited
        ]
        for index, letter in free[:1] + movable:
            visited.add(letter)
            if letter in owner and not place(owner[letter], depth - 1, visited):
                continue
            owner[letter] = label
            chosen[label] = index
            return True
        return False

    for label in range(len(labels)):
        place(label, 0, set())
    for label in range(len(labels)):
        # Shortest chain of moves first, so as few labels as possible lose their first choice.
        any(place(label, depth, set()) for depth in range(1, len(labels)) if label not in chosen)
    return [
        f"{text[: chosen[n]]}&{text[chosen[n] :]}" if n in chosen else text
        for n, text in enumerate(labels)
    ]
