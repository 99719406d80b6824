"""``saytype transcribe`` with the words saved in Settings → Text, as the window's file queue.

A user who taught the app their special words and replacements expects a file
transcribed in a terminal to be spelled as one dropped on the window, so both
read them through :class:`app.core.file_job_options.FileJobOptions`.
``--vocabulary`` adds to the saved special words (a name for one file need not
be saved first); ``--no-saved-words`` leaves the settings out, for a run that must
not depend on them (a script, a benchmark).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TextIO

from app.commands.cli_settings import settings_for_command
from app.core.file_job_options import FileJobOptions, merged_words
from app.core.text.shaper import ShapingOptions

VOCABULARY_HELP = (
    "names and terms to recognise as spelled, separated by commas; added to the Special "
    "words saved in Settings → Text (all of them with --no-saved-words)"
)


def add_saved_words_argument(parser: argparse.ArgumentParser) -> None:
    """``--saved-words/--no-saved-words`` (transcribe)."""
    parser.add_argument(
        "--saved-words",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="use the Special words and Replace words saved in Settings → Text, as files "
        "dropped on the window do (default: on); off, only --vocabulary and the built-in "
        '"say type" = Saytype replacement apply',
    )


@dataclass(frozen=True)
class CommandWords:
    """The special words to decode with and the replacements to shape with."""

    vocabulary: tuple[str, ...]
    replacements: tuple[tuple[str, str], ...]


def words_from_args(args: argparse.Namespace, stderr: TextIO) -> CommandWords:
    """The saved words (unless ``--no-saved-words``) with ``--vocabulary`` added."""
    if not args.saved_words:
        return CommandWords(tuple(args.vocabulary), ShapingOptions().replacements)
    saved = FileJobOptions.from_settings(settings_for_command(stderr))
    return CommandWords(
        merged_words(saved.decoding.vocabulary, tuple(args.vocabulary)),
        saved.shaping.replacements,
    )
