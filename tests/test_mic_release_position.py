"""A key release ends the utterance where the microphone hears it, not where the ring has got to.

PortAudio hands audio over a block (and the sound server's buffer) after the
microphone heard it. The fake device here reports ADC times that lag its stream
clock, as PortAudio's host buffers do; the live loop then waits for the audio in
flight, and finishes anyway when it never comes (a microphone that died).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from app.core.audio.file_decoder import AudioArray
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.live_dictation import Release, in_flight_wait_s, run_dictation
from app.core.engine.streaming_transcriber import StreamingTranscriber
from tests.fakes.coded_speech import VOCABULARY, CodeDecoder, speech
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.test_mic_source import wait_for_samples

RATE = 16_000


class Clock:
    """A stream clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def captured_mic(adc_lag_s: float | None, clock: Clock, rate: int = RATE) -> MicSource:
    """A microphone that handed over one second of audio and then stalled."""
    fake = FakeSoundDevice(
        np.zeros(rate, np.float32),
        samplerate=rate,
        after_audio="stall",
        adc_lag_s=adc_lag_s,
        clock=clock,
    )
    ring = RingBuffer(capacity_seconds=10)
    arrived = threading.Event()
    mic = MicSource(ring, backend=fake, on_block=arrived.set, stall_timeout_s=60)
    mic.start()
    stream = fake.streams[0]
    assert stream.stalled.wait(10)
    if rate == RATE:
        wait_for_samples(ring, stream.blocks_delivered * stream.blocksize, arrived)
    return mic


def test_the_release_lies_ahead_of_the_ring_by_the_audio_still_in_flight() -> None:
    clock = Clock()
    mic = captured_mic(adc_lag_s=0.3, clock=clock)
    try:
        held = mic.ring.position
        assert mic.release_position() == held + round(0.3 * RATE)
        clock.now += 0.25  # later still: more has been heard and not handed over
        assert mic.release_position() == held + round(0.55 * RATE)
    finally:
        mic.stop()


def test_a_clock_that_does_not_match_the_adc_times_falls_back_to_the_ring() -> None:
    clock = Clock()
    mic = captured_mic(adc_lag_s=0.3, clock=clock)
    try:
        clock.now += 5.0  # seconds "in flight": a stalled driver, not a lagging one
        assert mic.release_position() == mic.ring.position
        clock.now -= 10.0  # a clock behind the ADC times
        assert mic.release_position() == mic.ring.position
    finally:
        mic.stop()


def test_without_adc_times_or_once_closed_the_release_is_the_ring_position() -> None:
    clock = Clock()
    mic = captured_mic(adc_lag_s=None, clock=clock)
    try:
        assert mic.release_position() == mic.ring.position
    finally:
        mic.stop()
    lagging = captured_mic(adc_lag_s=0.3, clock=clock)
    lagging.stop()
    assert lagging.release_position() == lagging.ring.position


def test_a_device_at_another_rate_gives_the_release_in_16k_samples() -> None:
    clock = Clock()
    mic = captured_mic(adc_lag_s=0.3, clock=clock, rate=48_000)
    try:
        frames = mic._frames  # device frames handed over, 1/3 of them in 16 kHz samples
        assert mic.release_position() == round((frames + 0.3 * 48_000) / 3)
    finally:
        mic.stop()


@dataclass
class LiveLoop:
    """A live loop released at ``end`` while the ring holds less than that."""

    ring: RingBuffer
    new_audio: threading.Event
    thread: threading.Thread
    finals: list[DictationEvent | None]


def ignore(_event: DictationEvent) -> None:
    """Partials and commits are not what these tests look at."""


def release_ahead(audio: AudioArray, written: int, end: int, wait_s: float) -> LiveLoop:
    """Release at ``end`` with only ``written`` samples in the ring; the rest may come later."""
    ring = RingBuffer(capacity_seconds=30)
    new_audio = threading.Event()
    ring.write(audio[:written])
    transcriber = StreamingTranscriber(CodeDecoder())
    release = Release()
    release.release(end, wait_s=wait_s)
    finals: list[DictationEvent | None] = []

    def run() -> None:
        finals.append(
            run_dictation(ring, 0, transcriber, release, CancellationToken(), ignore, new_audio)
        )

    thread = threading.Thread(target=run, name="test-live-loop")
    thread.start()
    return LiveLoop(ring, new_audio, thread, finals)


def final_words(loop: LiveLoop) -> list[str]:
    loop.thread.join(10)
    assert not loop.thread.is_alive()
    final = loop.finals[0]
    assert final is not None
    return final.text.split()


def test_the_final_waits_for_the_words_still_on_their_way() -> None:
    audio = speech(6, gap_s=0.3)
    written = len(audio) - RATE // 2  # the last half second is still in flight
    loop = release_ahead(audio, written, len(audio), wait_s=5.0)
    loop.ring.write(audio[written:])  # it arrives
    loop.new_audio.set()
    assert final_words(loop) == VOCABULARY[:6]


def test_audio_that_never_arrives_ends_the_wait() -> None:
    audio = speech(6, gap_s=0.3)
    written = len(audio) - RATE // 2
    # The microphone died: nothing more comes, and the wait runs out.
    loop = release_ahead(audio, written, len(audio), wait_s=0.2)
    assert final_words(loop)[:5] == VOCABULARY[:5]


def test_the_wait_is_the_missing_audio_and_a_margin() -> None:
    ring = RingBuffer(capacity_seconds=10)
    ring.write(np.zeros(RATE, np.float32))
    assert in_flight_wait_s(ring, RATE) == 0.0
    assert in_flight_wait_s(ring, RATE - 10) == 0.0
    assert 0.3 < in_flight_wait_s(ring, RATE + RATE // 4) < 1.0
