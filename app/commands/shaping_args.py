"""``--spoken-commands`` and ``--vocabulary``: the text shaping options of ``listen`` and
``transcribe``, and the :class:`TextShaper` they ask for.

Both commands shape Whisper's output the same way the GUI does, so the options
are declared once here and each command adds them to its parser.
"""

from __future__ import annotations

import argparse

from app.core.text.shaper import ShapingOptions, TextShaper


def add_shaping_arguments(parser: argparse.ArgumentParser) -> None:
    """``--spoken-commands/--no-spoken-commands`` and ``--vocabulary`` (listen, transcribe)."""
    parser.add_argument(
        "--spoken-commands",
        action=argparse.BooleanOptionalAction,
        default=True,
        help='obey "comma", "new paragraph", "scratch that"… (default: on; see the README)',
    )
    parser.add_argument(
        "--vocabulary",
        type=_word_list,
        default=(),
        metavar="WORDS",
        help="names and terms to recognise as spelled, separated by commas",
    )


def _word_list(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


def shaper_from_args(args: argparse.Namespace) -> TextShaper:
    """The text shaping the command line asks for."""
    return TextShaper(ShapingOptions(spoken_commands=getattr(args, "spoken_commands", True)))
