"""Transcripts built from segments, as the file transcriber returns them."""

from __future__ import annotations

from app.core.engine.transcript import Segment, Transcript


def transcript_of(*segments: Segment, elapsed_s: float = 0.2) -> Transcript:
    """A tiny.en English transcript of ``segments``, its text their plain join."""
    return Transcript(
        text=" ".join(segment.text for segment in segments),
        segments=segments,
        language="en",
        duration=segments[-1].end if segments else 0.0,
        model_name="tiny.en",
        elapsed_s=elapsed_s,
    )
