"""``--engine``, ``--ca-file`` and ``--timeout``: which engine ``saytype transcribe`` runs on.

``local`` (the default) is faster-whisper in this process and never opens a
connection; an ``http(s)://`` URL sends the audio to that OpenAI-compatible
server. The API key comes from ``SAYTYPE_API_KEY``, read here at the edge so it
never appears on a command line (``ps`` shows those) or in settings.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping
from pathlib import Path

from app.core.engine.engine_choice import EngineChoice, EngineChoiceError, parse_engine

API_KEY_VARIABLE = "SAYTYPE_API_KEY"
REMOTE_DEFAULT_MODEL = "whisper-1"  # the name OpenAI-compatible servers accept by default
DEFAULT_TIMEOUT_S = 600.0


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine E``, ``--ca-file FILE`` and ``--timeout S``."""
    parser.add_argument(
        "--engine",
        type=_engine,
        default=EngineChoice("local"),
        metavar="E",
        help="'local' (default: this machine, offline) or an OpenAI-compatible server's URL, "
        f"e.g. http://HOST:PORT/v1; the audio is then sent there (API key: ${API_KEY_VARIABLE})",
    )
    parser.add_argument(
        "--ca-file",
        type=Path,
        metavar="FILE",
        help="with a https:// engine: trust the CA certificates in FILE (PEM) instead of "
        "the system's; certificates are always verified",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"with a remote engine: longest wait for the server (default {DEFAULT_TIMEOUT_S:g})",
    )


def check_engine_arguments(args: argparse.Namespace) -> str | None:
    """A usage error in the engine options, or None."""
    if args.ca_file is not None and not args.engine.url.startswith("https://"):
        return "--ca-file needs a https:// engine URL"
    return None


def api_key(environ: Mapping[str, str] = os.environ) -> str:
    """The API key to send, from ``SAYTYPE_API_KEY`` ("" when unset)."""
    return environ.get(API_KEY_VARIABLE, "").strip()


def _engine(text: str) -> EngineChoice:
    try:
        return parse_engine(text)
    except EngineChoiceError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text}")
    return value
