"""Audio from a device that cannot record at 16 kHz, resampled outside the audio callback.

PortAudio's callback copies the device-rate blocks into :attr:`DeviceRateResampler.raw`;
the microphone's supervisor thread calls :meth:`DeviceRateResampler.drain`, which turns
what arrived into 16 kHz audio with PyAV and writes it to the capture ring.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.ring_buffer import RingBuffer

log = logging.getLogger(__name__)

_RAW_RING_SECONDS = 5.0  # device-rate audio waiting to be resampled


class DeviceRateResampler:
    """Resamples one stream's device-rate audio into a 16 kHz ring.

    Args:
        rate: the device's own sample rate.
        ring: the 16 kHz ring the audio goes to.
        on_block: called after new audio is in ``ring`` (wakes its reader).
    """

    def __init__(
        self, rate: int, ring: RingBuffer, on_block: Callable[[], None] | None = None
    ) -> None:
        import av

        self.raw = RingBuffer(_RAW_RING_SECONDS, sample_rate=rate)
        self._position = 0
        self._ring = ring
        self._on_block = on_block
        self._resampler: Any = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def drain(self, *, flush: bool = False) -> None:
        """Resample what the callback wrote since the last call; ``flush`` at the stream's end.

        After a flush the resampler is spent: later calls do nothing.
        """
        if self._resampler is None:
            return
        import av

        read = self.raw.read_since(self._position)
        self._position = read.end
        if read.lost:
            log.warning("resampling fell behind: %d device samples lost", read.lost)
        frames = []
        if len(read.samples):
            frame = av.AudioFrame.from_ndarray(
                read.samples.reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate = self.raw.sample_rate
            frames = self._resampler.resample(frame)
        if flush:
            frames += self._resampler.resample(None)
            self._resampler = None
        for out in frames:
            self._ring.write(out.to_ndarray()[0])
        if frames and self._on_block is not None:
            self._on_block()
