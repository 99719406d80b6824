"""Sound cues: a short tone when a dictation starts, stops, is cancelled or fails.

The tones are WAV files in ``resources/sounds`` (made by ``make_cues.py`` there,
CC0). They are played through sounddevice on an output stream of their own,
opened in a lane thread for each cue, so the GUI thread never waits for the
sound server and the microphone's input stream is never touched. The start
cue plays while the microphone already listens and is not cut out of what it
hears: silencing the microphone while the cue might sound cost the words of
anyone who speaks at once, and tiny.en hears no words in the tone (decision 0015).
"""

from __future__ import annotations

import logging
import wave
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.core.audio.mic_devices import PORTAUDIO_STREAMS, load_backend
from app.core.paths import bundled_resources
from app.core.task_lane import TaskLane

log = logging.getLogger(__name__)

CUE_NAMES = ("start", "stop", "cancel", "error")


def bundled_sounds_dir() -> Path:
    """The folder of the cues that come with Saytype (:func:`bundled_resources`)."""
    return bundled_resources("sounds")


def read_cue(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """A 16-bit mono WAV's samples as float32 in -1..1, and its sample rate.

    Raises:
        ValueError: the file is not a 16-bit mono WAV (a sentence naming it).
    """
    try:
        with wave.open(str(path), "rb") as source:
            if source.getnchannels() != 1 or source.getsampwidth() != 2:
                raise ValueError(f"{path} is not a 16-bit mono WAV file")
            frames = source.readframes(source.getnframes())
            rate = source.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"{path} cannot be read as a WAV file ({exc})") from exc
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return samples, rate


def cue_for_change(old: str, new: str) -> str | None:
    """The cue for a dictation moving from state ``old`` to ``new`` (DictationState values).

    Listening starts; leaving it for the final stops; back to idle before the
    final was delivered is a cancel; the error state is an error.
    """
    if new == "listening":
        return "start"
    if old == "listening" and new in {"finishing", "delivering"}:
        return "stop"
    if old in {"listening", "finishing"} and new == "idle":
        return "cancel"
    if new == "error":
        return "error"
    return None


class CuePlayer:
    """Plays the cues of one folder without blocking the caller.

    Args:
        folder: holds ``start.wav``, ``stop.wav``, ``cancel.wav`` and ``error.wav``;
            a missing or broken one is logged once and stays silent.
        backend: the sounddevice module or a stand-in (imported when first needed).
        lane: where the cues play, one after another; a lane of its own by default.
    """

    def __init__(self, folder: Path, backend: Any = None, lane: Executor | None = None) -> None:
        self._backend = backend
        self._lane = lane or TaskLane("sound-cues")
        self._cues: dict[str, tuple[npt.NDArray[np.float32], int]] = {}
        for name in CUE_NAMES:
            try:
                self._cues[name] = read_cue(folder / f"{name}.wav")
            except ValueError as exc:
                log.warning("the %s cue stays silent: %s", name, exc)
        self._failed = False
        self._closed = False

    def close_and_wait(self, timeout_s: float = 2.0) -> bool:
        """Play no more cues and wait (at most ``timeout_s``) for the one playing; for quitting.

        A cue still writing to its stream while the process exits aborts it inside
        libpulse (a stream freed under the writer). Returns False when one still played.
        """
        self._closed = True
        lane = self._lane
        return lane.wait_idle(timeout_s) if isinstance(lane, TaskLane) else True

    def duration_s(self, name: str) -> float:
        """How long the cue ``name`` sounds (0 for one that stays silent)."""
        samples, rate = self._cues.get(name, (np.zeros(0, np.float32), 1))
        return len(samples) / rate

    def play(
        self,
        name: str,
        volume_percent: int,
    ) -> Future[None] | None:
        """Start playing the cue ``name`` at ``volume_percent`` (0-100); returns at once.

        Args:
            name: one of :data:`CUE_NAMES`.
            volume_percent: 0 plays nothing.
        """
        if self._closed or name not in self._cues or volume_percent <= 0:
            return None
        samples, rate = self._cues[name]
        scaled = samples * (min(volume_percent, 100) / 100.0)
        return self._lane.submit(self._play, scaled, rate)

    def _play(
        self,
        samples: npt.NDArray[np.float32],
        rate: int,
    ) -> None:
        """Lane thread: open an output stream, write the cue, wait until it has played."""
        try:
            backend = load_backend(self._backend)
            with (
                PORTAUDIO_STREAMS,  # a device rescan must not free the stream under us
                backend.OutputStream(
                    samplerate=rate, channels=1, dtype="float32", latency="low"
                ) as stream,
            ):
                stream.write(samples.reshape(-1, 1))
        except Exception as exc:  # sounddevice.PortAudioError, MicError, OSError…
            # No speakers, or a sound server that went away: cues are a nicety, not an error.
            if not self._failed:
                log.info("sound cues cannot play: %s", exc)
            self._failed = True
            return
        self._failed = False
