"""SpeechDetector bookkeeping with a scripted VAD model (one probability per 512 samples)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.core.audio.speech_detector import WINDOW_SAMPLES, SpeechDetector


class LoudnessVad:
    """Calls a 32 ms window speech when its samples are loud: a stand-in for Silero."""

    def __call__(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        windows = audio.reshape(-1, WINDOW_SAMPLES)
        return (np.abs(windows).mean(axis=1) > 0.1).astype(np.float32)


def pattern(*spans: tuple[bool, int]) -> npt.NDArray[np.float32]:
    """Concatenate (speech?, windows) spans into audio."""
    parts = [np.full(n * WINDOW_SAMPLES, 0.5 if loud else 0.0, np.float32) for loud, n in spans]
    return np.concatenate(parts)


def test_speech_is_found_where_it_is() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    detector.push(pattern((False, 20), (True, 10), (False, 20)))
    assert detector.scored_samples == 50 * WINDOW_SAMPLES
    assert detector.has_speech(0)
    assert not detector.has_speech(0, 20 * WINDOW_SAMPLES)
    assert not detector.has_speech(30 * WINDOW_SAMPLES)


def test_pushes_of_any_size_score_every_complete_window() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    audio = pattern((True, 7), (False, 9))
    for start in range(0, len(audio), 300):
        detector.push(audio[start : start + 300])
    assert detector.scored_samples == 16 * WINDOW_SAMPLES


def test_first_pause_is_the_middle_of_a_long_enough_silence() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    # speech, 3-window gap (96 ms, too short), speech, 12-window pause (384 ms), speech
    detector.push(pattern((True, 10), (False, 3), (True, 10), (False, 12), (True, 5)))
    pause = detector.first_pause(0, 40 * WINDOW_SAMPLES)
    assert pause == (23 + 35) // 2 * WINDOW_SAMPLES
    assert detector.first_pause(36 * WINDOW_SAMPLES, 40 * WINDOW_SAMPLES) is None


def test_a_short_gap_between_words_is_cut_early_so_the_next_onset_stays_whole() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    detector.push(pattern((True, 10), (False, 4), (True, 10)))  # a 128 ms gap
    assert detector.first_pause(0, 24 * WINDOW_SAMPLES) is None  # not a 250 ms pause
    gap = detector.first_pause(0, 24 * WINDOW_SAMPLES, min_ms=100, early=True)
    assert gap == 11 * WINDOW_SAMPLES  # one window into the gap, far from its end at 14


def test_a_pause_under_way_at_the_start_counts_from_where_it_began() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    detector.push(pattern((True, 10), (False, 10), (True, 10)))  # a 320 ms pause at 10-20
    start = 15 * WINDOW_SAMPLES  # a word's end, timed late, put the search mid-pause
    assert detector.first_pause(start, 30 * WINDOW_SAMPLES) is None  # only 160 ms left
    assert detector.first_pause(start, 30 * WINDOW_SAMPLES, since=0) == 15 * WINDOW_SAMPLES
    # ``since`` bounds the look back: from window 14 on, 192 ms is too short.
    assert detector.first_pause(start, 30 * WINDOW_SAMPLES, since=14 * WINDOW_SAMPLES) is None


def test_forgetting_old_audio_keeps_positions_absolute() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    detector.push(pattern((True, 10), (False, 12), (True, 10)))
    detector.forget_before(15 * WINDOW_SAMPLES)
    assert detector.scored_samples == 32 * WINDOW_SAMPLES
    assert not detector.has_speech(0, 22 * WINDOW_SAMPLES)  # the early speech is gone
    assert detector.has_speech(22 * WINDOW_SAMPLES)
    assert detector.first_pause(0, 30 * WINDOW_SAMPLES) == (15 + 22) // 2 * WINDOW_SAMPLES


def test_speech_onsets_are_where_speech_begins_in_absolute_samples() -> None:
    detector = SpeechDetector(model=LoudnessVad())
    detector.push(pattern((True, 5), (False, 10), (True, 3), (False, 2), (True, 4), (False, 1)))
    assert detector.speech_onsets() == [0, 15 * WINDOW_SAMPLES, 20 * WINDOW_SAMPLES]
    detector.forget_before(16 * WINDOW_SAMPLES)
    assert detector.speech_onsets() == [20 * WINDOW_SAMPLES]
