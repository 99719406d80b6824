"""Recording conditions for the live benchmark: the corpus as a user's microphone would give it.

The corpora are trimmed close to the words and their silence is digital zero. People
press the key, take a breath, speak, pause, and let go, in rooms with a noise floor,
sometimes far from the microphone or on a headset that passes only telephone bands.
A constant tuned to clean, trimmed clips can fail under any of these, so the
benchmark can dictate the same words under each (``--condition``). Every transform is
seeded by the utterance's id, so runs compare word for word.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from saytype_bench.live_utterances import Utterance

CONDITIONS = ("clean", "desk", "quiet", "noisy", "phone")
CONDITION_HELP = (
    "clean: the recordings as they are; desk: 1 s before the words and 0.8 s after them, "
    "over a room's noise floor (-55 dBFS); quiet: desk with the voice 20 dB softer (far "
    "from the microphone); noisy: desk with background noise 15 dB below the voice; "
    "phone: desk through a 300-3400 Hz headset band"
)
LEAD_S = 1.0  # between the key press and the first word
TAIL_S = 0.8  # between the last word and the release
FLOOR_DBFS = -55.0
QUIET_DB = -20.0
NOISY_SNR_DB = 15.0
PHONE_BAND_HZ = (300.0, 3400.0)


def under_condition(utterance: Utterance, condition: str) -> Utterance:
    """The utterance as recorded under ``condition`` (one of :data:`CONDITIONS`).

    Raises:
        ValueError: an unknown condition.
    """
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
    if condition == "clean":
        return utterance
    rng = np.random.default_rng(zlib.crc32(f"{condition}:{utterance.utterance_id}".encode()))
    voice = utterance.audio.astype(np.float64)
    if condition == "quiet":
        voice = voice * _gain(QUIET_DB)
    if condition == "phone":
        voice = _band_limited(voice, *PHONE_BAND_HZ)
    lead = np.zeros(int(LEAD_S * SAMPLE_RATE))
    tail = np.zeros(int(TAIL_S * SAMPLE_RATE))
    audio = np.concatenate([lead, voice, tail])
    noise = pink_noise(len(audio), rng)
    if condition == "noisy":
        noise = noise * (_rms(voice) * _gain(-NOISY_SNR_DB))
    else:
        noise = noise * _gain(FLOOR_DBFS)
    mixed = np.clip(audio + noise, -1.0, 1.0).astype(np.float32)
    return replace(utterance, audio=mixed)


def _gain(decibels: float) -> float:
    return float(10.0 ** (decibels / 20.0))


def _rms(samples: AudioArray | np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0


def pink_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """Noise with RMS 1 whose power falls with frequency (1/f), as rooms and fans sound."""
    spectrum = np.fft.rfft(rng.standard_normal(length))
    frequencies = np.fft.rfftfreq(length, 1.0 / SAMPLE_RATE)
    spectrum[1:] /= np.sqrt(frequencies[1:])
    spectrum[0] = 0.0
    noise = np.fft.irfft(spectrum, n=length)
    return noise / max(_rms(noise), 1e-12)


def _band_limited(samples: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    spectrum = np.fft.rfft(samples)
    frequencies = np.fft.rfftfreq(len(samples), 1.0 / SAMPLE_RATE)
    spectrum[(frequencies < low_hz) | (frequencies > high_hz)] = 0.0
    return np.fft.irfft(spectrum, n=len(samples))
