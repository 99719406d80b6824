"""Writes Saytype's sound cues (start, stop, cancel, error) as short 16-bit mono WAVs.

    python resources/sounds/make_cues.py resources/sounds

Each cue is one or two soft bell-like notes (a sine with a quiet octave, a
5 ms fade-in and an exponential decay), 0.2 s or less, so it is heard but does
not get in the way of speaking. Rising notes start, falling notes stop, a
single low note cancels, and two low notes say something failed. Our own
work, dedicated to the public domain (CC0 1.0, see LICENSE.md).
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

RATE = 48000
PEAK = 0.45  # of full scale: the volume setting scales it further down

# name -> the notes: (frequency Hz, start s, length s)
CUES: dict[str, list[tuple[float, float, float]]] = {
    "start": [(659.26, 0.0, 0.09), (880.0, 0.07, 0.12)],  # E5 then A5: up
    "stop": [(880.0, 0.0, 0.09), (659.26, 0.07, 0.12)],  # A5 then E5: down
    "cancel": [(493.88, 0.0, 0.14)],  # B4 alone
    "error": [(392.0, 0.0, 0.1), (329.63, 0.09, 0.13)],  # G4 then E4: low, down
}


def note(frequency: float, length_s: float) -> np.ndarray:
    """One soft bell-like note."""
    t = np.arange(int(length_s * RATE)) / RATE
    tone = np.sin(2 * np.pi * frequency * t) + 0.25 * np.sin(4 * np.pi * frequency * t)
    envelope = np.minimum(1.0, t / 0.005) * np.exp(-t / (length_s / 4))
    return tone * envelope


def cue(notes: list[tuple[float, float, float]]) -> np.ndarray:
    """The notes mixed at their start times, scaled to :data:`PEAK`."""
    length = max(start + duration for _, start, duration in notes)
    out = np.zeros(int(length * RATE) + 1)
    for frequency, start, duration in notes:
        sound = note(frequency, duration)
        first = int(start * RATE)
        out[first : first + len(sound)] += sound
    return out / np.abs(out).max() * PEAK


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, notes in CUES.items():
        samples = (cue(notes) * 32767).astype("<i2")
        with wave.open(str(folder / f"{name}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(samples.tobytes())


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent))
