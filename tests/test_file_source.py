"""FileSource at speed 0 waits for the reader instead of overwriting audio it has not read.

A file decodes far faster than live passes run, so ``saytype listen --speed 0``
on a file longer than the ring lost everything the ring overwrote (226 s of
speech came back as 132 of 470 words). The test reads slowly on purpose: it
reads only once the source says it is waiting for room.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from app.core.audio.file_source import MIC_BLOCK_SAMPLES, FileSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.wav_file import write_wav

RATE = 16000


def ramp_wav(tmp_path: Path, seconds: float) -> tuple[Path, np.ndarray]:
    """A file whose every sample is distinct, so any loss or reordering shows."""
    samples = (np.arange(int(seconds * RATE)) % 30000 / 32768.0).astype(np.float32)
    path = tmp_path / "ramp.wav"
    write_wav(path, samples, RATE)
    return path, samples


def test_speed_zero_waits_for_room_and_loses_nothing(tmp_path: Path) -> None:
    path, samples = ramp_wav(tmp_path, 3.0)
    ring = RingBuffer(capacity_seconds=0.5)
    read_until = 0
    waiting = threading.Event()  # the source found the ring full of unread audio
    ended = threading.Event()

    def room() -> int:
        free = ring.capacity - (ring.position - read_until)
        if free < MIC_BLOCK_SAMPLES:
            waiting.set()
        return free

    source = FileSource(path, ring, speed=0, room=room, on_end=ended.set)
    source.start()
    parts = []
    try:
        while True:
            waiting.clear()
            done = ended.is_set()
            read = ring.read_since(read_until)
            assert read.lost == 0
            parts.append(read.samples)
            read_until = read.end
            if done:
                break
            while not (waiting.wait(0.05) or ended.is_set()):
                pass  # the source writes until the ring is full of unread audio, then waits
            assert ring.position - read_until <= ring.capacity
    finally:
        source.stop()
    assert source.error is None
    heard = np.concatenate(parts)
    assert len(heard) == len(samples)
    np.testing.assert_allclose(heard, samples, atol=1 / 32768)


def test_without_a_room_callback_speed_zero_still_feeds_everything(tmp_path: Path) -> None:
    path, samples = ramp_wav(tmp_path, 1.0)
    ring = RingBuffer(capacity_seconds=5.0)
    source = FileSource(path, ring, speed=0)
    source.run()
    assert source.error is None
    assert ring.read_since(0).samples.shape == samples.shape


def test_at_real_time_a_block_arrives_once_its_audio_has_been_spoken(tmp_path: Path) -> None:
    # As from a microphone: a block's audio cannot arrive before its last sample is said.
    path, samples = ramp_wav(tmp_path, 1.0)
    ring = RingBuffer(capacity_seconds=2.0)
    speed = 20.0
    arrivals: list[tuple[float, int]] = []
    sources: list[FileSource] = []

    def arrived() -> None:
        arrivals.append((time.perf_counter(), sources[0].fed_samples))

    source = FileSource(path, ring, speed=speed, on_block=arrived)
    sources.append(source)
    source.run()
    assert source.started_at is not None
    assert arrivals[-1][1] == len(samples)
    for arrived_at, fed in arrivals:
        assert arrived_at - source.started_at >= fed / RATE / speed
