"""The callbacks and running state of one file's transcription: progress, cancel, pause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.engine.cancellation import CancellationToken
from app.core.engine.pause_gate import PauseGate
from app.core.engine.transcript import Segment

ProgressCallback = Callable[[float], None]
SegmentCallback = Callable[[Segment], None]
_BEFORE_DONE = 0.999  # progress stays below 1.0 until the job is really complete


@dataclass
class TranscriptionJob:
    """The callbacks and running state of one transcription."""

    on_segment: SegmentCallback | None
    on_progress: ProgressCallback | None
    cancel: CancellationToken | None
    gate: PauseGate | None
    total_s: Callable[[], float | None]
    reported: float = -1.0
    context: list[int] = field(default_factory=list)  # the last tokens decoded

    def may_continue(self) -> bool:
        """Wait while a dictation holds the gate; False once cancelled."""
        if self.gate is not None and not self.gate.wait(self.cancel):
            return False
        return not (self.cancel is not None and self.cancel.cancelled)

    def progress(self, done_s: float, *, complete: bool = False) -> None:
        """Report ``done_s`` of the total, never going back, 1.0 only when complete."""
        if self.on_progress is None:
            return
        if complete:
            fraction = 1.0
        else:
            total = self.total_s()
            if not total or total <= 0:
                return
            fraction = min(_BEFORE_DONE, done_s / total)
        if fraction > self.reported:
            self.reported = fraction
            self.on_progress(fraction)
