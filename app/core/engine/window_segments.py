"""One window's segments from the decoder, in file time, less what was heard in silence.

A segment said where the voice detector heard no speech, one that echoes the text
before it, or one that says earlier words again over silence is dropped
(decisions 0029, 0037); the rest are cut into sentences timed to their speech.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core.engine.heard_in_silence import SilentWindowCheck
from app.core.engine.long_audio import AudioWindow
from app.core.engine.model_host import WhisperSegmentLike
from app.core.engine.repetitive_clips import clip_start_s
from app.core.engine.segment_timing import fitted_to_speech, sentence_pieces
from app.core.engine.transcript import Segment
from app.core.engine.transcription_job import TranscriptionJob

ECHO_SEGMENTS = 20  # about the previous text the decoder is prompted with
PROMPT_TOKENS = 223  # previous tokens handed to the next window: all that Whisper keeps


def take_segments(
    raw_segments: Iterable[WhisperSegmentLike],
    window: AudioWindow,
    job: TranscriptionJob,
    segments: list[Segment],
    silence: SilentWindowCheck,
    *,
    streamed: bool,
) -> bool:
    """Collect one window's segments in file time (``streamed``: each told to ``job``
    at once); False when the job was cancelled."""
    length = window.end_s - window.start_s
    for raw in raw_segments:
        # A segment computed while a dictation started waits here, unseen, until it ends.
        if not job.may_continue():
            return False
        no_speech = getattr(raw, "no_speech_prob", 0.0)
        clip_start = clip_start_s(raw)  # the clip it came from
        before = [s.text for s in segments[-ECHO_SEGMENTS:]]
        end = min(float(raw.end), length)
        start = min(float(raw.start), end)
        speech = silence.speech_span(start, end)
        if (
            silence.heard_in_silence(no_speech, clip_start)
            or silence.echoes_prompt(no_speech, clip_start, raw.text, before, (start, end, speech))
            or silence.repeats_over_silence(speech, raw.text, before)
        ):
            continue
        job.context = (job.context + list(getattr(raw, "tokens", ())))[-PROMPT_TOKENS:]
        words = getattr(raw, "words", None)
        for said_from, said_to, text in sentence_pieces(start, end, raw.text, words):
            span = min(said_from, end), min(said_to, end)
            first, last = fitted_to_speech(*span, silence.speech_span(*span))
            segment = Segment(
                start=window.start_s + first, end=window.start_s + last, text=text.strip()
            )
            segments.append(segment)
            if streamed:
                tell(job, segment)
        if job.cancel is not None and job.cancel.cancelled:
            return False
    return True


def tell(job: TranscriptionJob, segment: Segment) -> None:
    if job.on_segment is not None:
        job.on_segment(segment)
    job.progress(segment.end)
