"""RingBuffer properties: exact data across wrap-around, counted loss on overflow."""

from __future__ import annotations

import threading

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.audio.ring_buffer import RingBuffer


def _ramp(start: int, count: int) -> np.ndarray:
    # Each sample's value encodes its absolute position, so any mix-up is visible.
    return (np.arange(start, start + count) % 1_000_003).astype(np.float32)


@settings(max_examples=300, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=64),
    blocks=st.lists(st.integers(min_value=0, max_value=150), max_size=30),
    reach_back=st.integers(min_value=0, max_value=200),
)
def test_reads_return_exact_samples_and_count_losses(
    capacity: int, blocks: list[int], reach_back: int
) -> None:
    ring = RingBuffer(capacity_seconds=capacity, sample_rate=1)
    written = 0
    for count in blocks:
        ring.write(_ramp(written, count))
        written += count
        position = max(0, written - reach_back)
        read = ring.read_since(position)
        assert read.end == written
        assert read.lost == max(0, (written - capacity) - position)
        assert read.start == position + read.lost
        np.testing.assert_array_equal(read.samples, _ramp(read.start, len(read.samples)))
    assert ring.position == written


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=50),
    total=st.integers(min_value=0, max_value=400),
    start=st.integers(min_value=0, max_value=400),
    limit=st.integers(min_value=0, max_value=60),
)
def test_max_samples_limits_reads(capacity: int, total: int, start: int, limit: int) -> None:
    ring = RingBuffer(capacity_seconds=capacity, sample_rate=1)
    ring.write(_ramp(0, total))
    read = ring.read_since(start, max_samples=limit)
    assert len(read.samples) <= limit
    np.testing.assert_array_equal(read.samples, _ramp(read.start, len(read.samples)))


def test_reader_lapped_during_concurrent_writes_never_sees_mixed_audio() -> None:
    ring = RingBuffer(capacity_seconds=0.05, sample_rate=16_000)  # 800 samples: laps often
    done = threading.Event()

    def writer() -> None:
        position = 0
        for _ in range(4000):
            ring.write(_ramp(position, 160))
            position += 160
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    position = 0
    reads = 0
    lost = 0
    received = 0
    while not done.is_set() or position < ring.position:
        read = ring.read_since(position)
        np.testing.assert_array_equal(read.samples, _ramp(read.start, len(read.samples)))
        lost += read.lost
        received += len(read.samples)
        position = read.end
        reads += 1
    thread.join()
    assert position == 4000 * 160
    assert reads > 1
    assert received + lost == position  # every sample is either delivered or counted lost


def test_pre_roll_position_reaches_back_but_not_past_the_oldest_sample() -> None:
    ring = RingBuffer(capacity_seconds=1.0, sample_rate=1000)
    ring.write(_ramp(0, 200))
    assert ring.position_before(0.3) == 0  # only 0.2 s exist so far
    ring.write(_ramp(200, 2000))
    assert ring.position_before(0.3) == 2200 - 300
    assert ring.position_before(5.0) == ring.oldest == 2200 - 1000


def test_pre_roll_never_reaches_before_the_capture_start() -> None:
    ring = RingBuffer(capacity_seconds=1.0, sample_rate=1000)
    ring.write(_ramp(0, 500))  # an earlier capture
    ring.mark_capture_start()
    assert ring.capture_start == 500
    assert ring.position_before(0.3) == 500  # nothing of this capture yet
    ring.write(_ramp(500, 100))
    assert ring.position_before(0.3) == 500
    ring.write(_ramp(600, 400))
    assert ring.position_before(0.3) == 1000 - 300
