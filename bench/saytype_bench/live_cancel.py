"""Cancel trials through the app's own :class:`InferenceWorker`, on a Qt event loop.

A cancel is timed twice, both from the moment the user asked (the timer's due
time, so a GUI thread kept late by the inference thread counts against us):

- to the UI being idle: the worker's ``cancelled`` signal reached the GUI thread,
  which is when the app shows idle and stops typing;
- to the compute stopping: the worker's ``idle`` signal, once its thread has
  finished the CTranslate2 call it was in (an encode, a decode or an alignment;
  none of them can be interrupted) and no job is left.

Any ``partial``, ``committed`` or ``final`` signal after ``cancelled`` counts as a
leaked event.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.file_source import FileSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.live_pipeline import LivePipeline
from app.ui.dictation.inference_worker import InferenceWorker
from saytype_bench.live_utterances import Utterance

_TRIAL_SLACK_S = 60.0  # a trial still running this long after its audio ended is stuck


@dataclass(frozen=True)
class CancelTrial:
    """One dictation cancelled ``cancel_after_s`` of audio in.

    ``finished_first`` means the final text came before the cancel, so neither
    time was measured.
    """

    utterance_id: str
    cancel_after_s: float
    to_ui_idle_s: float | None
    to_compute_stopped_s: float | None
    finished_first: bool
    leaked_events: int


class _FeedEnd(QObject):
    """Carries "the audio has all been fed" from the feeding thread to the GUI thread."""

    reached = Signal()


class _Trial:
    """Book-keeping of one trial; every slot runs in the GUI thread."""

    def __init__(self, worker: InferenceWorker, loop: QEventLoop) -> None:
        self.worker = worker
        self.loop = loop
        self.job_id = 0
        self.requested_at: float | None = None
        self.ui_idle_at: float | None = None
        self.stopped_at: float | None = None
        self.finished_first = False
        self.leaked = 0

    def cancel(self, due: float) -> None:
        if self.finished_first:
            return
        self.requested_at = due
        self.worker.cancel(self.job_id)

    def on_cancelled(self, job_id: int) -> None:
        if job_id == self.job_id:
            self.ui_idle_at = time.perf_counter()

    def on_event(self, job_id: int, _text: str) -> None:
        if job_id == self.job_id and self.ui_idle_at is not None:
            self.leaked += 1

    def on_final(self, job_id: int, text: str) -> None:
        self.on_event(job_id, text)
        if job_id == self.job_id and self.requested_at is None:
            self.finished_first = True

    def on_idle(self) -> None:
        self.stopped_at = time.perf_counter()
        self.loop.quit()


def run_cancel_trials(
    pipeline: LivePipeline,
    utterances: Sequence[Utterance],
    *,
    cancels: int,
    seed: int = 0,
    speed: float = 1.0,
    report: Callable[[str], None] = lambda _line: None,
) -> list[CancelTrial]:
    """Dictate utterances in turn through one worker, each cancelled at a random point.

    The cancel point is uniform over the audio plus 0.25 s, so some cancels land
    in the final decode after the release.
    """
    if cancels <= 0 or not utterances:
        return []
    # A bare core application of our own goes again afterwards, so that a caller
    # (a test session) can still create its QApplication later.
    own_app = None if QCoreApplication.instance() else QCoreApplication([])
    longest_s = max(u.duration_s for u in utterances)
    ring = RingBuffer(capacity_seconds=longest_s + 30.0)
    new_audio = threading.Event()
    worker = InferenceWorker(pipeline, ring, new_audio)
    rng = random.Random(seed)
    trials: list[CancelTrial] = []
    try:
        for index in range(cancels):
            utterance = utterances[index % len(utterances)]
            at = rng.uniform(0.2, utterance.duration_s + 0.25)
            report(f"[cancel {index + 1}/{cancels}] {utterance.utterance_id} at {at:.2f} s")
            trials.append(_run_trial(worker, ring, new_audio, utterance, at, speed))
    finally:
        worker.shutdown()
        del worker
        if own_app is not None:
            own_app.shutdown()
    return trials


def _run_trial(  # noqa: PLR0917 - the worker's collaborators, each distinct
    worker: InferenceWorker,
    ring: RingBuffer,
    new_audio: threading.Event,
    utterance: Utterance,
    cancel_after_s: float,
    speed: float,
) -> CancelTrial:
    loop = QEventLoop()
    trial = _Trial(worker, loop)
    source = FileSource(Path("<benchmark>"), ring, speed=speed, on_block=new_audio.set)
    connections = [
        (worker.cancelled, trial.on_cancelled),
        (worker.partial, trial.on_event),
        (worker.committed, trial.on_event),
        (worker.final, trial.on_final),
        (worker.idle, trial.on_idle),
    ]
    for signal, slot in connections:
        signal.connect(slot)
    feed_end = _FeedEnd()
    trial.job_id = worker.start()
    # The key is let go where the audio ends, as in push-to-talk.
    feed_end.reached.connect(lambda: worker.finish(trial.job_id))

    def feed() -> None:
        source.feed_samples(utterance.audio)
        feed_end.reached.emit()

    delay_s = cancel_after_s / speed if speed > 0 else 0.0
    cancel_timer = QTimer()
    cancel_timer.setSingleShot(True)
    cancel_timer.setTimerType(Qt.TimerType.PreciseTimer)
    started = time.perf_counter()
    cancel_timer.timeout.connect(lambda: trial.cancel(started + delay_s))
    stuck = QTimer()
    stuck.setSingleShot(True)
    stuck.timeout.connect(loop.quit)
    feeder = threading.Thread(target=feed, name="bench-cancel-feed", daemon=True)
    feeder.start()
    cancel_timer.start(round(delay_s * 1000))
    audio_s = len(utterance.audio) / SAMPLE_RATE
    stuck.start(round((audio_s / max(speed, 1e-3) + _TRIAL_SLACK_S) * 1000))
    loop.exec()
    cancel_timer.stop()
    stuck.stop()
    source.stop()
    feeder.join()
    for signal, slot in connections:
        signal.disconnect(slot)
    if trial.stopped_at is None:
        raise RuntimeError(f"cancel trial on {utterance.utterance_id} never became idle")
    measured = trial.requested_at is not None and not trial.finished_first
    return CancelTrial(
        utterance_id=utterance.utterance_id,
        cancel_after_s=cancel_after_s,
        to_ui_idle_s=_since(trial.requested_at, trial.ui_idle_at) if measured else None,
        to_compute_stopped_s=_since(trial.requested_at, trial.stopped_at) if measured else None,
        finished_first=trial.finished_first,
        leaked_events=trial.leaked,
    )


def _since(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else max(0.0, end - start)
