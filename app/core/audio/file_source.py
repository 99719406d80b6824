"""A file standing in for the microphone: same ring buffer, same block size, paced.

``saytype listen --input FILE`` and the live benchmark feed a decoded file into
the ring buffer in microphone-sized blocks at X times real time, so the live
pipeline under test is exactly the one a real microphone drives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileReader
from app.core.audio.ring_buffer import RingBuffer

# 150 ms, the block MicSource asks PortAudio for. Each block wakes PortAudio, libpulse
# and the callback: 512 cost 1.03 % of a core with the microphone held open all day,
# 2400 costs 0.27 % (decision 0010). A release waits for the block in flight.
MIC_BLOCK_SAMPLES = 2400
_ROOM_POLL_S = 0.005  # the reader gives no signal when it reads, so a full ring is polled


class FileSource:
    """Feeds one file into a ring buffer from a background thread.

    Args:
        path: the audio or video file.
        ring: the ring buffer the live pipeline reads.
        speed: multiple of real time; 0 feeds as fast as possible.
        on_block: called after each block is written (wakes the reader).
        on_end: called once when the whole file has been fed.
        room: samples the reader can still take before the ring overwrites audio it
            has not read. At speed 0 a file decodes far faster than passes run, so the
            source waits for room rather than let unread audio be overwritten.
    """

    def __init__(
        self,
        path: Path,
        ring: RingBuffer,
        *,
        speed: float = 1.0,
        on_block: Callable[[], None] | None = None,
        on_end: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
        room: Callable[[], int] | None = None,
    ) -> None:
        self.path = path
        self.ring = ring
        self.speed = speed
        self._on_block = on_block
        self._on_end = on_end
        self._clock = clock
        self._room = room
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: Exception | None = None
        # How a file was cut short ("is truncated: …"), "" when whole: what is there is
        # dictated, as `transcribe` does with it, and the owner says so.
        self.cut_short = ""
        self.started_at: float | None = None
        self.fed_samples = 0

    def feed_samples(self, audio: AudioArray) -> None:
        """Write ``audio`` block by block at the configured pace (runs on the caller's thread)."""
        if self.started_at is None:
            self.started_at = self._clock()
        for offset in range(0, len(audio), MIC_BLOCK_SAMPLES):
            if self._stop.is_set():
                return
            block = audio[offset : offset + MIC_BLOCK_SAMPLES]
            if self.speed == 0 and self._room is not None:
                while self._room() < len(block):
                    if self._stop.wait(_ROOM_POLL_S):
                        return
            if self.speed > 0:
                # A microphone hands over a block once its last sample was spoken, not at its
                # first: so does the file, or every figure timed from the audio reads early.
                end = self.fed_samples + len(block)
                due = self.started_at + (end / SAMPLE_RATE) / self.speed
                wait = due - self._clock()
                if wait > 0 and self._stop.wait(wait):  # pacing, woken early only by stop()
                    return
            self.ring.write(block)
            self.fed_samples += len(block)
            if self._on_block is not None:
                self._on_block()

    def run(self) -> None:
        """Decode and feed the whole file; errors are kept in :attr:`error`."""
        try:
            reader = AudioFileReader(self.path, chunk_seconds=5.0)
            for chunk in reader.chunks():
                self.feed_samples(chunk)
                if self._stop.is_set():
                    break
            else:
                self.cut_short = reader.cut_short()  # raises when nothing could be decoded
        except Exception as exc:  # reported to the owner, never raised on this thread
            self.error = exc
        finally:
            if self._on_end is not None:
                self._on_end()

    def start(self) -> None:
        """Feed from a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="file-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop feeding and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def fed_seconds(self) -> float:
        """Seconds of audio written so far."""
        return self.fed_samples / SAMPLE_RATE
