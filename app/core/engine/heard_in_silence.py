"""Words Whisper "hears" in a file window that holds no speech ("You", "Thank you.").

On silence tiny.en says "You" with a no-speech probability of 0.99 but a mean
log-probability of -0.6, which passes faster-whisper's own rule (it asks for
both a high no-speech probability and a low log-probability). The live path
lets the probability alone decide (its passes never see audio the voice
detector calls silent). For files that would be too bold, since one quiet
speaker in a window could lose a sentence, so a segment is dropped only when
both agree: the model says "no speech" and the Silero voice detector finds no
speech anywhere in the window.
"""

from __future__ import annotations

import logging

from app.core.audio.file_decoder import AudioArray
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.streaming_options import StreamingOptions

log = logging.getLogger(__name__)

NO_SPEECH_PROB = StreamingOptions.no_speech_prob  # the same bar as the live path's


class SilentWindowCheck:
    """Answers, for one window's audio, whether a segment was heard in silence.

    The voice detector runs at most once per window, and only when a segment's
    no-speech probability asks for it (about 30 ms for 30 s of audio).
    """

    def __init__(self, samples: AudioArray) -> None:
        self._samples = samples
        self._has_speech: bool | None = None

    def heard_in_silence(self, no_speech_prob: float) -> bool:
        """Whether a segment with ``no_speech_prob`` is noise Whisper turned into words."""
        if no_speech_prob <= NO_SPEECH_PROB:
            return False
        if self._has_speech is None:
            detector = SpeechDetector()
            detector.push(self._samples)
            self._has_speech = detector.has_speech(0)
        if not self._has_speech:
            log.info("dropped a segment heard in a window without speech")  # never the words
        return not self._has_speech
