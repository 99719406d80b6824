"""Words Whisper "hears" where nothing new was said ("You", "Thank you.", the last sentence again).

On silence tiny.en says "You" with a no-speech probability of 0.99 but a mean
log-probability of -0.6, which passes faster-whisper's own rule (it asks for
both a high no-speech probability and a low log-probability). The live path
lets the probability alone decide (its passes never see audio the voice
detector calls silent). For files that would be too bold, since one quiet
speaker could lose a sentence, so a segment is dropped only when both agree:
the model doubts there is speech in the 30 s clip it decoded, and the Silero
voice detector hears no speech begin anywhere from that clip's start to the
window's end. A clip that holds only the tail of words already transcribed
and then silence is where Whisper goes on with its prompt: after a cycle of
sentences it said "Chapter 8." again over the last second of a file.
"""

from __future__ import annotations

import logging

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.speech_detector import SpeechDetector

log = logging.getLogger(__name__)

# Even odds: above them the model itself says the clip more likely holds no speech.
DOUBTED_NO_SPEECH_PROB = 0.5
_ONSET_GRACE_S = 0.1  # speech already under way at a clip's start is the words before it


class SilentWindowCheck:
    """Answers, for one window's audio, whether a segment was heard in silence.

    The voice detector runs at most once per window, and only when a segment's
    no-speech probability asks for it (about 30 ms for 30 s of audio).
    """

    def __init__(self, samples: AudioArray) -> None:
        self._samples = samples
        self._onsets: list[float] | None = None  # where speech begins, in seconds

    def heard_in_silence(self, no_speech_prob: float, clip_start_s: float = 0.0) -> bool:
        """Whether a segment is noise Whisper turned into words.

        Args:
            no_speech_prob: the model's probability that the segment's clip holds no speech.
            clip_start_s: where that 30 s clip begins, in seconds into the window.
        """
        if no_speech_prob <= DOUBTED_NO_SPEECH_PROB:
            return False
        # Speech under way at a later clip's start belongs to the words before it.
        after = 0.0 if clip_start_s <= 0 else clip_start_s + _ONSET_GRACE_S
        silent = not any(onset >= after for onset in self._speech_onsets())
        if silent:
            log.info("dropped a segment heard where no speech begins")  # never the words
        return silent

    def _speech_onsets(self) -> list[float]:
        if self._onsets is None:
            detector = SpeechDetector()
            detector.push(self._samples)
            self._onsets = [sample / SAMPLE_RATE for sample in detector.speech_onsets()]
        return self._onsets
