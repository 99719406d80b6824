"""What the settings say about transcribing a file, read in one place.

The window's file queue and ``saytype transcribe`` both decode a file with the
user's special words (Whisper's hotwords) and shape its text as Settings → Text
says, so a file reads the same whichever way it was transcribed; spoken commands
apply only when Settings → Files says so too. The queue takes every option read
here; the command line takes the words and the shaping, and keeps its own decoding
options (``--language``, ``--beam-size``…).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from app.core.audio.recording_journal import journals_dir
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.output.history import audio_dir
from app.core.settings import Settings
from app.core.text.shaper import ShapingOptions


@dataclass(frozen=True)
class FileJobOptions:
    """How a file is decoded and how its text is shaped.

    Attributes:
        decoding: the language, batch size and special words to decode with.
        shaping: spoken commands, replacements, snippets and formatting.
        dictation_shaping: the same for Saytype's own recordings of dictations (a Retry,
            a recovered journal), which were spoken as dictations: commands as Text says.
    """

    decoding: TranscribeOptions
    shaping: ShapingOptions
    dictation_shaping: ShapingOptions

    @classmethod
    def from_settings(cls, settings: Settings) -> FileJobOptions:
        """The options ``settings`` give a file transcription."""
        dictated = ShapingOptions.from_settings(settings)
        return cls(
            decoding=TranscribeOptions(
                language=settings.language or None,
                batch_size=settings.file_batch_size,
                vocabulary=tuple(settings.vocabulary),
            ),
            shaping=dataclasses.replace(
                dictated,
                # A meeting's "scratch that" is words said, not an edit: off unless asked for.
                spoken_commands=settings.spoken_commands and settings.file_spoken_commands,
            ),
            dictation_shaping=dictated,
        )


def is_dictation_recording(path: Path) -> bool:
    """Whether ``path`` is one of Saytype's own recordings of a dictation (kept or journal)."""
    own = {audio_dir().resolve(), journals_dir().resolve()}
    return path.resolve().parent in own


def merged_words(saved: tuple[str, ...], added: tuple[str, ...]) -> tuple[str, ...]:
    """``saved`` then the words of ``added`` not already there (in any case), in order."""
    seen = {word.casefold() for word in saved}
    extra = []
    for word in added:
        if word.casefold() not in seen:
            seen.add(word.casefold())
            extra.append(word)
    return (*saved, *extra)
