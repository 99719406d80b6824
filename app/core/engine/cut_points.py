"""Where the live buffer may be cut: in a pause after the committed words, never inside a word."""

from __future__ import annotations

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.settled_words import SettledWords
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.window_decoder import Word

ALIGNMENT_SLACK_S = 0.15  # word end times from cross-attention are this rough
_WORD_GAP_MS = 100
# A pause this long at the start of the buffer is not kept: over seconds of silence
# Whisper says the sentence before it again ("…the database. Second, restart the").
LONG_PAUSE_S = 3.0
_BEFORE_ONSET_S = 0.5  # kept before the speech after it, for its soft onset
# The most speech a word's letters take at a slow dictation pace, with its onset and fade.
SPEECH_PER_LETTER_S = 0.1
WORD_SPEECH_SLACK_S = 0.25
LETTERS_PER_DIGIT = 4  # written in digits, said in words: "1813" is "eighteen thirteen"


class CutPoints:
    """Finds the pauses (by the VAD) that the streaming transcriber cuts its buffer in."""

    def __init__(
        self, detector: SpeechDetector | None, settled: SettledWords, options: StreamingOptions
    ) -> None:
        self._detector = detector
        self._settled = settled
        self._options = options

    def words_before_pause(
        self, newly: list[Word], buffer_start: int, buffer_seconds: float
    ) -> int:
        """How many of ``newly`` to commit so that a pause among them can still be cut in.

        Audio is cut only after the last committed word. Committing the words on
        both sides of a pause in one pass would leave the pause behind the cut
        point, and fluent speech may not pause again for many seconds (buffers of
        15 s, and a final decode of 0.5-0.9 s, in read speech). The words after the
        pause are committed by the next pass, which agrees on them again.
        """
        if len(newly) < 2 or buffer_seconds < self._options.keep_context_s:
            return len(newly)
        centres = [(word.start + word.end) / 2 for word in newly]
        # Only a pause after the first new word: one before it (where the buffer
        # begins, after a cut) would hold back every word and cut nothing.
        after = int(centres[0] * SAMPLE_RATE)
        end = int(newly[-1].start * SAMPLE_RATE)
        pause = self.pause_after_committed(end, buffer_start, buffer_seconds, after)
        if pause is None:
            return len(newly)
        return sum(1 for centre in centres if centre < pause / SAMPLE_RATE) or len(newly)

    def pause_after_committed(
        self, end: int, buffer_start: int, buffer_seconds: float, after: int = 0
    ) -> int | None:
        """Where to cut: the first pause after the last committed word and ``after``, by ``end``."""
        if self._detector is None:
            return None
        committed = self._settled.committed
        last = committed[-1] if committed else None
        if last is not None and self.hides_speech(last):
            return None  # a later pass, hearing the words apart, cuts instead
        committed_end = int((self._settled.end - ALIGNMENT_SLACK_S) * SAMPLE_RATE)
        start = max(buffer_start, committed_end, after)
        # Alignment often stretches the word before a pause into it, so a pause
        # under way at ``start`` counts from where it began (not before the word's middle).
        middle = 0 if last is None else int((last.start + last.end) / 2 * SAMPLE_RATE)
        since = max(buffer_start, after, middle)
        pause = self._detector.first_pause(start, end, since=since)
        if pause is None and buffer_seconds > self._options.word_gap_cut_s:
            # Fluent speech may have no long pause: the gap between two words will do.
            pause = self._detector.first_pause(
                start, end, min_ms=_WORD_GAP_MS, early=True, since=since
            )
        return pause

    def after_long_pause(self, buffer_start: int, end: int) -> int | None:
        """Where to cut a buffer that begins with a long pause: just before the speech.

        Only the pause goes: nothing the voice detector hears as speech, even at
        its lower presence bar, is before the point returned.
        """
        if self._detector is None:
            return None
        span = self._detector.speech_span(buffer_start, end)
        if span is None or span[0] - buffer_start < LONG_PAUSE_S * SAMPLE_RATE:
            return None
        return span[0] - int(_BEFORE_ONSET_S * SAMPLE_RATE)

    def hides_speech(self, word: Word) -> bool:
        """Whether ``word``'s aligned time holds more speech than its letters take to say.

        Greedy passes sometimes stretch a word over the next one's sound ("the" at
        15.2-16.1 s over "the manual", the next word squeezed in after it): a cut after
        it would take that word's sound away unheard, and it was lost for good.
        """
        if self._detector is None:
            return False
        letters = sum(LETTERS_PER_DIGIT if c.isdigit() else 1 for c in word.text if c.isalnum())
        allowed_s = WORD_SPEECH_SLACK_S + SPEECH_PER_LETTER_S * letters
        start, end = int(word.start * SAMPLE_RATE), int(word.end * SAMPLE_RATE)
        return self._detector.speech_seconds(start, end) > allowed_s

    def spoken(self, word: Word) -> bool:
        """Whether the VAD heard speech where ``word`` lies (give or take alignment slack)."""
        if self._detector is None:
            return True
        start = int((word.start - ALIGNMENT_SLACK_S) * SAMPLE_RATE)
        end = int((word.end + ALIGNMENT_SLACK_S) * SAMPLE_RATE)
        return self._detector.has_speech(max(0, start), end, min_ms=30)
