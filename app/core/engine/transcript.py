"""Immutable results of a transcription, shared by the CLI, exporters and GUI."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech, with times in seconds from the start of the audio.

    Attributes:
        start: where the speech starts, in seconds.
        end: where it ends, in seconds.
        text: what was said.
        speaker: who said it, when something tells speakers apart ("" when unknown,
            as with Whisper alone); a change of speaker starts a paragraph.
    """

    start: float
    end: float
    text: str
    speaker: str = ""


@dataclass(frozen=True)
class Transcript:
    """The outcome of transcribing one file or clip.

    Attributes:
        text: All segment texts joined. Shaped and exported transcripts hold them
            joined into sentences and paragraphs (``app.core.text.paragraphs``).
        segments: The segments in order.
        language: The language code the model used (``"en"`` for English-only models).
        duration: Length of the audio in seconds.
        model_name: The model that produced the text.
        elapsed_s: Wall-clock seconds spent decoding and transcribing.
        complete: False when the job was cancelled and holds only the segments done so far.
        cut_short: how the file ended before its header said ("is truncated: …"), or
            where it is damaged ("is damaged in one place: …"); what was there is
            transcribed. "" for a whole file.
    """

    text: str
    segments: tuple[Segment, ...]
    language: str
    duration: float
    model_name: str
    elapsed_s: float
    complete: bool = True
    source: str = field(default="")
    cut_short: str = ""
