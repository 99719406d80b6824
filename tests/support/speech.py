"""Natural-sounding test speech from hibari-tts (its default voice ships in the wheel).

tiny.en hears hibari at about 0 % WER on everyday sentences, where espeak-ng's
robotic voice costs ~11 %, so model tests measure the engine, not the voice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.core.audio.wav_file import write_wav


class SpeechMaker:
    """Synthesises sentences to 16-bit mono WAV files at hibari's 24 kHz."""

    def __init__(self) -> None:
        from hibari import Hibari

        self._tts = Hibari()  # default voice "heart": in the wheel, no download
        self.sample_rate: int = int(self._tts.sample_rate)

    def samples(self, text: str, pause_s: float = 0.0) -> npt.NDArray[np.float32]:
        """Float32 samples of ``text`` (seeded, so reruns give the same audio)."""
        audio = np.asarray(self._tts(text, seed=0), dtype=np.float32)
        if pause_s > 0:
            audio = np.concatenate([audio, np.zeros(int(pause_s * self.sample_rate), np.float32)])
        return audio

    def wav(self, texts: list[str] | str, path: Path, pause_s: float = 0.6) -> Path:
        """Write the sentences, each followed by ``pause_s`` of silence, to ``path``."""
        items = [texts] if isinstance(texts, str) else texts
        audio = np.concatenate([self.samples(text, pause_s) for text in items])
        write_wav(path, audio, self.sample_rate)
        return path
