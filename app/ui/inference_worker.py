"""The long-lived inference worker: one QThread owns the model and runs dictation jobs.

The GUI talks to :class:`InferenceWorker`, which lives in the GUI thread. It
queues jobs to a private compute object moved to a dedicated QThread, and
re-emits the compute side's events only after checking, in the GUI thread,
that their job is still wanted. So :meth:`InferenceWorker.cancel` can make the
UI idle at once (it emits ``cancelled`` immediately) while the compute stops
at the next pass boundary, and no event of a cancelled job is ever emitted
after ``cancelled``: the check and the emission happen in the same thread.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_job import DictationJob
from app.core.engine.live_dictation import run_dictation
from app.core.engine.streaming_transcriber import StreamingTranscriber

log = logging.getLogger(__name__)


class TranscriberFactory(Protocol):
    """Makes the per-utterance transcriber and loads the model (``LivePipeline``)."""

    def warm_up(self) -> None: ...

    def new_transcriber(self, cancel: CancellationToken | None = None) -> StreamingTranscriber: ...


class _Compute(QObject):
    """Runs on the inference thread; never raises across threads."""

    dictation_event = Signal(int, str, str)  # job id, kind, text
    failed = Signal(int, str)
    job_done = Signal(int)
    model_ready = Signal()
    model_failed = Signal(str)

    def __init__(
        self, pipeline: TranscriberFactory, ring: RingBuffer, new_audio: threading.Event
    ) -> None:
        super().__init__()
        self._pipeline = pipeline
        self._ring = ring
        self._new_audio = new_audio

    @Slot()
    def warm_up(self) -> None:
        try:
            self._pipeline.warm_up()
        except Exception as exc:
            log.exception("model failed to load")
            self.model_failed.emit(str(exc))
        else:
            self.model_ready.emit()

    @Slot(object)
    def run_job(self, job: DictationJob) -> None:
        try:
            if not job.cancel.cancelled:
                run_dictation(
                    self._ring,
                    job.start,
                    self._pipeline.new_transcriber(job.cancel),
                    job.release,
                    job.cancel,
                    lambda ev: self.dictation_event.emit(job.job_id, ev.kind, ev.text),
                    self._new_audio,
                )
        except Exception as exc:
            log.exception("dictation job %d failed", job.job_id)
            self.failed.emit(job.job_id, str(exc) or type(exc).__name__)
        finally:
            self.job_done.emit(job.job_id)


class InferenceWorker(QObject):
    """GUI-side handle of the inference thread.

    Signals carry the job id first: ``partial``, ``committed`` and ``final``
    (text), ``failed`` (message) and ``cancelled``.
    """

    partial = Signal(int, str)
    committed = Signal(int, str)
    final = Signal(int, str)
    failed = Signal(int, str)
    cancelled = Signal(int)
    model_ready = Signal()
    model_failed = Signal(str)
    idle = Signal()  # compute has stopped and no job is queued

    _submit = Signal(object)
    _warm_up = Signal()

    def __init__(
        self,
        pipeline: TranscriberFactory,
        ring: RingBuffer,
        new_audio: threading.Event,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("saytype-inference")
        self._compute = _Compute(pipeline, ring, new_audio)
        self._compute.moveToThread(self._thread)
        self._submit.connect(self._compute.run_job)
        self._warm_up.connect(self._compute.warm_up)
        self._compute.dictation_event.connect(self._on_event)
        self._compute.failed.connect(self._on_failed)
        self._compute.job_done.connect(self._on_job_done)
        self._compute.model_ready.connect(self.model_ready)
        self._compute.model_failed.connect(self.model_failed)
        self._ring = ring
        self._new_audio = new_audio
        self._jobs: dict[int, DictationJob] = {}
        self._next_id = 1
        self._thread.start()

    def load_model(self) -> None:
        """Load the model on the inference thread; ``model_ready`` or ``model_failed`` follows."""
        self._warm_up.emit()

    def start(self, start_position: int | None = None) -> int:
        """Queue a dictation whose audio starts at ``start_position``; return its job id."""
        job = DictationJob(
            job_id=self._next_id,
            start=self._ring.position if start_position is None else start_position,
        )
        self._next_id += 1
        self._jobs[job.job_id] = job
        self._submit.emit(job)
        return job.job_id

    def finish(self, job_id: int, position: int | None = None) -> None:
        """Release: the utterance ends at ``position`` (default: now); ``final`` follows."""
        job = self._jobs.get(job_id)
        if job is not None:
            job.release.release(self._ring.position if position is None else position)

    def cancel(self, job_id: int) -> None:
        """Drop the job now: ``cancelled`` is emitted at once, nothing of it ever after."""
        job = self._jobs.get(job_id)
        if job is None or job.cancel.cancelled:
            return
        job.cancel.cancel()
        job.release.release()
        self._new_audio.set()  # wake the loop if it is waiting for audio
        self.cancelled.emit(job_id)

    @property
    def is_running(self) -> bool:
        """Whether any job is queued or still computing (cancelled ones included)."""
        return bool(self._jobs)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and stop the thread; True if it stopped within the timeout.

        Never hangs the app: a pass still running after the timeout is left to end
        on its own (the thread object is kept alive until then).
        """
        for job_id in list(self._jobs):
            self.cancel(job_id)
        self._thread.quit()
        stopped = self._thread.wait(timeout_ms)
        if not stopped:
            log.warning("inference thread still busy after %d ms; leaving it to finish", timeout_ms)
        return bool(stopped)

    @Slot(int, str, str)
    def _on_event(self, job_id: int, kind: str, text: str) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.cancel.cancelled:
            return  # stale or cancelled: dropped, never shown or typed
        if kind == "partial":
            self.partial.emit(job_id, text)
        elif kind == "commit":
            self.committed.emit(job_id, text)
        elif kind == "final":
            self.final.emit(job_id, text)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        job = self._jobs.get(job_id)
        if job is not None and not job.cancel.cancelled:
            self.failed.emit(job_id, message)

    @Slot(int)
    def _on_job_done(self, job_id: int) -> None:
        self._jobs.pop(job_id, None)
        if not self._jobs:
            self.idle.emit()
