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
SAID = ["Chapter 8.", "My brother plays the guitar in a small jazz band."]


@dataclass(frozen=True)
class Window:
    samples: AudioArray
    speech_end_s: float  # where the sentence ends, seconds into the window


@pytest.fixture(scope="module")
def window(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Window:
    """A second of silence, one sentence, then 1.5 s of silence (the end of a file)."""
    path = tmp_path_factory.mktemp("silence") / "sentence.wav"
    speech.wav([SAID[-1]], path, pause_s=TAIL_S)
    sentence = np.concatenate(list(AudioFileReader(path).chunks()))
    samples = np.concatenate([np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32), sentence])
    return Window(samples, len(samples) / SAMPLE_RATE - TAIL_S)


def test_words_said_again_over_the_last_words_tail_are_an_echo(window: Window) -> None:
    # faster-whisper's segment times are coarse: the clip after the last sentence may
    # begin a little before the sentence really ends.
    tail_clip = window.speech_end_s - 0.2
    check = SilentWindowCheck(window.samples)
    assert check.echoes_prompt(0.55, tail_clip, " Chapter 8.", SAID)
    assert check.echoes_prompt(0.99, window.speech_end_s + 0.5, "jazz band", SAID)


def test_new_words_or_a_confident_model_or_speech_beginning_are_kept(window: Window) -> None:
    tail_clip = window.speech_end_s - 0.2
    check = SilentWindowCheck(window.samples)
    assert not check.echoes_prompt(0.84, tail_clip, " 1455.", SAID)  # a sentence's last word
    assert not check.echoes_prompt(0.45, tail_clip, " Chapter 8.", SAID)
    assert not check.echoes_prompt(0.99, LEAD_S - 0.5, " Chapter 8.", SAID)  # speech begins
    assert not check.echoes_prompt(0.99, 0.0, " Chapter 8.", SAID)  # the window's first clip
    assert not check.heard_in_silence(0.99)  # the window holds speech


def test_the_end_of_a_sentence_said_before_is_kept_where_it_is_spoken(window: Window) -> None:
    # A long file's last sentence ("... turn on the living room lamp?") said earlier in it
    # too, cut by a clip boundary: its tail was dropped as an echo of the prompt.
    check = SilentWindowCheck(window.samples)
    clip = LEAD_S + 1.5  # a clip that begins in the middle of the sentence
    tail = (clip, window.speech_end_s)
    assert not check.echoes_prompt(
        0.99, clip, " in a small jazz band.", SAID, (*tail, check.speech_span(*tail))
    )
    # The echo after the last words is timed over their tail and the silence after it.
    echo = (window.speech_end_s - 0.2, window.speech_end_s + 1.0)
    assert check.echoes_prompt(
        0.55, echo[0], " Chapter 8.", SAID, (*echo, check.speech_span(*echo))
    )


def test_a_window_without_speech_drops_what_the_model_doubts() -> None:
    check = SilentWindowCheck(np.zeros(5 * SAMPLE_RATE, np.float32))
    assert check.heard_in_silence(0.7)
    assert not check.heard_in_silence(0.3)  # the model is sure: a quiet speaker


def test_a_clip_of_silence_before_the_speech_drops_what_the_model_doubts(window: Window) -> None:
    # A file began with 30 s of silence: its first clip came back "You", kept because the
    # sentence later in the window counted as speech.
    samples = np.concatenate([np.zeros(30 * SAMPLE_RATE, np.float32), window.samples])
    check = SilentWindowCheck(samples)
    assert check.heard_in_silence(0.95, clip_start_s=0.0)  # the first clip: silence only
    assert not check.heard_in_silence(0.95, clip_start_s=30.0)  # the clip with the sentence
    assert not check.heard_in_silence(0.3, clip_start_s=0.0)  # the model is sure


def test_only_stretches_of_30_s_without_speech_are_left_out_of_the_clips(window: Window) -> None:
    def gap(seconds: float) -> AudioArray:
        return np.zeros(int(seconds * SAMPLE_RATE), np.float32)

    length = len(window.samples) / SAMPLE_RATE
    apart = SilentWindowCheck(np.concatenate([window.samples, gap(40.0), window.samples]))
    clips = apart.speech_clips()
    assert len(clips) == 4, clips  # two clips: the 40 s between them is not decoded
    second_starts = length + 40.0 + LEAD_S
    assert clips[0] == 0.0  # the words begin 1 s in: the clip begins 2 s before, or at 0
    assert window.speech_end_s < clips[1] <= window.speech_end_s + 2.0
    assert second_starts - 2.0 <= clips[2] < second_starts  # the pad before the words
    assert clips[3] == pytest.approx(second_starts - LEAD_S + length, abs=0.01)  # the end

    close = SilentWindowCheck(np.concatenate([window.samples, gap(20.0), window.samples]))
    assert len(close.speech_clips()) == 2  # a 20 s pause is heard as a pause, in one clip
    assert SilentWindowCheck(gap(60.0)).speech_clips() == []
    assert SilentWindowCheck(gap(10.0)).speech_clips() == [0.0, 10.0]  # too short to skip
    lead = SilentWindowCheck(np.concatenate([gap(20.0), window.samples, gap(40.0)]))
    assert lead.speech_clips()[0] == 0.0  # 20 s before the words: decoded as before
    assert lead.speech_clips()[1] < 20.0 + length + 2.0  # the 40 s after them is not
