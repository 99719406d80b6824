"""``saytype transcribe`` with the text settings saved in Settings → Text, as the file queue.

A user who taught the app their special words, replacements and snippets, or
turned off numbers as digits, expects a file transcribed in a terminal to read
as one dropped on the window, so both read them through
:class:`app.core.file_job_options.FileJobOptions`. ``--vocabulary`` and
``--snippets`` add to the saved ones (a name for one file need not be saved
first) and ``--[no-]spoken-commands`` wins over the saved choice;
``--no-saved-words`` leaves the settings out, for a run that must not depend on
them (a script, a benchmark).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TextIO

from app.commands.cli_settings import settings_for_command
from app.core.file_job_options import FileJobOptions, merged_words
from app.core.settings import Settings
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
        help="use the text settings saved in Settings → Text (special words, replacements, "
        "snippets, spoken commands, fillers, numbers as digits, capitals), as files dropped on "
        "the window do (default: on); off, the defaults, --vocabulary and --snippets apply",
    )


@dataclass(frozen=True)
class CommandWords:
    """The special words to decode with and the shaping the command line builds on."""

    vocabulary: tuple[str, ...]
    shaping: ShapingOptions


def words_from_args(args: argparse.Namespace, stderr: TextIO) -> CommandWords:
    """The saved text settings (unless ``--no-saved-words``) with ``--vocabulary`` added."""
    # Without the saved words, the defaults as a file uses them (spoken commands off).
    settings = settings_for_command(stderr) if args.saved_words else Settings()
    saved = FileJobOptions.from_settings(settings)
    return CommandWords(
        merged_words(saved.decoding.vocabulary, tuple(args.vocabulary)),
        saved.shaping,
    )
