"""A ``sounddevice``-like module with one microphone that replays a recording in real time.

The responsiveness benchmark drives the real app with it where there is no
microphone (or to be repeatable): the input stream calls back from its own
thread with blocks of the recording at the pace a microphone would, then
silence, exactly as MicSource expects of PortAudio.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

_RATE = 16_000


class PortAudioError(Exception):
    """Raised like sounddevice's for an unknown device or an unsupported rate."""


class _Default:
    def __init__(self) -> None:
        self.device = [0, -1]


class _Status:
    """The callback's ``status``: never an overflow here."""

    input_overflow = False

    def __bool__(self) -> bool:
        return False


class ReplayDevice:
    """Module-like stand-in for sounddevice: one 16 kHz mono input that plays ``audio``."""

    PortAudioError = PortAudioError
    default = _Default()

    def __init__(self, audio: npt.NDArray[np.float32]) -> None:
        self.audio = audio.astype(np.float32)
        self._device = {
            "name": "Replayed recording",
            "hostapi": 0,
            "max_input_channels": 1,
            "max_output_channels": 0,
            "default_samplerate": float(_RATE),
        }

    def query_devices(self, device: int | None = None, kind: str | None = None) -> Any:
        """The device list, or the one device's description."""
        if device is None and kind is None:
            return [self._device]
        if device not in (None, 0):
            raise PortAudioError(f"Error querying device {device}")
        return self._device

    def check_input_settings(self, **settings: Any) -> None:
        """Only 16 kHz mono opens."""
        if int(settings.get("samplerate") or _RATE) != _RATE or (settings.get("channels") or 1) > 1:
            raise PortAudioError("Invalid settings")

    def InputStream(self, **settings: Any) -> _ReplayStream:  # noqa: N802 - sounddevice's name
        """A stream that plays the recording once started."""
        self.check_input_settings(**settings)
        return _ReplayStream(self.audio, settings["blocksize"], settings["callback"])


class _ReplayStream:
    def __init__(
        self,
        audio: npt.NDArray[np.float32],
        blocksize: int,
        callback: Callable[[Any, int, Any, Any], None],
    ) -> None:
        self._audio = audio
        self._blocksize = blocksize or 1600
        self._callback = callback
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._play, name="replay-portaudio", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    abort = stop

    def close(self) -> None:
        self.stop()

    def _play(self) -> None:
        indata = np.zeros((self._blocksize, 1), np.float32)  # reused, like PortAudio's
        offset = 0
        # Real-time pacing: one block per block duration, stoppable at any time.
        while not self._stop.wait(self._blocksize / _RATE):
            block = self._audio[offset : offset + self._blocksize]
            indata.fill(0.0)
            indata[: len(block), 0] = block
            offset += self._blocksize
            self._callback(indata, self._blocksize, None, _Status())
