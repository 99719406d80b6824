"""Speech as a code a fake decoder reads back exactly.

Each word is a stretch of constant amplitude (its index in VOCABULARY), gaps
are silence, and the VAD calls loud windows speech. So buffer cuts, offsets and
prompts act on audio the way they do with the real model, while the "model"
stays exact (or as inexact as a test makes it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.speech_detector import WINDOW_SAMPLES, SpeechDetector
from app.core.engine.cancellation import Checkpoint
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.transcript import Segment
from app.core.engine.window_decoder import Hypothesis, Word

VOCABULARY = [f"w{index:02d}" for index in range(60)]
_BASE, _STEP = 0.2, 0.01


class LoudnessVad:
    """A window is speech when its samples are loud: a stand-in for Silero."""

    def __call__(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        windows = audio.reshape(-1, WINDOW_SAMPLES)
        return (np.abs(windows).mean(axis=1) > 0.1).astype(np.float32)


def speech(words: int, word_s: float = 0.3, gap_s: float = 0.16, first: int = 0) -> AudioArray:
    """``words`` coded words from VOCABULARY[first], each followed by a gap.

    The default gap is shorter than the 250 ms pause that audio is cut in.
    """
    parts = []
    for index in range(first, first + words):
        parts.append(np.full(int(word_s * SAMPLE_RATE), _BASE + _STEP * index, np.float32))
        parts.append(np.zeros(int(gap_s * SAMPLE_RATE), np.float32))
    return np.concatenate(parts)


class CodeDecoder:
    """Reads the coded words back, stopping at ``checkpoint`` as the real decoder does."""

    def __init__(self) -> None:
        self.calls = 0
        self.longest_s = 0.0  # the longest audio a greedy decode (a pass) was given
        self.on_decode: list[Callable[[], None]] = []  # run mid-pass, before the checkpoint

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        """The words as this decoder reports them; exact here, rougher in subclasses."""
        return words

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: Checkpoint | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis:
        self.calls += 1
        if (beam_size or 1) == 1:  # the careful final's beam search may reach further back
            self.longest_s = max(self.longest_s, len(audio) / SAMPLE_RATE)
        for hook in self.on_decode:
            hook()
        if cancel is not None:
            cancel.raise_if_cancelled()  # between "encode" and "decode"
        words = self.heard(read_words(audio), len(audio) / SAMPLE_RATE)
        text = "".join(w.text for w in words).strip()
        return Hypothesis(
            segments=(Segment(0.0, len(audio) / SAMPLE_RATE, text),),
            no_speech_prob=0.0,
            avg_logprob=-0.1,
            compression_ratio=1.0,
            words=tuple(words),
        )


def read_words(audio: AudioArray) -> list[Word]:
    loud = np.abs(audio) > 0.1
    edges = np.flatnonzero(np.diff(np.concatenate([[False], loud, [False]]).astype(np.int8)))
    words = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        index = round((float(audio[start]) - _BASE) / _STEP)
        words.append(Word(start / SAMPLE_RATE, end / SAMPLE_RATE, " " + VOCABULARY[index]))
    return words


def transcriber_for(decoder: CodeDecoder) -> StreamingTranscriber:
    return StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()))


def said(words: int) -> str:
    return " ".join(VOCABULARY[:words])


def feed(transcriber: StreamingTranscriber, audio: AudioArray) -> list[DictationEvent]:
    events: list[DictationEvent] = []
    for start in range(0, len(audio), 1600):
        transcriber.push(audio[start : start + 1600])
        if transcriber.pass_due():
            events += transcriber.run_pass()
    return events
