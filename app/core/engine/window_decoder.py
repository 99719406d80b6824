"""Decode one short stretch of audio with an encoder window sized to the audio.

faster-whisper pads every clip to Whisper's 30 s window, and the encoder cost
grows with the window, so a 3 s utterance pays for 30 s. CTranslate2 accepts
shorter encoder input; stock weights need trailing silence to end a transcript
cleanly, so the window is the audio plus at least 3 s of zeros, with a 10 s
floor (see docs/decisions/0008 for the measurements behind the policy).
"""

from __future__ import annotations

import logging
import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.engine import whisper_internals
from app.core.engine.cancellation import Checkpoint
from app.core.engine.transcript import Segment

log = logging.getLogger(__name__)

WINDOW_FLOOR_S = 10.0
WINDOW_TAIL_S = 3.0
WINDOW_MAX_S = 30.0
# Longest audio one pass accepts: the window must still hold the silent tail.
MAX_AUDIO_S = WINDOW_MAX_S - WINDOW_TAIL_S
_SECONDS_PER_TIMESTAMP = 0.02
_FRAMES_PER_SECOND = 100
_PROMPT_TOKENS = 223  # Whisper's limit for previous-text context (max_length // 2 - 1)


def window_seconds(duration: float) -> float:
    """Encoder window for ``duration`` s of audio: ``min(30, max(10, ceil(duration + 3)))``.

    Whole seconds keep the number of distinct encoder shapes small, so
    CTranslate2's caching allocator reuses its buffers instead of growing.
    """
    return min(WINDOW_MAX_S, max(WINDOW_FLOOR_S, float(math.ceil(duration + WINDOW_TAIL_S))))


@dataclass(frozen=True)
class Word:
    """One word with its time span in seconds from the start of the decoded audio.

    ``text`` keeps Whisper's leading space, so words concatenate back into text.
    """

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Hypothesis:
    """What the model heard in one pass, with quality signals for hallucination guards."""

    segments: tuple[Segment, ...]
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float
    words: tuple[Word, ...] = ()

    @property
    def text(self) -> str:
        """Segment texts joined with single spaces."""
        return " ".join(s.text for s in self.segments if s.text).strip()


def compression_ratio(text: str) -> float:
    """zlib compression ratio; looping hallucinations compress far better than speech."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


class WindowDecoder:
    """Runs faster-whisper's encoder and decoder directly on a right-sized window.

    Args:
        model: a loaded ``faster_whisper.WhisperModel``.
        language: language code; English-only models always use ``"en"``.
        beam_size: 1 (greedy) keeps live passes short.
        window_policy: maps audio duration to encoder window seconds.
        hotwords: the user's vocabulary as one string, put in front of the prompt the way
            faster-whisper's ``hotwords`` option does, so rare names are decoded as written.
        careful_window_s: a decode with beam search gets a window of at least this many
            seconds (0: the policy's). Whisper was trained on 30 s windows, and beam search
            strays more than greedy search in a shortened one (decisions 0001, 0028).
    """

    def __init__(
        self,
        model: Any,
        language: str | None = "en",
        beam_size: int = 1,
        window_policy: Any = window_seconds,
        word_timestamps: bool = True,
        *,
        hotwords: str = "",
        careful_window_s: float = 0.0,
    ) -> None:
        self._model = model
        self.language = language or "en"
        self.beam_size = beam_size
        self.window_policy = window_policy
        self.word_timestamps = word_timestamps
        self.hotwords = hotwords.strip()
        self.careful_window_s = careful_window_s
        # (window, audio, encoder output) of the newest decode: about 1-3 MB.
        self._kept_encoding: tuple[float, AudioArray, Any] | None = None

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: Checkpoint | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis:
        """Transcribe ``audio`` (at most :data:`MAX_AUDIO_S`), conditioned on ``prompt``.

        ``aligned=False`` skips the cross-attention alignment (13-17 ms on 2 cores)
        and times each word within its segment instead: enough when only the text
        and the segments' bounds matter, as for a final decode.

        Raises:
            Cancelled: ``cancel`` was set; checked before the encode, the decode and the alignment,
                the steps CTranslate2 cannot interrupt.
            Superseded: ``cancel`` said the result is no longer wanted.
        """
        duration = len(audio) / SAMPLE_RATE
        beam = beam_size or self.beam_size
        window = float(self.window_policy(duration))
        if beam > 1:
            window = min(WINDOW_MAX_S, max(window, self.careful_window_s))
        padded = np.zeros(int(window * SAMPLE_RATE), dtype=np.float32)
        usable = min(len(audio), len(padded))
        padded[:usable] = audio[:usable]
        encoded = self._encoding(audio[:usable], padded, window, cancel)
        if cancel is not None:
            cancel.raise_if_cancelled()
        tokenizer, suppress = self._tokenizer_and_suppressed()
        tokens = self._prompt_tokens(tokenizer, prompt)
        # ~3 words/s of speech is ~5 tokens/s; allow generous headroom, never Whisper's 448.
        max_new = min(448 - len(tokens), int(12 + 10 * duration))
        result = whisper_internals.generate(
            self._model,
            encoded,
            [tokens],
            beam_size=beam,
            max_length=len(tokens) + max_new,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=suppress,
            max_initial_timestamp_index=50,
        )[0]
        ids: list[int] = list(result.sequences_ids[0])
        if cancel is not None:
            cancel.raise_if_cancelled()
        segments = self._split(tokenizer, ids, duration)
        words: tuple[Word, ...] = ()
        if self.word_timestamps and aligned:
            words = self._align_words(tokenizer, ids, encoded, duration)
        elif self.word_timestamps:
            words = segment_words(segments)
        text = " ".join(s.text for s in segments)
        avg_logprob = float(result.scores[0]) * len(ids) / (len(ids) + 1) if ids else 0.0
        return Hypothesis(
            segments=segments,
            no_speech_prob=float(result.no_speech_prob),
            avg_logprob=avg_logprob,
            compression_ratio=compression_ratio(text),
            words=words,
        )

    def _encoding(
        self, audio: AudioArray, padded: AudioArray, window: float, cancel: Checkpoint | None
    ) -> Any:
        """The encoder output for ``padded``; the last one is kept for a second decode.

        A careful final decodes the audio the newest pass decoded, with another
        beam size: the encoder output is the same, and it is 60-230 ms of the cost.
        """
        kept = self._kept_encoding
        if kept is not None and kept[0] == window and np.array_equal(kept[1], audio):
            return kept[2]
        frames = int(window * _FRAMES_PER_SECOND)
        features = whisper_internals.mel_features(self._model, padded)[..., :frames]
        if cancel is not None:  # the mel features take up to 10 ms on a long window
            cancel.raise_if_cancelled()
        encoded = whisper_internals.encode(self._model, features)
        self._kept_encoding = (window, audio.copy(), encoded)
        return encoded

    def _tokenizer_and_suppressed(self) -> tuple[Any, list[int]]:
        """The model's tokenizer and the tokens to suppress, built per pass (0.4 ms).

        Keeping them would keep the tokenizer of a model that was since unloaded
        (about 10 MB) alive after the unload.
        """
        return whisper_internals.tokenizer_and_suppressed(self._model, self.language)

    def _align_words(
        self, tokenizer: Any, ids: list[int], encoded: Any, duration: float
    ) -> tuple[Word, ...]:
        """Word times from cross-attention alignment (faster-whisper's ``find_alignment``)."""
        text_ids = [token for token in ids if token < tokenizer.eot]
        if not text_ids:
            return ()
        frames = max(1, int(duration * _FRAMES_PER_SECOND))
        aligned = whisper_internals.find_alignment(
            self._model, tokenizer, text_ids, encoded, frames
        )
        words: list[Word] = []
        for item in aligned:
            # Word text keeps Whisper's leading space; a piece without one ("," or
            # "-line" in "42-line") continues the word before it.
            text = str(item["word"])
            start, end = float(item["start"]), min(float(item["end"]), duration)
            if not text.strip() or start >= duration:
                continue
            if words and not text.startswith(" "):
                last = words[-1]
                words[-1] = Word(last.start, max(last.end, end), last.text + text)
            else:
                words.append(Word(start=start, end=end, text=text))
        return tuple(words)

    def _prompt_tokens(self, tokenizer: Any, prompt: str) -> list[int]:
        tokens: list[int] = []
        prompt = prompt.strip()
        # As faster-whisper's get_prompt: hotwords first, then the previous text, both
        # after <|startofprev|>; the previous text gives way when both do not fit.
        hotwords = tokenizer.encode(" " + self.hotwords) if self.hotwords else []
        hotwords = hotwords[: _PROMPT_TOKENS // 2]
        previous = tokenizer.encode(" " + prompt) if prompt else []
        room = _PROMPT_TOKENS - len(hotwords)
        previous = previous[-room:] if len(previous) > room else previous
        if hotwords or previous:
            tokens = [tokenizer.sot_prev, *hotwords, *previous]
        return tokens + list(tokenizer.sot_sequence)

    def _split(self, tokenizer: Any, ids: list[int], duration: float) -> tuple[Segment, ...]:
        """Cut the token stream at timestamp tokens into timed segments."""
        begin = tokenizer.timestamp_begin
        segments: list[Segment] = []
        start: float | None = None
        text_ids: list[int] = []
        for token in ids:
            if token >= begin:
                stamp = (token - begin) * _SECONDS_PER_TIMESTAMP
                if text_ids:
                    segments.append(_segment(tokenizer, start or 0.0, stamp, text_ids))
                    text_ids = []
                start = stamp
            else:
                text_ids.append(token)
        if text_ids:
            end = max(start or 0.0, duration)
            segments.append(_segment(tokenizer, start or 0.0, end, text_ids))
        # Text timed in the zero padding past the audio is the model repeating itself.
        return tuple(
            Segment(s.start, min(s.end, duration), s.text)
            for s in segments
            if s.text and s.start < duration
        )


def segment_words(segments: tuple[Segment, ...]) -> tuple[Word, ...]:
    """Words timed within their segment, each getting time in proportion to its length.

    A segment with no duration (a sentence repeated into the padding at one
    timestamp) gives words of no duration, which the squeezed-tail guard drops.
    """
    words: list[Word] = []
    for segment in segments:
        pieces = segment.text.split()
        total = sum(len(piece) for piece in pieces)
        start = segment.start
        for piece in pieces:
            end = start + (segment.end - segment.start) * len(piece) / total
            words.append(Word(start=start, end=end, text=" " + piece))
            start = end
    return tuple(words)


def _segment(tokenizer: Any, start: float, end: float, text_ids: list[int]) -> Segment:
    return Segment(start=start, end=end, text=tokenizer.decode(text_ids).strip())
