"""A preallocated single-writer, single-reader ring of 16 kHz mono float32 audio.

The writer is the PortAudio callback, which must not allocate, lock for long or
log: :meth:`RingBuffer.write` only copies into the preallocated array and then
advances a monotonically increasing sample position. Readers ask for
"everything since position P", which also lets them reach back before a hotkey
press (the pre-roll). A reader that falls more than the capacity behind gets
what is still there plus an exact count of the samples it lost, never a mix of
old and new audio.

The ring outlives the capture that fills it: the microphone closes and
reopens (keep-mic-open off, a device failure, a device switch) and the new
capture appends after the old audio. :meth:`RingBuffer.mark_capture_start`
records where the current capture began, so a pre-roll (and a level reading)
never reaches back into audio from an earlier capture, recorded seconds or
minutes before the key press.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray

# Audio kept from before the hotkey press, so the first word is never clipped.
DEFAULT_PRE_ROLL_S = 0.3


@dataclass(frozen=True)
class AudioRead:
    """The result of one read: samples ``[start, end)`` and how many were lost before them."""

    samples: AudioArray
    start: int
    end: int
    lost: int


class RingBuffer:
    """Fixed-capacity ring addressed by absolute sample positions.

    Args:
        capacity_seconds: how much audio stays readable.
        sample_rate: samples per second (16 kHz for Whisper).
    """

    def __init__(self, capacity_seconds: float = 120.0, sample_rate: int = SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate
        self.capacity = max(1, int(capacity_seconds * sample_rate))
        self._data = np.zeros(self.capacity, dtype=np.float32)
        # Total samples ever written. Only the writer changes it, after copying,
        # so a reader never sees a position whose samples are not yet in place.
        self._written = 0
        self._capture_start = 0

    @property
    def position(self) -> int:
        """Absolute position one past the newest sample."""
        return self._written

    @property
    def oldest(self) -> int:
        """Absolute position of the oldest sample still readable."""
        return max(0, self._written - self.capacity)

    @property
    def capture_start(self) -> int:
        """Where the current capture began (see :meth:`mark_capture_start`)."""
        return self._capture_start

    def mark_capture_start(self) -> None:
        """A new capture starts at the current position: look-backs stop here.

        Called by the writer's owner before the writer starts (nothing is writing).
        """
        self._capture_start = self._written

    def write(self, block: AudioArray) -> None:
        """Append ``block`` (1-D float32). Called by the one writer; copies only."""
        count = len(block)
        if count >= self.capacity:
            block = block[count - self.capacity :]
            skipped = count - self.capacity
            count = self.capacity
        else:
            skipped = 0
        start = (self._written + skipped) % self.capacity
        first = min(count, self.capacity - start)
        self._data[start : start + first] = block[:first]
        if first < count:
            self._data[: count - first] = block[first:]
        self._written += skipped + count

    def read_since(self, position: int, max_samples: int | None = None) -> AudioRead:
        """Copy out the samples from ``position`` up to now (at most ``max_samples``).

        Samples overwritten before or during the copy are reported in ``lost`` and
        never returned.
        """
        end = self._written
        if max_samples is not None:
            end = min(end, max(position, 0) + max_samples)
        start = max(position, end - self.capacity, 0)
        out = self._copy(start, end)
        # The writer may have lapped us while we copied: drop what it overwrote.
        safe_start = max(start, self._written - self.capacity)
        if safe_start > start:
            out = out[safe_start - start :]
            start = safe_start
        lost = max(0, start - max(position, 0))
        return AudioRead(samples=out, start=start, end=start + len(out), lost=lost)

    def _copy(self, start: int, end: int) -> AudioArray:
        count = max(0, end - start)
        out = np.empty(count, dtype=np.float32)
        if count == 0:
            return out
        offset = start % self.capacity
        first = min(count, self.capacity - offset)
        out[:first] = self._data[offset : offset + first]
        if first < count:
            out[first:] = self._data[: count - first]
        return out

    def position_before(self, seconds: float) -> int:
        """The position ``seconds`` ago: where a pre-roll starts.

        Never before the oldest sample kept, nor before the current capture's start.
        """
        floor = max(self.oldest, self._capture_start)
        return max(floor, self._written - self.seconds_to_samples(seconds))

    def seconds_to_samples(self, seconds: float) -> int:
        """Convert a duration to a sample count at this buffer's rate."""
        return round(seconds * self.sample_rate)
