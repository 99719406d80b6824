"""``--engine``, ``--ca-file`` and ``--timeout``: which engine a command runs on.

``local`` (the default) is faster-whisper in this process and never opens a
connection; a saved endpoint's name (``saytype engines add``) or a URL sends
the audio to that server: ``http(s)://…/v1`` for an OpenAI-compatible one,
``wyoming://HOST:PORT`` for a Wyoming one. Options given on the command line
win over the saved endpoint's. The API key comes from ``SAYTYPE_API_KEY`` or,
for a saved endpoint, from the system keyring, read here at the edge so it
never appears on a command line (``ps`` shows those) or in settings.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.core.engine.engine_choice import EngineChoice, EngineChoiceError, parse_engine
from app.core.engine.file_engine import FileEngine
from app.core.engine.remote.endpoint_file import load_endpoints

log = logging.getLogger(__name__)

API_KEY_VARIABLE = "SAYTYPE_API_KEY"
REMOTE_DEFAULT_MODEL = "whisper-1"  # the name OpenAI-compatible servers accept by default
DEFAULT_TIMEOUT_S = 600.0


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine E``, ``--ca-file FILE`` and ``--timeout S``."""
    parser.add_argument(
        "--engine",
        type=engine_argument,
        default=EngineChoice("local"),
        metavar="E",
        help="'local' (default: this machine, offline), a saved endpoint's name (saytype "
        "engines list), an OpenAI-compatible server's URL (http://HOST:PORT/v1) or a Wyoming "
        f"server's (wyoming://HOST:PORT); the audio is then sent there (API key: "
        f"${API_KEY_VARIABLE} or the keyring)",
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
        type=seconds_argument,
        metavar="S",
        help=f"with a remote engine: longest wait for the server (default {DEFAULT_TIMEOUT_S:g})",
    )


def check_engine_arguments(args: argparse.Namespace) -> str | None:
    """A usage error in the engine options, or None."""
    if args.ca_file is not None and not args.engine.url.startswith("https://"):
        return "--ca-file needs a https:// engine URL"
    if args.timeout is not None and not args.engine.remote:
        return "--timeout applies to a server named with --engine (the local model has none)"
    return None


def api_key(environ: Mapping[str, str] = os.environ) -> str:
    """The API key to send, from ``SAYTYPE_API_KEY`` ("" when unset)."""
    return environ.get(API_KEY_VARIABLE, "").strip()


@dataclass(frozen=True)
class RemoteTarget:
    """A remote engine with every option resolved: command line, then saved endpoint, then
    defaults."""

    choice: EngineChoice
    model: str
    language: str | None
    timeout_s: float
    ca_file: Path | None
    api_key: str = field(default="", repr=False)


def remote_target(
    args: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> RemoteTarget:
    """Resolve ``args``' remote engine (``args.engine.remote`` must be true)."""
    saved = args.engine.saved
    ca_file = args.ca_file
    if ca_file is None and saved is not None and saved.ca_file:
        ca_file = Path(saved.ca_file)
    key = api_key(environ)
    if not key and saved is not None and saved.has_api_key:  # saved without one: never ask
        key = _saved_key(saved.name)
    model = getattr(args, "model", None) or (saved.model if saved else "")
    return RemoteTarget(
        choice=args.engine,
        model=model or _default_model(args),
        language=getattr(args, "language", None) or (saved.language if saved else None) or None,
        timeout_s=args.timeout or (saved.timeout_s if saved else DEFAULT_TIMEOUT_S),
        ca_file=ca_file,
        api_key=key,
    )


def _default_model(args: argparse.Namespace) -> str:
    return REMOTE_DEFAULT_MODEL if args.engine.kind == "openai" else ""


def _saved_key(name: str) -> str:
    from app.core.engine.remote.api_keys import KeyringUnavailable, get_api_key

    try:
        return get_api_key(name)
    except KeyringUnavailable as exc:
        # The endpoint may need no key; if it does, its refusal says how to give one.
        log.info("no API key from the keyring for %s: %s", name, exc)
        return ""


def remote_file_engine(target: RemoteTarget, in_flight: int = 1) -> FileEngine:
    """The file engine that talks to ``target``, with at most ``in_flight`` requests at once.

    A long file's chunks share that limit with other files sent from other threads
    (OpenAI-compatible servers; a Wyoming server hears each file as one stream).

    Raises:
        RemoteEngineError: it cannot be set up (an unreadable CA file).
    """
    # Imported only here: the local path never loads a network client.
    if target.choice.kind == "wyoming":
        from app.core.engine.remote.wyoming_engine import WyomingEndpoint, WyomingTranscriber

        return WyomingTranscriber(
            WyomingEndpoint(target.choice.url, model=target.model, timeout_s=target.timeout_s)
        )
    from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber

    return OpenAITranscriber(
        OpenAIEndpoint(
            url=target.choice.url,
            model=target.model,
            api_key=target.api_key,
            ca_file=target.ca_file,
            timeout_s=target.timeout_s,
        ),
        in_flight=in_flight,
    )


def engine_argument(text: str) -> EngineChoice:
    """``--engine``'s value; a name is looked up among the saved endpoints."""
    value = text.strip()
    book = None
    if value.lower() != "local" and "://" not in value:
        book = load_endpoints().book
    try:
        return parse_engine(value, book)
    except EngineChoiceError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seconds_argument(text: str) -> float:
    """A positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text}")
    return value
