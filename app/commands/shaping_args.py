"""``--spoken-commands``, ``--vocabulary`` and ``--snippets``: the text shaping options of
``listen`` and ``transcribe``, and the :class:`TextShaper` they ask for.

Both commands shape Whisper's output the same way the GUI does, so the options
are declared once here and each command adds them to its parser.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from app.core.text.shaper import ShapingOptions, TextShaper
from app.core.text.snippets import snippets_problem


def add_shaping_arguments(
    parser: argparse.ArgumentParser,
    vocabulary_help: str = "names and terms to recognise as spelled, separated by commas",
) -> None:
    """``--spoken-commands/--no-spoken-commands`` and ``--vocabulary`` (listen, transcribe)."""
    parser.add_argument(
        "--spoken-commands",
        action=argparse.BooleanOptionalAction,
        default=None,
        help='obey "comma", "new paragraph", "scratch that"… (default: on for listen; for '
        "transcribe only when Settings → Files and Text both say so; see the README)",
    )
    parser.add_argument(
        "--vocabulary",
        type=_word_list,
        default=(),
        metavar="WORDS",
        help=vocabulary_help,
    )
    parser.add_argument(
        "--snippets",
        type=_snippets_file,
        default=(),
        metavar="FILE",
        help='a JSON object of snippets, {"insert my address": "text…"}: a trigger said '
        "on its own becomes its text",
    )


def _word_list(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


def _snippets_file(name: str) -> tuple[tuple[str, str], ...]:
    """The (trigger, text) pairs of a JSON file; argparse turns the error into one sentence."""
    try:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {name} ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"{name} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError(f'{name} must hold one object: {{"trigger": "text"}}')
    pairs = tuple(data.items())
    problem = snippets_problem(pairs)
    if problem:
        raise argparse.ArgumentTypeError(f"{name}: {problem}")
    return pairs


def shaper_from_args(args: argparse.Namespace, base: ShapingOptions | None = None) -> TextShaper:
    """The text shaping the command line asks for, over ``base`` (default: the defaults).

    ``--[no-]spoken-commands`` wins over ``base``; ``--snippets`` adds to its snippets, a
    trigger in both taking the file's text.
    """
    base = base or ShapingOptions()
    chosen = getattr(args, "spoken_commands", None)
    added = dict(getattr(args, "snippets", ()))
    replaced = {trigger.casefold() for trigger in added}
    kept = tuple(pair for pair in base.snippets if pair[0].casefold() not in replaced)
    return TextShaper(
        dataclasses.replace(
            base,
            spoken_commands=base.spoken_commands if chosen is None else chosen,
            snippets=(*kept, *added.items()),
        )
    )
