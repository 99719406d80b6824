"""MicSource with a fake sounddevice: copying, resampling, device choice and failures."""

from __future__ import annotations

import importlib.abc
import sys
import threading
import time

import numpy as np
import numpy.typing as npt
import pytest

from app.core.audio.mic_devices import load_backend
from app.core.audio.mic_source import MicError, MicSource
from app.core.audio.ring_buffer import RingBuffer
from tests.fakes.fake_sounddevice import FakeSoundDevice, fake_device

Audio = npt.NDArray[np.float32]


def sine(freq: float, seconds: float, rate: int) -> Audio:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def wait_for_samples(
    ring: RingBuffer, count: int, new_audio: threading.Event, timeout: float = 10.0
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        new_audio.clear()  # before checking, so a block written after the check wakes us
        if ring.position >= count:
            return
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only {ring.position} of {count} samples arrived"
        new_audio.wait(remaining)


class Errors:
    """Collects on_error messages and signals the first one."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.reported = threading.Event()

    def __call__(self, message: str) -> None:
        self.messages.append(message)
        self.reported.set()


def test_audio_arrives_unchanged_at_16k() -> None:
    audio = np.random.default_rng(1).uniform(-0.5, 0.5, 16_000 + 123).astype(np.float32)
    fake = FakeSoundDevice(audio)
    ring = RingBuffer(capacity_seconds=10)
    new_audio = threading.Event()
    mic = MicSource(ring, backend=fake, on_block=new_audio.set)
    mic.start()
    assert mic.is_running
    assert fake.streams[0].played.wait(10)
    wait_for_samples(ring, len(audio), new_audio)
    mic.stop()
    assert not mic.is_running
    assert mic.sample_rate == 16_000
    assert mic.device_name == "Fake Microphone"
    assert fake.streams[0].samplerate == 16_000
    assert fake.streams[0].closed
    np.testing.assert_array_equal(ring.read_since(0).samples[: len(audio)], audio)
    assert mic.error is None
    assert mic.overflows == 0


def test_a_device_without_16k_is_resampled_outside_the_callback() -> None:
    audio = sine(440.0, 2.0, 48_000)
    fake = FakeSoundDevice(audio, samplerate=48_000, after_audio="stall")
    ring = RingBuffer(capacity_seconds=10)
    new_audio = threading.Event()
    mic = MicSource(ring, backend=fake, on_block=new_audio.set, stall_timeout_s=60)
    mic.start()
    stream = fake.streams[0]
    assert stream.samplerate == 48_000
    assert mic.sample_rate == 48_000
    assert stream.played.wait(10)
    wait_for_samples(ring, 30_000, new_audio)  # on_block fires for resampled audio too
    mic.stop()  # flushes the resampler
    delivered = stream.blocks_delivered * stream.blocksize  # the last block is zero-padded
    captured = ring.read_since(0).samples
    assert abs(len(captured) - delivered / 3) <= 16, (len(captured), delivered)
    assert abs(len(captured) - len(audio) / 3) <= stream.blocksize / 3 + 16
    spectrum = np.abs(np.fft.rfft(captured[:32_000]))
    peak_hz = np.argmax(spectrum) * 16_000 / 32_000
    assert peak_hz == pytest.approx(440.0, abs=1.0)
    assert np.max(np.abs(captured[1000:30_000])) == pytest.approx(0.5, abs=0.02)


def test_no_devices_at_all_points_at_the_sound_server() -> None:
    # With PulseAudio stopped the message said to connect a microphone and to use --device
    # (a command-line option) in the window.
    mic = MicSource(RingBuffer(1), backend=FakeSoundDevice.without_devices())
    no_mic = r"No microphone found: the sound system lists no devices at all, so the sound server"
    with pytest.raises(MicError, match=no_mic):
        mic.start()
    assert not mic.is_running
    mic.stop()


def test_only_output_devices_names_what_was_seen() -> None:
    fake = FakeSoundDevice(devices=[fake_device("HDMI Output", inputs=0)])
    with pytest.raises(MicError, match=r"\(Settings → Audio, .*Devices seen: 'HDMI Output'\."):
        MicSource(RingBuffer(1), backend=fake).start()


def test_unknown_device_name_lists_the_input_devices() -> None:
    devices = [fake_device("USB Headset"), fake_device("HDMI", inputs=0), fake_device("Webcam")]
    mic = MicSource(RingBuffer(1), device="Blue Yeti", backend=FakeSoundDevice(devices=devices))
    with pytest.raises(MicError) as caught:
        mic.start()
    message = str(caught.value)
    assert "No input device named 'Blue Yeti'" in message
    assert "0 'USB Headset', 2 'Webcam'" in message
    assert "HDMI" not in message


def test_a_device_is_chosen_by_part_of_its_name_or_by_index() -> None:
    devices = [fake_device("USB Headset"), fake_device("HDMI", inputs=0), fake_device("Webcam")]
    fake = FakeSoundDevice(devices=devices)
    mic = MicSource(RingBuffer(1), device="webcam", backend=fake)
    mic.start()
    mic.stop()
    assert mic.device_name == "Webcam"
    mic = MicSource(RingBuffer(1), device=0, backend=fake)
    mic.start()
    mic.stop()
    assert mic.device_name == "USB Headset"
    with pytest.raises(MicError, match=r"No input device number 1\. Available input devices: 0 'U"):
        MicSource(RingBuffer(1), device=1, backend=fake).start()


def test_a_device_that_cannot_open_is_a_clear_error() -> None:
    fake = FakeSoundDevice(open_error="Device unavailable [PaErrorCode -9985]")
    mic = MicSource(RingBuffer(1), backend=fake)
    with pytest.raises(MicError) as raised:
        mic.start()
    # Plain words first, PortAudio's own at the end (a user saw only "[PaErrorCode -9999]").
    assert str(raised.value).startswith(
        "Cannot open the microphone 'Fake Microphone': it is in use or not available. Connect it"
    )
    assert str(raised.value).endswith("Device unavailable [PaErrorCode -9985].)")
    assert not mic.is_running
    mic.stop()


def test_unplug_reports_once_and_keeps_what_was_captured() -> None:
    audio = sine(300.0, 1.0, 16_000)
    fake = FakeSoundDevice(audio, after_audio="unplug")
    ring = RingBuffer(capacity_seconds=10)
    errors = Errors()
    mic = MicSource(ring, backend=fake, on_error=errors)
    mic.start()
    assert errors.reported.wait(10)
    assert not mic.is_running
    assert not mic.check_alive()
    mic.stop()
    mic.stop()
    assert len(errors.messages) == 1
    assert "microphone stopped working" in errors.messages[0]
    assert mic.error == errors.messages[0]
    np.testing.assert_array_equal(ring.read_since(0).samples[: len(audio)], audio)


def test_on_error_may_stop_the_source() -> None:
    fake = FakeSoundDevice(sine(300.0, 0.5, 48_000), samplerate=48_000, after_audio="unplug")
    ring = RingBuffer(capacity_seconds=10)
    errors = Errors()

    def stop_on_error(message: str) -> None:
        mic.stop()  # runs on the supervisor thread: must neither deadlock nor raise
        errors(message)

    mic = MicSource(ring, backend=fake, on_error=stop_on_error)
    mic.start()
    assert errors.reported.wait(10)
    mic.stop()
    assert len(errors.messages) == 1
    assert fake.streams[0].closed
    assert ring.position >= 8_000 - 512  # resampled and flushed despite the failure


def test_a_stall_is_detected_by_check_alive() -> None:
    now = [100.0]
    fake = FakeSoundDevice(sine(300.0, 0.5, 16_000), after_audio="stall")
    errors = Errors()
    mic = MicSource(RingBuffer(5), backend=fake, on_error=errors, clock=lambda: now[0])
    mic.start()
    assert fake.streams[0].stalled.wait(10)
    assert mic.check_alive()  # notes the last block count
    now[0] += 2.9  # a busy machine may hold callbacks back this long
    assert mic.check_alive()
    now[0] += 0.2
    assert not mic.check_alive()
    assert errors.reported.wait(10)
    mic.stop()
    assert len(errors.messages) == 1
    assert "stopped sending audio for more than 3 s" in errors.messages[0]


def test_a_device_that_never_starts_is_detected_after_the_startup_timeout() -> None:
    now = [100.0]
    fake = FakeSoundDevice(after_audio="stall")  # no audio: not a single callback
    errors = Errors()
    mic = MicSource(RingBuffer(5), backend=fake, on_error=errors, clock=lambda: now[0])
    mic.start()
    assert fake.streams[0].stalled.wait(10)
    now[0] += 4.9  # slow servers are allowed up to 5 s for the first block
    assert mic.check_alive()
    now[0] += 0.2
    assert not mic.check_alive()
    assert errors.reported.wait(10)
    mic.stop()
    assert errors.messages == ["The microphone sent no audio within 5 s of opening it."]


def test_overflows_are_counted() -> None:
    fake = FakeSoundDevice(sine(300.0, 0.5, 16_000), overflow_blocks={1, 3})
    mic = MicSource(RingBuffer(5), backend=fake)
    mic.start()
    assert fake.streams[0].played.wait(10)
    mic.stop()
    assert mic.overflows == 2


def test_stop_is_idempotent_and_start_again_works() -> None:
    fake = FakeSoundDevice(sine(300.0, 0.2, 16_000))
    ring = RingBuffer(5)
    mic = MicSource(ring, backend=fake)
    mic.stop()
    mic.start()
    mic.start()  # already running: nothing happens
    assert len(fake.streams) == 1
    mic.stop()
    mic.stop()
    mic.start()
    assert mic.is_running
    assert fake.streams[1].played.wait(10)
    mic.stop()
    assert not mic.is_running
    assert all(stream.closed for stream in fake.streams)


class _PortAudioMissing(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == "sounddevice":
            raise OSError("PortAudio library not found")


def test_missing_portaudio_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_PortAudioMissing(), *sys.meta_path])
    with pytest.raises(MicError, match=r"^PortAudio is missing: install libportaudio2$"):
        load_backend()
    with pytest.raises(MicError, match=r"PortAudio is missing"):
        MicSource(RingBuffer(1)).start()
