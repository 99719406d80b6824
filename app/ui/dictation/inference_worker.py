"""The long-lived inference worker: one QThread owns the model and runs dictation jobs.

The GUI talks to :class:`InferenceWorker`, which lives in the GUI thread. It
queues jobs to a private compute object moved to a dedicated QThread, and
re-emits the compute side's events only after checking, in the GUI thread,
that their job is still wanted. So :meth:`InferenceWorker.cancel` can make the
UI idle at once (it emits ``cancelled`` immediately) while the compute stops
at the next pass boundary, and no event of a cancelled job is ever emitted
after ``cancelled``: the check and the emission happen in the same thread.

The model can be unloaded while idle (:meth:`InferenceWorker.unload_model`).
The unload runs on the inference thread, so it can never overlap a job, and
only when no job was submitted that has not finished; a job or
:meth:`InferenceWorker.load_model` reloads it first.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_job import Decoding, DictationJob
from app.core.engine.live_dictation import LiveTranscriber, in_flight_wait_s, run_dictation
from app.core.engine.remote.remote_errors import RemoteEngineError
from app.core.engine.remote.remote_final import RemoteFinal
from app.ui.shell.owned_threads import new_thread

log = logging.getLogger(__name__)

# The profile's language and words come moments after the press; a lookup that hangs
# gets the profile chooser's own deadline (two seconds), so this is only a backstop.
_DECODING_WAIT_S = 5.0


class ModelResidency(Protocol):
    """The model holder's load/unload side (``ModelHost``)."""

    @property
    def loaded(self) -> bool: ...

    @property
    def held_elsewhere(self) -> bool: ...

    def get(self) -> object: ...

    def unload(self) -> bool: ...

    def take_notice(self) -> str | None: ...

    def fall_back_to_cpu(self, error: BaseException) -> bool: ...


class TranscriberFactory(Protocol):
    """Makes the per-utterance transcriber and loads the model (``LivePipeline``)."""

    def warm_up(self) -> None: ...

    def new_transcriber(
        self,
        cancel: CancellationToken | None = None,
        *,
        language: str | None = None,
        vocabulary: tuple[str, ...] | None = None,
    ) -> LiveTranscriber: ...

    def take_notice(self) -> str | None: ...


class _Compute(QObject):
    """Runs on the inference thread; never raises across threads."""

    dictation_event = Signal(int, str, str)  # job id, kind, text
    failed = Signal(int, str)
    job_done = Signal(int)
    model_ready = Signal()
    model_failed = Signal(str)
    model_loading = Signal()
    model_unloaded = Signal()
    unload_deferred = Signal()
    model_notice = Signal(str)

    def __init__(
        self,
        pipeline: TranscriberFactory,
        ring: RingBuffer,
        new_audio: threading.Event,
        host: ModelResidency | None = None,
    ) -> None:
        super().__init__()
        self._pipeline = pipeline
        self._ring = ring
        self._new_audio = new_audio
        self._host = host
        # Jobs submitted (GUI thread writes) and finished (this thread writes): equal
        # means nothing is queued or running, so unloading cannot slow a job down.
        self.submitted = 0
        self.finished = 0

    @Slot()
    def warm_up(self) -> None:
        try:
            self._load_if_unloaded()  # ready only once warmed up, said once
            self._pipeline.warm_up()
        except Exception as exc:
            log.exception("model failed to load")
            self.model_failed.emit(str(exc))
        else:
            self.model_ready.emit()
        self._pass_on_notice()

    @Slot()
    def unload(self) -> None:
        if self.submitted != self.finished or (
            self._host is not None and self._host.held_elsewhere
        ):
            self.unload_deferred.emit()  # a dictation or file job needs the model
            return
        if self._host is not None and self._host.unload():
            self.model_unloaded.emit()

    def _reload_if_unloaded(self) -> None:
        if self._load_if_unloaded():
            self.model_ready.emit()

    def _load_if_unloaded(self) -> bool:
        """Load the model when it was unloaded; whether it did."""
        if self._host is None or self._host.loaded:
            return False
        self.model_loading.emit()
        self._host.get()
        return True

    def _pass_on_notice(self) -> None:
        notices = (
            self._host.take_notice() if self._host is not None else None,
            self._pipeline.take_notice(),  # a remote engine that failed (fallback)
        )
        for notice in notices:
            if notice:
                self.model_notice.emit(notice)

    @Slot(object)
    def run_job(self, job: DictationJob) -> None:
        try:
            if not job.decoding.wait(_DECODING_WAIT_S):
                log.warning("job %d: no language and words chosen in time", job.job_id)
            if not job.cancel.cancelled:
                self._reload_if_unloaded()
                decoding = job.decoding
                transcriber = self._pipeline.new_transcriber(
                    job.cancel, language=decoding.language, vocabulary=decoding.vocabulary
                )
                try:
                    run_dictation(
                        self._ring,
                        job.start,
                        transcriber,
                        job.release,
                        job.cancel,
                        lambda ev: self.dictation_event.emit(job.job_id, ev.kind, ev.text),
                        self._new_audio,
                    )
                finally:
                    if isinstance(transcriber, RemoteFinal):
                        transcriber.close()  # its connection, cancelled or not
        except Exception as exc:
            log.exception("dictation job %d failed", job.job_id)
            self.failed.emit(job.job_id, str(exc) or type(exc).__name__)
            self._fall_back_after(exc)
        finally:
            self.finished += 1
            self._pass_on_notice()
            self.job_done.emit(job.job_id)

    def _fall_back_after(self, error: Exception) -> None:
        if self._host is None or isinstance(error, RemoteEngineError):
            return  # the server failed, not the local model's device
        try:
            self._host.fall_back_to_cpu(error)
        except Exception:
            log.exception("the CPU could not load the model either")


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
    model_loading = Signal()  # a reload began (after an unload)
    model_unloaded = Signal()
    unload_deferred = Signal()  # unload_model() found a job queued or running
    model_notice = Signal(str)  # e.g. the GPU failed and the CPU took over
    idle = Signal()  # compute has stopped and no job is queued
    thread_ended = Signal()  # the thread has stopped (after request_stop)

    _submit = Signal(object)
    _warm_up = Signal()
    _unload = Signal()

    def __init__(
        self,
        pipeline: TranscriberFactory,
        ring: RingBuffer,
        new_audio: threading.Event,
        parent: QObject | None = None,
        host: ModelResidency | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = new_thread("saytype-inference")
        self._compute = _Compute(pipeline, ring, new_audio, host)
        self._compute.moveToThread(self._thread)
        self._submit.connect(self._compute.run_job)
        self._warm_up.connect(self._compute.warm_up)
        self._unload.connect(self._compute.unload)
        self._compute.model_loading.connect(self.model_loading)
        self._compute.model_unloaded.connect(self.model_unloaded)
        self._compute.unload_deferred.connect(self.unload_deferred)
        self._compute.model_notice.connect(self.model_notice)
        self._compute.dictation_event.connect(self._on_event)
        self._compute.failed.connect(self._on_failed)
        self._compute.job_done.connect(self._on_job_done)
        self._compute.model_ready.connect(self.model_ready)
        self._compute.model_failed.connect(self.model_failed)
        self._ring = ring
        self._new_audio = new_audio
        self._jobs: dict[int, DictationJob] = {}
        self._next_id = 1
        self._thread.finished.connect(self.thread_ended)
        self._thread.start()

    def load_model(self) -> None:
        """Load the model on the inference thread; ``model_ready`` or ``model_failed`` follows."""
        self._warm_up.emit()

    def unload_model(self) -> None:
        """Unload the model between jobs to free memory; ``model_unloaded`` follows.

        When a job is queued or running, nothing is unloaded and ``unload_deferred``
        is emitted instead, so the caller can try again later. A later job or
        :meth:`load_model` reloads the model first.
        """
        if self._jobs:
            self.unload_deferred.emit()
            return
        self._unload.emit()

    def start(self, start_position: int | None = None, decoding: Decoding | None = None) -> int:
        """Queue a dictation whose audio starts at ``start_position``; return its job id.

        With a pending ``decoding``, decoding waits until its choice is made.
        """
        job = DictationJob(
            job_id=self._next_id,
            start=self._ring.position if start_position is None else start_position,
            decoding=decoding or Decoding(),
        )
        self._next_id += 1
        self._jobs[job.job_id] = job
        self._compute.submitted += 1
        self._submit.emit(job)
        return job.job_id

    def finish(self, job_id: int, position: int | None = None) -> None:
        """Release: the utterance ends at ``position`` (default: now); ``final`` follows.

        ``position`` may lie ahead of the ring (``MicSource.release_position``):
        the final waits for that audio, as long as it should take to arrive and
        a margin more, then goes with what came.
        """
        job = self._jobs.get(job_id)
        if job is None:
            return
        end = self._ring.position if position is None else position
        job.release.release(end, wait_s=in_flight_wait_s(self._ring, end))

    def cancel(self, job_id: int) -> None:
        """Drop the job now: ``cancelled`` is emitted at once, nothing of it ever after."""
        job = self._jobs.get(job_id)
        if job is None or job.cancel.cancelled:
            return
        job.cancel.cancel()
        job.release.release()
        job.decoding.choose(job.decoding.language, job.decoding.vocabulary)  # stop waiting
        self._new_audio.set()  # wake the loop if it is waiting for audio
        self.cancelled.emit(job_id)

    @property
    def is_running(self) -> bool:
        """Whether any job is queued or still computing (cancelled ones included)."""
        return bool(self._jobs)

    @property
    def thread_running(self) -> bool:
        """Whether the inference thread is still running (it ends after its current model call)."""
        return self._thread.isRunning()

    def request_stop(self) -> None:
        """Cancel everything and ask the thread to end, without waiting for it.

        The app calls this first at quit, so a model call still running winds down
        while the other parts close; :meth:`shutdown` then waits for what is left.
        """
        for job_id in list(self._jobs):
            self.cancel(job_id)
        self._thread.quit()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and stop the thread; True if it stopped within the timeout.

        Never hangs the app: a pass still running after the timeout is left to end
        on its own (the thread object is kept alive until then).
        """
        self.request_stop()
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
