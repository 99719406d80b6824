"""The newest seconds of an utterance's audio, and where the live buffer was cut in them.

The live buffer forgets audio once its words are cut (:mod:`streaming_transcriber`),
which keeps passes short. The final may hear further back: this keeps just
enough audio, and the cut points in it, to start there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray


@dataclass(frozen=True)
class SpanStart:
    """Where a wider hearing can begin: a cut, or the start of the utterance."""

    sample: int  # absolute sample index
    words_before: int  # cut words heard before it


class RecentAudio:
    """Keeps the newest ``reach_s`` seconds of audio and the cuts made within them."""

    def __init__(self, reach_s: float) -> None:
        self._reach = int(reach_s * SAMPLE_RATE)
        self._chunks: list[AudioArray] = []
        self._start = 0  # absolute sample index of the first kept sample
        self._total = 0
        self._starts: list[SpanStart] = [SpanStart(0, 0)]

    def push(self, samples: AudioArray) -> None:
        """Append audio; forget what falls out of reach."""
        self._chunks.append(samples)
        self._total += len(samples)
        while self._chunks and self._total - (self._start + len(self._chunks[0])) >= self._reach:
            self._start += len(self._chunks.pop(0))
        self._starts = [s for s in self._starts if s.sample >= self._start]

    @property
    def kept_from(self) -> int:
        """The absolute sample the kept audio starts at."""
        return self._start

    def cut(self, sample: int, words_before: int) -> None:
        """The live buffer was cut at ``sample``, with ``words_before`` cut words before it."""
        self._starts.append(SpanStart(sample, words_before))

    def earliest_start(self, before: int) -> SpanStart | None:
        """The earliest cut (or utterance start) within reach before ``before``."""
        for start in self._starts:
            if start.sample < before and self._total - start.sample <= self._reach:
                return start
        return None

    def audio_from(self, sample: int) -> AudioArray:
        """The kept audio from absolute ``sample`` on (which must be within reach)."""
        if sample < self._start:
            raise ValueError("that audio is out of reach")
        joined = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        self._chunks = [joined]
        return joined[sample - self._start :]
