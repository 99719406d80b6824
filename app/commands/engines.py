"""``saytype engines list|add|remove|test|use``: the remote endpoints saved for ``--engine NAME``.

Endpoints live in ``endpoints.json`` beside the settings; API keys go to the
system keyring, read from standard input (never an argument: ``ps`` shows
those) and never printed. ``test`` sends a second of tone to the server and
answers in one sentence: reachable, which model, how long it took, or the
server's error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import TextIO

from app.commands.engine_args import remote_file_engine, remote_target
from app.commands.engine_args import seconds_argument as _seconds
from app.core.control_channel import ControlError, ControlReply, NotRunning, send_command
from app.core.engine.engine_choice import EngineChoiceError, parse_engine, parse_url
from app.core.engine.remote.api_keys import (
    KeyringUnavailable,
    delete_api_key,
    get_api_key,
    set_api_key,
)
from app.core.engine.remote.endpoint_book import Endpoint, EndpointError, protocol_of
from app.core.engine.remote.endpoint_check import (
    reachable_sentence,
    send_test_audio,
    unusable_sentence,
)
from app.core.engine.remote.endpoint_file import endpoints_path, load_endpoints, save_endpoints
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url
from app.core.json_file import exclusive_update
from app.core.settings_error import SettingsError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``engines`` and its actions."""
    parser = subparsers.add_parser(
        "engines",
        help="saved transcription servers for --engine NAME",
        description="Save, list, test and remove the remote transcription servers that "
        "--engine NAME and dictation can use. API keys are kept in the system keyring.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="show the saved endpoints")
    listing.add_argument("--json", action="store_true", help="one JSON object per endpoint")
    listing.set_defaults(run=run_list)

    add = actions.add_parser("add", help="save an endpoint (or replace the one of that name)")
    add.add_argument("name", metavar="NAME", help="what to call it, e.g. gpu-box")
    add.add_argument(
        "url",
        metavar="URL",
        help="http(s)://HOST:PORT/v1 (OpenAI-compatible) or wyoming://HOST:PORT",
    )
    add.add_argument(
        "--model",
        default="",
        metavar="M",
        help="model name the server knows (default: whisper-1 for OpenAI-compatible servers)",
    )
    add.add_argument("--language", default="", metavar="L", help="language code, e.g. en")
    add.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        metavar="S",
        help="seconds a request may take (default 600; at the default a dictation waits 30 s, "
        "then the local model finishes it)",
    )
    add.add_argument("--ca-file", type=Path, metavar="FILE", help="CA certificates (PEM) for https")
    add.add_argument(
        "--api-key-stdin",
        action="store_true",
        help="read the API key from standard input and keep it in the system keyring",
    )
    add.add_argument("--activate", action="store_true", help="make it the dictation engine")
    add.set_defaults(run=run_add)

    remove = actions.add_parser("remove", help="forget an endpoint and its API key")
    remove.add_argument("name", metavar="NAME", help="a saved endpoint's name")
    remove.set_defaults(run=run_remove)

    test = actions.add_parser("test", help="send a second of audio and report in one sentence")
    test.add_argument("name", metavar="NAME", help="a saved endpoint's name")
    test.set_defaults(run=run_test)

    use = actions.add_parser("use", help="pick the dictation engine: a saved NAME or 'local'")
    use.add_argument("name", metavar="NAME", help="a saved endpoint's name, or 'local'")
    use.add_argument(
        "--no-fallback",
        action="store_true",
        help="when the server fails, fail the dictation (its recording is kept for recovery) "
        "instead of finishing it with the local model",
    )
    use.set_defaults(run=run_use)


def run_list(args: argparse.Namespace, stdout: TextIO = sys.stdout) -> int:
    """Print the saved endpoints, the active one marked."""
    loaded = load_endpoints()
    _notice(loaded.notice)
    book = loaded.book
    if args.json:
        for endpoint in book.endpoints:
            record = {
                "name": endpoint.name,
                "url": display_url(endpoint.url),
                "protocol": endpoint.protocol,
                "model": endpoint.model,
                "language": endpoint.language,
                "timeout": endpoint.timeout_s,
                "ca_file": endpoint.ca_file,
                "active": endpoint.name == book.active,
            }
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return 0
    if not book.endpoints:
        stdout.write(
            "No saved endpoints; dictation and files run locally. Add one with "
            "'saytype engines add NAME URL'.\n"
        )
        return 0
    width = max(len(endpoint.name) for endpoint in book.endpoints)  # the URLs line up
    for endpoint in book.endpoints:
        mark = "*" if endpoint.name == book.active else " "
        details = ", ".join(
            part
            for part in (
                endpoint.protocol,
                f"model {endpoint.model}" if endpoint.model else "",
                f"language {endpoint.language}" if endpoint.language else "",
                f"timeout {endpoint.timeout_s:g} s",
            )
            if part
        )
        url = display_url(endpoint.url)
        stdout.write(f"{mark} {endpoint.name:<{width}}  {url}  ({details})\n")
    if not book.active:
        stdout.write("Dictation uses the local engine ('saytype engines use NAME' picks one).\n")
    elif book.fallback:
        stdout.write(f"Dictation uses {book.active}; if it fails, the local model finishes.\n")
    else:
        stdout.write(f"Dictation uses {book.active}, with no local fallback.\n")
    return 0


def run_add(args: argparse.Namespace, stdin: TextIO = sys.stdin) -> int:
    """Save an endpoint; with ``--api-key-stdin``, its key goes to the keyring."""
    try:
        parse_url(args.url.strip(), url_only=True)  # the same checks as --engine URL
        protocol = protocol_of(args.url)
        if protocol is None:
            raise EndpointError(f"'{args.url}' is not a server URL")
        endpoint = Endpoint(
            name=args.name,
            url=args.url.strip().rstrip("/"),
            protocol=protocol,
            model=args.model,
            language=args.language,
            timeout_s=args.timeout,
            ca_file=str(args.ca_file.resolve()) if args.ca_file else "",
        )
    except (EngineChoiceError, EndpointError) as exc:
        return _error(str(exc))
    if args.ca_file is not None and not args.ca_file.is_file():
        return _error(f"The CA file {args.ca_file} does not exist; give a PEM file.")
    key = stdin.readline().strip() if args.api_key_stdin else ""
    if args.api_key_stdin and not key:
        return _error("No API key on standard input; pipe it in, e.g. from your password manager.")
    with exclusive_update(endpoints_path()):  # another `engines add` must not undo this one
        before = load_endpoints().book
        replaced_active = before.active == endpoint.name  # its URL or options may have changed
        old = before.get(endpoint.name)  # saved again without a key: the one it had stays
        has_key = bool(key) or (old is not None and old.has_api_key)
        book = before.with_endpoint(dataclasses.replace(endpoint, has_api_key=has_key))
        if args.activate:
            book = book.activated(endpoint.name)
        try:
            if key:
                set_api_key(endpoint.name, key)
            save_endpoints(book)
        except (KeyringUnavailable, SettingsError) as exc:
            return _error(str(exc))
    stored = " (API key in the system keyring)" if key else ""
    active = "; dictation now uses it" if args.activate else ""
    sys.stdout.write(f"Saved {endpoint.name}: {display_url(endpoint.url)}{stored}{active}.\n")
    if protocol == "openai" and not endpoint.url.endswith("/v1"):
        _notice(
            "OpenAI-compatible servers' URLs usually end in /v1; "
            f"'saytype engines test {endpoint.name}' checks this one."
        )
    if args.activate or replaced_active:
        _tell_running_app()
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Forget an endpoint, and its key in the keyring."""
    try:
        with exclusive_update(endpoints_path()):
            before = load_endpoints().book
            book = before.without(args.name)
            save_endpoints(book)
    except (EndpointError, SettingsError) as exc:
        return _error(str(exc))
    gone = before.get(args.name)
    try:
        if gone is not None and gone.has_api_key:  # else the keyring is not asked: it may prompt
            delete_api_key(args.name)
    except KeyringUnavailable as exc:
        sys.stderr.write(f"saytype: warning: {exc}\n")
    sys.stdout.write(f"Removed {args.name}.\n")
    if before.active == args.name:  # dictation is local now
        _tell_running_app()
    return 0


def run_use(args: argparse.Namespace) -> int:
    """Make a saved endpoint (or ``local``) the dictation engine."""
    try:
        with exclusive_update(endpoints_path()):
            book = load_endpoints().book.activated(args.name, fallback=not args.no_fallback)
            save_endpoints(book)
    except (EndpointError, SettingsError) as exc:
        return _error(str(exc))
    where = book.active_endpoint
    said = f"{where.name} ({display_url(where.url)})" if where else "the local engine"
    no_fallback = ", with no local fallback" if where and not book.fallback else ""
    sys.stdout.write(f"Dictation now uses {said}{no_fallback}.\n")
    _tell_running_app()
    return 0


def _tell_running_app() -> None:
    """A running Saytype read the endpoints when it started: it follows the new choice now."""
    try:
        reply = send_command("engines")
    except NotRunning:
        return  # the next start reads the file
    except ControlError as exc:
        reply = ControlReply(ok=False, state="", message=str(exc))
    if reply.ok:
        sys.stdout.write("The running Saytype follows it from its next dictation.\n")
    else:
        sys.stderr.write(
            "saytype: warning: the running Saytype did not take the change "
            f"({reply.message}); quit and start it again.\n"
        )


def run_test(args: argparse.Namespace, stdout: TextIO = sys.stdout) -> int:
    """Send the test sentence to the endpoint; one sentence on how it went."""
    book = load_endpoints().book
    endpoint = book.get(args.name)
    if endpoint is None:
        return _error(f"There is no saved endpoint '{args.name}'; see 'saytype engines list'.")
    choice = parse_engine(endpoint.name, book)
    target = remote_target(argparse.Namespace(engine=choice, ca_file=None, timeout=None))
    try:
        answer = send_test_audio(remote_file_engine(target))
    except RemoteEngineError as exc:
        return _error(unusable_sentence(endpoint.name, exc))
    sentence = reachable_sentence(
        endpoint.name, endpoint.url, target.model, answer, _key_note(endpoint)
    )
    stdout.write(sentence + "\n")
    return 0


def _key_note(endpoint: Endpoint) -> str:
    if not endpoint.has_api_key:  # saved without one: the keyring is not asked
        return ""
    try:
        return " (with the API key from the keyring)" if get_api_key(endpoint.name) else ""
    except KeyringUnavailable:
        return ""


def _notice(notice: str | None) -> None:
    if notice:
        sys.stderr.write(f"saytype: warning: {notice}\n")


def _error(message: str) -> int:
    sys.stderr.write(f"saytype: error: {message}\n")
    return 1
