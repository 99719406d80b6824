"""The app's microphone: the ring buffer, the MicSource that fills it, and Qt-side errors.

MicSource reports failures on its supervisor thread; this wrapper turns them
into a queued ``failed`` signal so the controller handles them in the GUI
thread. The level meter reads the newest samples from the ring (a GUI timer
polls :meth:`level_dbfs`), so the audio callback stays a plain copy.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.core.audio.mic_devices import MicError
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer

log = logging.getLogger(__name__)

_RING_SECONDS = 180.0
_LEVEL_WINDOW_S = 0.05
SILENCE_DBFS = -60.0


class Microphone(QObject):
    """Owns the capture ring and the input stream.

    Args:
        device: input device name ("" or None: the system default).
        backend: the sounddevice module or a fake (tests).
    """

    failed = Signal(str)
    opened = Signal()  # capture started (the device name is known from here on)

    def __init__(
        self, device: str | None = None, backend: Any = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ring = RingBuffer(capacity_seconds=_RING_SECONDS)
        self.new_audio = threading.Event()
        self._backend = backend
        self._source = self._make_source(device or None)

    def _make_source(self, device: str | None) -> MicSource:
        return MicSource(
            self.ring,
            device=device,
            backend=self._backend,
            on_block=self.new_audio.set,
            on_error=self._report,
        )

    @property
    def is_open(self) -> bool:
        """Whether the stream is capturing."""
        return self._source.is_running

    @property
    def device_name(self) -> str | None:
        """The name of the device in use, once opened."""
        return self._source.device_name

    def open(self) -> str | None:
        """Start capturing (no-op when already open); returns an error message or None."""
        if self._source.is_running:
            return None
        try:
            self._source.start()
        except MicError as exc:
            return str(exc)
        self.opened.emit()
        return None

    def close(self) -> None:
        """Stop capturing; the audio so far stays in the ring."""
        self._source.stop()

    def set_device(self, device: str | None) -> str | None:
        """Switch to another input device; reopens it when it was open."""
        was_open = self.is_open
        self._source.stop()
        self._source = self._make_source(device or None)
        return self.open() if was_open else None

    def level_dbfs(self) -> float:
        """Loudness of the newest 50 ms in dBFS (SILENCE_DBFS when closed or silent)."""
        if not self.is_open:
            return SILENCE_DBFS
        start = self.ring.position_before(_LEVEL_WINDOW_S)
        samples = self.ring.read_since(start).samples
        if len(samples) == 0:
            return SILENCE_DBFS
        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
        return max(SILENCE_DBFS, 20.0 * float(np.log10(max(rms, 1e-9))))

    def _report(self, message: str) -> None:
        # Supervisor thread: a signal is the only thing done here (queued to the GUI).
        self.failed.emit(message)
