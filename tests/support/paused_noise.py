"""A long file of loud noise "sentences" and silent pauses: where a cut must fall is known.

Noise has no quiet moment inside it, so a cut anywhere but a pause shows; no
speech synthesis is needed, so the tests that use it stay fast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.wav_file import write_wav

SENTENCE_S = 3.0
PAUSE_S = 0.6
SENTENCES = 10  # 36 s in all


def write_paused_noise(path: Path) -> AudioArray:
    """Write the file (16 kHz mono) to ``path``; its samples."""
    silence = np.zeros(int(PAUSE_S * SAMPLE_RATE), np.float32)
    parts = []
    for seed in range(SENTENCES):
        rng = np.random.default_rng(seed)
        parts += [(0.3 * rng.standard_normal(int(SENTENCE_S * SAMPLE_RATE))).astype(np.float32)]
        parts += [silence]
    audio = np.concatenate(parts)
    write_wav(path, audio, SAMPLE_RATE)
    return audio


def pause_spans() -> list[tuple[float, float]]:
    """Where the file is silent, in seconds."""
    period = SENTENCE_S + PAUSE_S
    return [(n * period + SENTENCE_S, (n + 1) * period) for n in range(SENTENCES)]
