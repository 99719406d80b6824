"""What live dictation says while the key is held, and once it is let go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EventKind = Literal["partial", "commit", "final"]


@dataclass(frozen=True)
class DictationEvent:
    """Text produced while dictating: ``partial`` guesses the uncommitted words (it may
    change), ``commit`` carries newly committed words (never retracted), ``final`` the
    whole utterance."""

    kind: EventKind
    text: str
