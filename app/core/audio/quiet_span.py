"""The microphone's quiet span: device frames written as silence instead of what was heard.

Saytype's own start cue is played while the microphone listens; these frames
are where it would be heard. The audio callback calls :meth:`QuietSpan.write`
for every block, so it only copies: the silence is allocated once, here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.core.audio.ring_buffer import RingBuffer

_SILENCE_FRAMES = 8192  # zeros written a slice at a time


class QuietSpan:
    """Device frames ``start`` (included) to ``end`` (excluded) of one stream; empty at first."""

    def __init__(self) -> None:
        self._span = (0, 0)  # one tuple, so the callback never sees half a change
        self._silence = np.zeros(_SILENCE_FRAMES, dtype=np.float32)

    def set(self, start: int, end: int) -> None:
        """Make frames ``start``..``end`` silent (a new span replaces the old one)."""
        self._span = (start, end)

    def clear(self) -> None:
        """Nothing is silent (a new stream counts its frames from 0)."""
        self._span = (0, 0)

    def write(self, ring: RingBuffer, block: Any, first_frame: int) -> None:
        """Real-time thread: write ``block`` (frames from ``first_frame``), the span as zeros."""
        start, end = (frame - first_frame for frame in self._span)
        if end <= 0 or start >= len(block):
            ring.write(block)
            return
        start, end = max(0, start), min(len(block), end)
        ring.write(block[:start])
        while start < end:
            step = min(end - start, len(self._silence))
            ring.write(self._silence[:step])
            start += step
        ring.write(block[end:])
