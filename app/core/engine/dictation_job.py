"""One dictation as a job: an id, where its audio starts, its release and its cancel token.

A job may also wait for its :class:`Decoding` (the language and words of the
per-app profile, chosen moments after the press): the audio waits in the ring
meanwhile, so no word is lost, and the utterance is decoded as its app wants.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from app.core.engine.cancellation import CancellationToken
from app.core.engine.live_dictation import Release


class Decoding:
    """The language and vocabulary of one utterance; None keeps the pipeline's own.

    Args:
        pending: the choice is still to come (:meth:`choose`); otherwise it is made.
    """

    def __init__(self, *, pending: bool = False) -> None:
        self.language: str | None = None
        self.vocabulary: tuple[str, ...] | None = None
        self._made = threading.Event()
        if not pending:
            self._made.set()

    def choose(self, language: str | None, vocabulary: tuple[str, ...] | None) -> None:
        """Any thread: the utterance is decoded with these (None: the pipeline's own)."""
        self.language, self.vocabulary = language, vocabulary
        self._made.set()

    def wait(self, timeout_s: float) -> bool:
        """The decoding thread: wait for the choice; False when it did not come in time."""
        return self._made.wait(timeout_s)


@dataclass(frozen=True)
class DictationJob:
    """Everything the inference worker needs to run one utterance.

    Attributes:
        job_id: unique per worker; events carry it so stale ones can be dropped.
        start: ring-buffer position where the utterance's audio begins (pre-roll included).
    """

    job_id: int
    start: int
    release: Release = field(default_factory=Release)
    cancel: CancellationToken = field(default_factory=CancellationToken)
    decoding: Decoding = field(default_factory=Decoding)
