"""One dictation as a job: an id, where its audio starts, its release and its cancel token."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.engine.cancellation import CancellationToken
from app.core.engine.live_dictation import Release


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
