"""A stand-in for the ``sounddevice`` module: one fake microphone that plays given audio.

Like Buzz's ``tests/mock_sounddevice.py``, the input stream plays a float32
array into the callback in blocks from a background thread, so MicSource runs
exactly as it would on PortAudio's thread. It can also pretend that the device
lacks 16 kHz (only its default rate opens), that there are no devices, and
that the device is unplugged or stalls once the audio has been played.

The callback gets the same reused ``indata`` buffer every block, as PortAudio's
does, so code that keeps a reference instead of copying sees its data change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

AfterAudio = Literal["silence", "stall", "unplug"]


class PortAudioError(Exception):
    """Raised like sounddevice's for unsupported settings and unknown devices."""


@dataclass
class CallbackFlags:
    """The ``status`` argument of the callback."""

    input_overflow: bool = False

    def __bool__(self) -> bool:
        return self.input_overflow


@dataclass
class _Default:
    device: list[int] = field(default_factory=lambda: [-1, -1])


def fake_device(
    name: str = "Fake Microphone", samplerate: int = 16_000, inputs: int = 1
) -> dict[str, Any]:
    """A device description shaped like one entry of ``sounddevice.query_devices()``."""
    return {
        "name": name,
        "hostapi": 0,
        "max_input_channels": inputs,
        "max_output_channels": 0 if inputs else 2,
        "default_samplerate": float(samplerate),
    }


class FakeSoundDevice:
    """Module-like fake of sounddevice.

    Args:
        audio: float32 mono samples the microphone "hears", at ``samplerate``.
        samplerate: the first device's default rate.
        supported_rates: rates the devices open at besides their default rate;
            default: only ``samplerate`` (so ``samplerate=48_000`` means "no 16 kHz").
        devices: the device list; default: one input device at ``samplerate``.
        after_audio: what the device does once ``audio`` has been played:
            keep sending silence at real-time pace (times ``silence_pace``), stall
            (no more callbacks), or unplug (the stream ends and ``finished_callback`` fires).
        overflow_blocks: block numbers flagged as input overflow.
        open_error: when set, opening a stream raises PortAudioError with this text
            (a busy or broken device).
        realtime: play ``audio`` at real-time pace (default: as fast as possible).
        adc_lag_s: when set, callbacks carry ADC times, each block heard this long
            before it is handed over, on the stream clock ``clock`` (as PortAudio's
            host buffers do); default: no times, as some drivers give none.
        clock: the stream clock (``stream.time``) in seconds.
        silence_pace: how many times faster than real time the silence after ``audio``
            comes (a device with a fast clock: for a scripted model that hears a word
            per pass, whatever the audio, so its tests need not wait a second per second).
    """

    PortAudioError = PortAudioError
    CallbackFlags = CallbackFlags

    def __init__(
        self,
        audio: npt.NDArray[np.float32] | None = None,
        *,
        samplerate: int = 16_000,
        supported_rates: Collection[int] | None = None,
        devices: Sequence[dict[str, Any]] | None = None,
        after_audio: AfterAudio = "silence",
        overflow_blocks: Collection[int] = (),
        open_error: str | None = None,
        realtime: bool = False,
        adc_lag_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        silence_pace: float = 1.0,
    ) -> None:
        self.silence_pace = silence_pace
        self.adc_lag_s = adc_lag_s
        self.clock = clock
        self.audio = np.zeros(0, np.float32) if audio is None else audio.astype(np.float32)
        self.devices = [fake_device(samplerate=samplerate)] if devices is None else list(devices)
        self.supported_rates = {samplerate} if supported_rates is None else set(supported_rates)
        self.after_audio: AfterAudio = after_audio
        self.overflow_blocks = set(overflow_blocks)
        self.open_error = open_error
        self.realtime = realtime
        inputs = [i for i, d in enumerate(self.devices) if d["max_input_channels"] > 0]
        self.default = _Default([inputs[0] if inputs else -1, -1])
        self.streams: list[FakeInputStream] = []
        self.stream_opened = threading.Event()
        # (call, thread) for each call into "PortAudio": which thread opened and closed.
        self.calls: list[tuple[str, threading.Thread]] = []

    def record(self, call: str) -> None:
        """Note that ``call`` ran, and on which thread."""
        self.calls.append((call, threading.current_thread()))

    @classmethod
    def without_devices(cls) -> FakeSoundDevice:
        """A machine with no audio devices at all."""
        return cls(devices=[])

    def query_devices(self, device: int | None = None, kind: str | None = None) -> Any:
        """The device list, or one device's description."""
        self.record("query_devices")
        if device is None and kind is None:
            return list(self.devices)
        index = self.default.device[0] if device is None else device
        if not 0 <= index < len(self.devices):
            raise PortAudioError(f"Error querying device {index}")
        return self.devices[index]

    def check_input_settings(
        self,
        device: int | None = None,
        channels: int | None = None,
        dtype: str | None = None,
        extra_settings: Any = None,
        samplerate: float | None = None,
    ) -> None:
        """Raise PortAudioError unless the rate is one the device supports."""
        info = self.query_devices(device)
        if channels is not None and channels > info["max_input_channels"]:
            raise PortAudioError("Invalid number of channels [PaErrorCode -9998]")
        if samplerate is not None and int(samplerate) not in self._rates(info):
            raise PortAudioError("Invalid sample rate [PaErrorCode -9997]")

    def InputStream(self, **kwargs: Any) -> FakeInputStream:  # noqa: N802 - sounddevice's name
        """Open a stream; it plays ``audio`` once started."""
        self.record("open")
        info = self.query_devices(kwargs.get("device"))
        if self.open_error is not None:
            raise PortAudioError(f"Error opening InputStream: {self.open_error}")
        if int(kwargs["samplerate"]) not in self._rates(info):
            raise PortAudioError("Invalid sample rate [PaErrorCode -9997]")
        stream = FakeInputStream(self, **kwargs)
        self.streams.append(stream)
        self.stream_opened.set()
        return stream

    def _rates(self, info: dict[str, Any]) -> set[int]:
        return {int(info["default_samplerate"]), *self.supported_rates}


class FakeInputStream:
    """Plays the fake device's audio into ``callback`` from a thread, block by block."""

    def __init__(
        self,
        owner: FakeSoundDevice,
        *,
        samplerate: float,
        blocksize: int,
        callback: Callable[[Any, int, Any, Any], None],
        finished_callback: Callable[[], None] | None = None,
        device: int | None = None,
        channels: int = 1,
        **_settings: Any,
    ) -> None:
        self.samplerate = samplerate
        self.blocksize = blocksize
        self.channels = channels
        self.device = device
        self._owner = owner
        self._callback = callback
        self._finished_callback = finished_callback
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._finished_lock = threading.Lock()
        self.finished_called = False
        self.closed = False
        self.played = threading.Event()  # every sample of the audio has been delivered
        self.stalled = threading.Event()  # after_audio == "stall" and no more callbacks come
        self.blocks_delivered = 0

    @property
    def active(self) -> bool:
        """Whether callbacks are still coming."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Begin calling back from a background thread."""
        self._thread = threading.Thread(target=self._play, name="fake-portaudio", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop calling back; ``finished_callback`` fires, as with PortAudio."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._finish()

    abort = stop

    def close(self) -> None:
        """Stop and release the stream."""
        self._owner.record("close")
        self.stop()
        self.closed = True

    def _play(self) -> None:
        audio = self._owner.audio
        indata = np.zeros((self.blocksize, self.channels), np.float32)  # reused, like PortAudio's
        for offset in range(0, len(audio), self.blocksize):
            if self._stop.is_set():
                return
            block = audio[offset : offset + self.blocksize]
            indata.fill(0.0)
            indata[: len(block), 0] = block
            self._deliver(indata)
            if self._owner.realtime and self._stop.wait(self.blocksize / self.samplerate):
                return  # paced like a real microphone, and still stoppable
        self.played.set()
        mode = self._owner.after_audio
        if mode == "unplug":
            self._finish()
        elif mode == "stall":
            self.stalled.set()
        else:
            indata.fill(0.0)
            pause = self.blocksize / self.samplerate / self._owner.silence_pace
            while not self._stop.wait(pause):  # real-time pace, or silence_pace times it
                self._deliver(indata)

    @property
    def time(self) -> float:
        """The stream clock, as ``sounddevice.InputStream.time``."""
        return self._owner.clock()

    def _deliver(self, indata: npt.NDArray[np.float32]) -> None:
        overflow = self.blocks_delivered in self._owner.overflow_blocks
        times = None
        lag = self._owner.adc_lag_s
        if lag is not None:  # the block's first sample was heard this long before now
            heard = self._owner.clock() - lag - self.blocksize / self.samplerate
            times = SimpleNamespace(inputBufferAdcTime=heard, currentTime=self._owner.clock())
        self._callback(indata, self.blocksize, times, CallbackFlags(input_overflow=overflow))
        self.blocks_delivered += 1

    def _finish(self) -> None:
        with self._finished_lock:
            if self.finished_called:
                return
            self.finished_called = True
        if self._finished_callback is not None:
            self._finished_callback()
