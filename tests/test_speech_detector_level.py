"""Soft speech: Silero hears it as well as the same words spoken close to the microphone.

Silero is level-sensitive, so the detector raises soft input before scoring it
(decision 0035). The first tests use a scripted VAD that records what it was
given; the last one the real Silero on hibari-tts speech over a room's noise floor.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from app.core.audio.speech_detector import (
    MAX_LEVEL_GAIN,
    SPEAKING_LEVEL_DBFS,
    WINDOW_SAMPLES,
    SpeechDetector,
)
from saytype_bench.recording_conditions import pink_noise
from tests.support.speech import SpeechMaker

SPEAKING_RMS = 10.0 ** (SPEAKING_LEVEL_DBFS / 20.0)


class RecordingVad:
    """Calls nothing speech; keeps the loudest window RMS of each call's fresh audio."""

    def __init__(self) -> None:
        self.loudest: list[float] = []

    def __call__(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        windows = audio.reshape(-1, WINDOW_SAMPLES).astype(np.float64)
        self.loudest.append(float(np.sqrt(np.square(windows[1:]).mean(axis=1)).max()))
        return np.zeros(len(windows), np.float32)


def tone(rms: float, windows: int) -> npt.NDArray[np.float32]:
    """A 440 Hz tone of the given RMS, ``windows`` 32 ms windows long."""
    t = np.arange(windows * WINDOW_SAMPLES) / 16_000
    return (np.sin(2 * np.pi * 440 * t) * rms * np.sqrt(2)).astype(np.float32)


def test_soft_input_reaches_silero_at_a_speaking_level() -> None:
    vad = RecordingVad()
    detector = SpeechDetector(model=vad)
    detector.push(tone(SPEAKING_RMS / 4, 10))  # 12 dB soft
    assert detector.level_gain == pytest.approx(4.0, rel=0.01)
    assert vad.loudest[-1] == pytest.approx(SPEAKING_RMS, rel=0.01)


def test_loud_input_is_never_lowered_and_soft_input_is_raised_by_at_most_the_cap() -> None:
    loud, quiet = RecordingVad(), RecordingVad()
    SpeechDetector(model=loud).push(tone(SPEAKING_RMS * 3, 10))
    SpeechDetector(model=quiet).push(tone(SPEAKING_RMS / 100, 10))  # 40 dB soft
    assert loud.loudest[-1] == pytest.approx(SPEAKING_RMS * 3, rel=0.01)
    assert quiet.loudest[-1] == pytest.approx(SPEAKING_RMS / 100 * MAX_LEVEL_GAIN, rel=0.01)


def test_the_gain_follows_the_loudest_window_so_far_and_never_rises_again() -> None:
    vad = RecordingVad()
    detector = SpeechDetector(model=vad)
    detector.push(tone(SPEAKING_RMS / 8, 10))  # the room before the first word
    detector.push(tone(SPEAKING_RMS / 2, 10))  # the voice
    assert detector.level_gain == pytest.approx(2.0, rel=0.01)
    detector.push(tone(SPEAKING_RMS / 8, 10))  # a pause: as loud as the room again
    assert detector.level_gain == pytest.approx(2.0, rel=0.01)
    assert vad.loudest[-1] == pytest.approx(SPEAKING_RMS / 4, rel=0.01)


@pytest.mark.model
def test_soft_speech_over_a_rooms_floor_is_found_like_speech_close_to_the_mic(
    speech: SpeechMaker,
) -> None:
    words = speech.samples("Please bring the latest sales figures and the new contract.")
    floor = pink_noise(len(words), np.random.default_rng(7)) * 10.0 ** (-55 / 20)

    def speech_windows(voice_db: float) -> int:
        """The 32 ms windows Silero is sure of (its own 0.5) with the voice ``voice_db`` softer."""
        detector = SpeechDetector(presence_threshold=0.5)
        detector.push((words * 10.0 ** (voice_db / 20) + floor).astype(np.float32))
        return sum(
            detector.has_speech(start, start + WINDOW_SAMPLES, min_ms=30)
            for start in range(0, detector.scored_samples, WINDOW_SAMPLES)
        )

    close, far = speech_windows(0.0), speech_windows(-30.0)  # far: 30 dB softer
    assert far >= 0.95 * close, (far, close)
