"""The live loop: read the ring buffer, run streaming passes, stop on release or cancel.

Qt-free so that ``saytype listen``, the benchmark and the GUI's QThread worker
share one implementation. The loop waits on a "new audio" event (set by the
audio source) rather than spinning, checks cancellation between passes, and
never emits anything once cancelled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.streaming_transcriber import DictationEvent, StreamingTranscriber

log = logging.getLogger(__name__)

_IDLE_WAIT_S = 0.05


class Release:
    """The end of an utterance: the key release, with the ring position at that moment."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.position: int | None = None

    def release(self, position: int | None = None) -> None:
        """Mark the utterance finished at ``position`` (None: everything written by then)."""
        self.position = position
        self._event.set()

    @property
    def released(self) -> bool:
        """Whether the utterance was finished."""
        return self._event.is_set()


def run_dictation(  # noqa: PLR0917 - the loop's collaborators, each distinct
    ring: RingBuffer,
    start: int,
    transcriber: StreamingTranscriber,
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
            if released and (end is None or position >= end or ring.position <= position):
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
                new_audio.wait(_IDLE_WAIT_S)
    except Cancelled:  # raised inside a pass once cancel was set
        return None
