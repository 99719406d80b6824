"""Incremental voice activity detection with the Silero VAD that faster-whisper bundles.

Live passes skip audio without speech, so silence never reaches the decoder
(which would otherwise invent "Thank you."). Probabilities are computed once per
32 ms window as audio arrives, not re-computed over the whole buffer per pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray

WINDOW_SAMPLES = 512  # Silero's frame at 16 kHz (32 ms)
# A short stressed syllable lasts about 100 ms; Silero's upstream 250 ms is for segments,
# and scored in 32 ms steps as audio arrives, "six" alone is at 0.5 for 160 ms.
CLEAR_SPEECH_MS = 100
# Silero is level-sensitive: with the voice 20 dB softer (far from the microphone), a fifth
# as many of its windows pass the presence bar, and the words never reach a pass (decision
# 0035). Soft input is raised, never lowered, until the loudest 32 ms heard so far is at a
# close microphone's speaking level; by at most 20 dB, so a room's hiss stays hiss.
SPEAKING_LEVEL_DBFS = -20.0
MAX_LEVEL_GAIN = 10.0


def release_vad_model() -> None:
    """Forget faster-whisper's cached Silero session, so an idle unload frees it too.

    Detectors still in use keep their own reference; the next new detector loads
    a fresh session (tens of milliseconds).
    """
    from app.core.engine import whisper_internals

    whisper_internals.release_silero_vad_model()


class SpeechDetector:
    """Keeps a speech probability for every 32 ms of the audio pushed so far.

    Args:
        model: a callable mapping a 1-D float32 array (a multiple of 512 samples)
            to one probability per 512 samples; defaults to faster-whisper's Silero.
        threshold: probability above which a window counts as speech when
            looking for pauses.
        presence_threshold: lower bar for "is there any speech at all", so
            that whispered words still reach the decoder (whose no-speech
            probability is the second gate).
    """

    def __init__(
        self, model: Any = None, threshold: float = 0.5, presence_threshold: float = 0.3
    ) -> None:
        if model is None:
            from app.core.engine import whisper_internals

            model = whisper_internals.silero_vad_model()
        self._model = model
        self.threshold = threshold
        self.presence_threshold = presence_threshold
        self._pending = np.zeros(0, dtype=np.float32)
        self._previous_window = np.zeros(WINDOW_SAMPLES, dtype=np.float32)
        self._probs: list[float] = []
        self._first = 0  # window index of _probs[0]; older windows were forgotten
        self._loudest_rms = 0.0  # of any 32 ms window pushed so far

    def push(self, samples: AudioArray) -> None:
        """Score every complete 32 ms window of the new audio."""
        self._pending = np.concatenate([self._pending, samples])
        complete = len(self._pending) // WINDOW_SAMPLES * WINDOW_SAMPLES
        if complete == 0:
            return
        fresh = self._pending[:complete]
        self._pending = self._pending[complete:]
        # The window before gives Silero its context; its own score is dropped.
        scored = np.asarray(self._model(self._level_raised(self._previous_window, fresh)))
        self._probs.extend(float(p) for p in scored[1:])
        self._previous_window = fresh[-WINDOW_SAMPLES:].copy()

    @property
    def level_gain(self) -> float:
        """The factor Silero's input is raised by now (1: the audio is loud enough as it is)."""
        wanted = 10.0 ** (SPEAKING_LEVEL_DBFS / 20.0) / max(self._loudest_rms, 1e-9)
        return float(min(MAX_LEVEL_GAIN, max(1.0, wanted)))

    def _level_raised(self, context: AudioArray, fresh: AudioArray) -> AudioArray:
        """``context`` then ``fresh`` as Silero should hear them (``fresh`` counts in the level)."""
        windows = fresh.reshape(-1, WINDOW_SAMPLES).astype(np.float64)
        loudest = float(np.sqrt(np.square(windows).mean(axis=1)).max())
        self._loudest_rms = max(self._loudest_rms, loudest)
        audio = np.concatenate([context, fresh])
        gain = self.level_gain
        if gain == 1.0:
            return audio
        return np.clip(audio * gain, -1.0, 1.0).astype(np.float32)

    @property
    def scored_samples(self) -> int:
        """How many samples (from the first push) have a probability."""
        return (self._first + len(self._probs)) * WINDOW_SAMPLES

    def forget_before(self, sample: int) -> None:
        """Drop probabilities of audio before ``sample``; a long dictation stays bounded."""
        drop = min(len(self._probs), sample // WINDOW_SAMPLES - self._first)
        if drop > 0:
            del self._probs[:drop]
            self._first += drop

    def _prob(self, window: int) -> float:
        return self._probs[window - self._first]

    def has_speech(
        self, start_sample: int, end_sample: int | None = None, min_ms: int = 60
    ) -> bool:
        """Whether ``[start_sample, end_sample)`` holds at least ``min_ms`` of speech."""
        windows = self._present_windows(start_sample, end_sample)
        return windows * WINDOW_SAMPLES >= min_ms * SAMPLE_RATE // 1000

    def speech_seconds(self, start_sample: int, end_sample: int) -> float:
        """Seconds of ``[start_sample, end_sample)`` at the presence bar (whole windows)."""
        return self._present_windows(start_sample, end_sample) * WINDOW_SAMPLES / SAMPLE_RATE

    def _present_windows(self, start_sample: int, end_sample: int | None) -> int:
        """Windows at the presence bar in ``[start_sample, end_sample)`` (None: to the end)."""
        end_window = self._first + len(self._probs)
        first = max(self._first, start_sample // WINDOW_SAMPLES)
        last = (
            end_window if end_sample is None else min(end_window, -(-end_sample // WINDOW_SAMPLES))
        )
        return sum(1 for w in range(first, last) if self._prob(w) >= self.presence_threshold)

    def has_clear_speech(self, start_sample: int, end_sample: int) -> bool:
        """Whether ``[start_sample, end_sample)`` holds speech Silero is sure of.

        At least :data:`CLEAR_SPEECH_MS` of windows at Silero's own 0.5 threshold:
        a word that short is still clear speech, while breaths and room noise that
        pass the lower presence bar are not.
        """
        end_window = self._first + len(self._probs)
        first = max(self._first, start_sample // WINDOW_SAMPLES)
        last = min(end_window, -(-end_sample // WINDOW_SAMPLES))
        windows = sum(1 for w in range(first, last) if self._prob(w) >= self.threshold)
        return windows * WINDOW_SAMPLES >= CLEAR_SPEECH_MS * SAMPLE_RATE // 1000

    def speech_span(self, start_sample: int, end_sample: int) -> tuple[int, int] | None:
        """First and last sample of the windows at the presence bar in ``[start, end)``.

        None when no window there reaches it. The lower bar, so that a soft word at
        either end still counts.
        """
        end_window = self._first + len(self._probs)
        first = max(self._first, start_sample // WINDOW_SAMPLES)
        last = min(end_window, -(-end_sample // WINDOW_SAMPLES))
        speech = [w for w in range(first, last) if self._prob(w) >= self.presence_threshold]
        if not speech:
            return None
        return speech[0] * WINDOW_SAMPLES, (speech[-1] + 1) * WINDOW_SAMPLES

    def speech_stretches(self) -> list[tuple[int, int]]:
        """First and end sample of each run of windows at the presence bar, in order."""
        stretches: list[tuple[int, int]] = []
        start: int | None = None
        for index, prob in enumerate(self._probs, start=self._first):
            if prob >= self.presence_threshold and start is None:
                start = index
            elif prob < self.presence_threshold and start is not None:
                stretches.append((start * WINDOW_SAMPLES, index * WINDOW_SAMPLES))
                start = None
        if start is not None:
            stretches.append((start * WINDOW_SAMPLES, self.scored_samples))
        return stretches

    def speech_onsets(self) -> list[int]:
        """Sample indices where speech begins (a window at the presence bar after one below it)."""
        onsets: list[int] = []
        before = self._first > 0  # speech under way where the forgotten audio ended began there
        for index, prob in enumerate(self._probs, start=self._first):
            speech = prob >= self.presence_threshold
            if speech and not before:
                onsets.append(index * WINDOW_SAMPLES)
            before = speech
        return onsets

    def first_pause(
        self,
        start_sample: int,
        end_sample: int,
        min_ms: int = 250,
        *,
        early: bool = False,
        since: int | None = None,
    ) -> int | None:
        """Middle of the first pause of at least ``min_ms`` that begins in ``[start, end]``.

        Cutting audio in a pause never splits a word. ``early`` gives a point one
        window into the pause instead: a short gap between words may end in the
        next word's quiet onset, which a cut must not clip. With ``since``, a pause
        already under way at ``start`` counts from where it began, but not from
        before ``since``.
        """
        end_window = self._first + len(self._probs)
        index = max(self._first, start_sample // WINDOW_SAMPLES)
        if since is not None and index < end_window and self._prob(index) < self.threshold:
            floor = max(self._first, since // WINDOW_SAMPLES)
            while index > floor and self._prob(index - 1) < self.threshold:
                index -= 1
        last_start = min(end_sample // WINDOW_SAMPLES, end_window - 1)
        needed = max(1, -(-min_ms * SAMPLE_RATE // 1000) // WINDOW_SAMPLES)
        while index <= last_start:
            if self._prob(index) >= self.threshold:
                index += 1
                continue
            run_end = index
            while run_end < end_window and self._prob(run_end) < self.threshold:
                run_end += 1
            if run_end - index >= needed:
                return (index + 1 if early else (index + run_end) // 2) * WINDOW_SAMPLES
            index = run_end
        return None
