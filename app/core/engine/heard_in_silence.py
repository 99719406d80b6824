"""Words Whisper "hears" where nothing new was said ("You", "Thank you.", its prompt again).

On silence tiny.en says "You" with a no-speech probability of 0.99 but a mean
log-probability of -0.6, which passes faster-whisper's own rule (it asks for
both a high no-speech probability and a low log-probability). The live path
lets the probability alone decide (its passes never see audio the voice
detector calls silent). For files that would be too bold, since one quiet
speaker in a window could lose a sentence, so a segment is dropped only when
the model and the Silero voice detector agree: the model says "no speech" and
Silero finds none in the 30 s clip the segment was decoded from.

Inside a window of speech, the last 30 s clip faster-whisper decodes may hold
only the tail of words already transcribed and then silence; there the decoder
goes on with its prompt ("… jazz band. Chapter 8." said again after the last
sentence of a file, decision 0029). Such a segment is dropped when three
signs agree: the model doubts its clip holds speech, Silero hears no speech
begin in it, and every word it says was said just before. A clip whose words
are new (a number finishing a sentence spoken without a pause, where the model
doubted too) is kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.streaming_options import StreamingOptions

log = logging.getLogger(__name__)

NO_SPEECH_PROB = StreamingOptions.no_speech_prob  # the same bar as the live path's
# Even odds: above them the model says its clip more likely holds no speech.
DOUBTED_NO_SPEECH_PROB = 0.5
# Less speech than this in a clip is no word of its own: at most the end of one heard
# before the clip began (a window that starts after the last word heard, by word times).
_WORD_MS = 200
_CLIP_SAMPLES = 30 * SAMPLE_RATE  # the decoder's clip: Whisper's window
_ONSET_GRACE_S = 0.1  # speech under way at a clip's start is the words before it
# Whisper's own clip: a shorter pause sits in a clip with speech, where it is heard as a pause.
SKIPPED_SILENCE_S = 30.0
CLIP_PAD_S = 2.0  # around speech, so a soft first or last syllable is in the clip
_WORD = re.compile(r"[\w']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def only_words_from(text: str, said_before: Iterable[str]) -> bool:
    earlier = {word for before in said_before for word in _words(before)}
    words = _words(text)
    return bool(words) and all(word in earlier for word in words)


class SilentWindowCheck:
    """Answers, for one window's audio, whether a segment was heard where nothing was said.

    The voice detector runs once per window (about 30 ms for 30 s of audio), the
    first time a segment asks: every segment's times are fitted to its speech.
    """

    def __init__(self, samples: AudioArray) -> None:
        self._samples = samples
        self._speech: SpeechDetector | None = None
        self._onsets: list[float] | None = None  # where speech begins, in seconds

    def heard_in_silence(self, no_speech_prob: float, clip_start_s: float = 0.0) -> bool:
        """Whether a segment with ``no_speech_prob`` is noise in a clip without speech.

        The clip is the 30 s the decoder heard it in (from ``clip_start_s``), not the
        whole window: a file that began with 30 s of silence got "You you" before its
        first sentence, as the sentence later in the window counted as speech.
        """
        if no_speech_prob <= NO_SPEECH_PROB:
            return False
        start = int(clip_start_s * SAMPLE_RATE)
        silent = not self._detector().has_speech(start, start + _CLIP_SAMPLES, _WORD_MS)
        if silent:
            log.info("dropped a segment heard in a clip without speech")  # never the words
        return silent

    def echoes_prompt(
        self,
        no_speech_prob: float,
        clip_start_s: float,
        text: str,
        said_before: Iterable[str],
        timed: tuple[float, float, tuple[float, float] | None] | None = None,
    ) -> bool:
        """Whether a segment repeats earlier words over a clip where no speech begins.

        Args:
            no_speech_prob: the model's probability that the segment's clip holds no speech.
            clip_start_s: where that 30 s clip begins, in seconds into the window.
            text: the segment's text.
            said_before: the texts of the segments before it (the decoder's prompt).
            timed: the segment's start and end, and :meth:`speech_span` over them. Speech
                over at least half of that time is the words being said there, though the
                speech began before the clip (the end of a sentence said earlier in the
                file too): no echo.
        """
        if no_speech_prob <= DOUBTED_NO_SPEECH_PROB or clip_start_s <= 0:
            return False
        after = clip_start_s + _ONSET_GRACE_S
        if any(onset >= after for onset in self._speech_onsets()):
            return False
        if timed is not None and _spoken_over_half(*timed):
            return False
        echo = only_words_from(text, said_before)
        if echo:
            log.info("dropped a segment that repeats its prompt after the speech")
        return echo

    def speech_span(self, start_s: float, end_s: float) -> tuple[float, float] | None:
        """Where the voice detector hears speech within ``[start_s, end_s)`` of the window."""
        span = self._detector().speech_span(int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE))
        return None if span is None else (span[0] / SAMPLE_RATE, span[1] / SAMPLE_RATE)

    def speech_stretches(self, start_s: float, end_s: float) -> list[tuple[float, float]]:
        """The voice detector's runs of speech within ``[start_s, end_s)``, in seconds."""
        runs = ((s / SAMPLE_RATE, e / SAMPLE_RATE) for s, e in self._detector().speech_stretches())
        return [(max(s, start_s), min(e, end_s)) for s, e in runs if e > start_s and s < end_s]

    @staticmethod
    def repeats_over_silence(
        speech: tuple[float, float] | None, text: str, said_before: Iterable[str]
    ) -> bool:
        """Whether a segment says only earlier words where there is no speech at all.

        ``speech`` is :meth:`speech_span` over the segment's times. After a long pause
        tiny.en may say the sentence before the pause again, sure of itself (no-speech
        0.1), timed over the silence up to the next sentence; a sentence really said
        again has speech where it is timed.
        """
        if speech is not None:
            return False
        echo = only_words_from(text, said_before)
        if echo:
            log.info("dropped a segment that repeats earlier words over silence")
        return echo

    def speech_clips(self) -> list[float]:
        """Where the decoder should listen: ``[start, end, start, end, …]`` in seconds.

        Everything but the stretches of :data:`SKIPPED_SILENCE_S` or more without speech,
        each clip with :data:`CLIP_PAD_S` of that silence around its speech. Such a
        stretch holds at least one 30 s clip of nothing but silence or room noise, where
        Whisper invents words ("Thank you for watching.") and, prompted with them, went
        on inventing over the speech after minutes of it. Empty: the whole window is
        such a stretch.
        """
        duration = len(self._samples) / SAMPLE_RATE
        clips: list[list[float]] = []
        for start, end in self._detector().speech_stretches():
            start_s, end_s = start / SAMPLE_RATE, end / SAMPLE_RATE
            if not clips and start_s < SKIPPED_SILENCE_S:
                start_s = 0.0  # a short lead-in is decoded as before
            if clips and start_s - clips[-1][1] < SKIPPED_SILENCE_S:
                clips[-1][1] = end_s
            else:
                clips.append([start_s, end_s])
        if not clips:
            return [] if duration >= SKIPPED_SILENCE_S else [0.0, duration]
        if duration - clips[-1][1] < SKIPPED_SILENCE_S:
            clips[-1][1] = duration
        return [
            round(edge, 3)
            for start_s, end_s in clips
            for edge in (max(0.0, start_s - CLIP_PAD_S), min(duration, end_s + CLIP_PAD_S))
        ]

    def _detector(self) -> SpeechDetector:
        if self._speech is None:
            self._speech = SpeechDetector()
            self._speech.push(self._samples)
        return self._speech

    def _speech_onsets(self) -> list[float]:
        if self._onsets is None:
            self._onsets = [sample / SAMPLE_RATE for sample in self._detector().speech_onsets()]
        return self._onsets


def _spoken_over_half(start_s: float, end_s: float, speech: tuple[float, float] | None) -> bool:
    """Whether the voice detector hears speech over at least half of ``[start_s, end_s)``."""
    if speech is None or end_s <= start_s:
        return False
    return (speech[1] - speech[0]) >= (end_s - start_s) / 2
