"""The live loop: read the ring buffer, run streaming passes, stop on release or cancel.

Qt-free so that ``saytype listen``, the benchmark and the GUI's QThread worker
share one implementation. The loop waits on a "new audio" event (set by the
audio source) rather than spinning, checks cancellation between passes, and
never emits anything once cancelled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from app.core.audio.file_decoder import AudioArray
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.dictation_event import DictationEvent

log = logging.getLogger(__name__)

_IDLE_WAIT_S = 0.05
# How much longer than its own length audio on its way from the microphone may take.
_IN_FLIGHT_MARGIN_S = 0.5


def in_flight_wait_s(ring: RingBuffer, end: int) -> float:
    """How long a release at ``end`` should wait for audio the ring does not hold yet."""
    missing = end - ring.position
    return missing / ring.sample_rate + _IN_FLIGHT_MARGIN_S if missing > 0 else 0.0


class LiveTranscriber(Protocol):
    """What the loop drives: the local :class:`StreamingTranscriber`, or a remote engine's
    :class:`~app.core.engine.remote.remote_final.RemoteFinal` around it."""

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio pushed so far."""

    def push(self, samples: AudioArray) -> None:
        """Append captured audio."""

    def pass_due(self) -> bool:
        """Whether a pass is due."""

    def run_pass(self, superseded: Callable[[], bool] | None = None) -> list[DictationEvent]:
        """One pass: commit and partial events."""

    def finish(self) -> DictationEvent:
        """The final event of the utterance."""

    def running_pass_is_moot(self) -> bool:
        """Once released: whether the running pass cannot give the final."""

    def work_while_idle(self) -> bool:
        """While held, no pass due: work ahead of the release (returns whether it decoded)."""


class Release:
    """The end of an utterance: the key release, with the ring position it ends at."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.position: int | None = None
        self._wait_until = 0.0

    def release(self, position: int | None = None, wait_s: float = 0.0) -> None:
        """Mark the utterance finished at ``position`` (None: everything written by then).

        ``position`` may lie ahead of the ring (audio still on its way from the
        microphone): the loop waits up to ``wait_s`` for it, then finishes with
        what arrived (a microphone that failed meanwhile sends nothing more).
        """
        self.position = position
        self._wait_until = time.monotonic() + wait_s
        self._event.set()

    @property
    def released(self) -> bool:
        """Whether the utterance was finished."""
        return self._event.is_set()

    def seconds_left(self) -> float:
        """How much longer to wait for audio up to :attr:`position` (0: finish now)."""
        return max(0.0, self._wait_until - time.monotonic())


def run_dictation(  # noqa: PLR0917 - the loop's collaborators, each distinct
    ring: RingBuffer,
    start: int,
    transcriber: LiveTranscriber,
    release: Release,
    cancel: CancellationToken,
    emit: Callable[[DictationEvent], None],
    new_audio: threading.Event,
) -> DictationEvent | None:
    """Drive one utterance from ring position ``start`` until release or cancel.

    Returns the final event, or None when cancelled (and then nothing more was emitted).
    """
    position = start

    def push_new_audio() -> int | None:
        """Move what the ring holds (up to the release) into the transcriber; the release end."""
        nonlocal position
        released = release.released
        end = release.position if released and release.position is not None else None
        read = ring.read_since(position, None if end is None else max(0, end - position))
        if read.lost:
            log.warning("live audio fell behind: %d samples lost", read.lost)
        position = read.end
        transcriber.push(read.samples)
        return end

    def superseded() -> bool:
        # Released while a pass ran: finishing that pass is only worth it when it
        # will be the final itself (the user paused before letting go).
        if not release.released:
            return False
        push_new_audio()
        return transcriber.running_pass_is_moot()

    try:
        while True:
            new_audio.clear()  # before reading, so audio written after the read still wakes us
            released = release.released
            end = push_new_audio()
            if cancel.cancelled:
                return None
            waiting = 0.0 if end is None or position >= end else release.seconds_left()
            if released and not waiting:
                final = transcriber.finish()
                if cancel.cancelled:
                    return None
                emit(final)
                return final
            if transcriber.pass_due():
                for event in transcriber.run_pass(superseded):
                    if cancel.cancelled:
                        return None
                    emit(event)
            elif not release.released:
                # Idle time goes to work the release would otherwise wait for.
                if not transcriber.work_while_idle():
                    new_audio.wait(_IDLE_WAIT_S)
            else:  # released: the audio up to the release is still on its way
                new_audio.wait(min(_IDLE_WAIT_S, waiting))
    except Cancelled:  # raised inside a pass once cancel was set
        return None
