"""Segments heard where nothing new was said, in a file window of real (hibari) speech.

Silero runs for real; the model's no-speech probability is given, as faster-whisper
reports it for each 30 s clip it decodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileReader
from app.core.engine.heard_in_silence import SilentWindowCheck
from tests.support.speech import SpeechMaker

LEAD_S = 1.0
TAIL_S = 1.5


@dataclass(frozen=True)
class Window:
    samples: AudioArray
    speech_end_s: float  # where the sentence ends, seconds into the window


@pytest.fixture(scope="module")
def window(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Window:
    """A second of silence, one sentence, then 1.5 s of silence (the end of a file)."""
    path = tmp_path_factory.mktemp("silence") / "sentence.wav"
    speech.wav(["My brother plays the guitar in a small jazz band."], path, pause_s=TAIL_S)
    sentence = np.concatenate(list(AudioFileReader(path).chunks()))
    samples = np.concatenate([np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32), sentence])
    return Window(samples, len(samples) / SAMPLE_RATE - TAIL_S)


def test_a_doubted_clip_holding_only_the_last_words_tail_is_silence(window: Window) -> None:
    # faster-whisper's segment times are coarse: the clip after the last sentence may
    # begin a little before the sentence really ends.
    tail_clip = window.speech_end_s - 0.2
    check = SilentWindowCheck(window.samples)
    assert check.heard_in_silence(0.55, tail_clip)
    assert check.heard_in_silence(0.99, window.speech_end_s + 0.5)


def test_a_clip_where_speech_begins_is_kept_however_doubted(window: Window) -> None:
    check = SilentWindowCheck(window.samples)
    assert not check.heard_in_silence(0.99, 0.0)  # the window's first clip holds the sentence
    assert not check.heard_in_silence(0.99, LEAD_S - 0.5)  # the sentence begins in it


def test_a_clip_the_model_hears_speech_in_is_kept(window: Window) -> None:
    check = SilentWindowCheck(window.samples)
    assert not check.heard_in_silence(0.45, window.speech_end_s - 0.2)


def test_a_window_without_speech_drops_what_the_model_doubts() -> None:
    check = SilentWindowCheck(np.zeros(5 * SAMPLE_RATE, np.float32))
    assert check.heard_in_silence(0.6, 0.0)
    assert not check.heard_in_silence(0.3, 0.0)  # the model is sure: a quiet speaker
