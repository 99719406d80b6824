"""Saytype's command line: ``saytype`` (the GUI), ``transcribe | listen | bench | toggle …``.

The CLI is a contract used by benchmarks and acceptance checks; keep options
stable and add freely. Heavy modules load inside each subcommand, so ``--help``
and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from app import __version__


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand registered."""
    from app.commands import (
        bench,
        control,
        doctor,
        engines,
        keys,
        listen,
        models,
        profiles,
        recover,
        transcribe,
    )

    parser = argparse.ArgumentParser(
        prog="saytype",
        description="Offline dictation and transcription with a local Whisper model. "
        "No audio leaves this machine, unless --engine names a server.",
        epilog="Run 'saytype' with no arguments to open the window. 'saytype FILE…' queues "
        "the files for transcription in the running app (starting it if needed).",
    )
    parser.add_argument("--version", action="version", version=f"saytype {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress details to stderr; twice (-vv) also logs debugging details, "
        "to stderr and to the log file",
    )
    parser.add_argument(
        "--control-user",
        metavar="USER",
        action="append",
        default=[],
        help="with the window: also obey `saytype start|stop|…` run by USER (a name or uid), for a "
        "compositor or hotkey daemon that runs as another user; USER must be able to reach the "
        "control socket. Repeat for more users; everyone else stays refused",
    )
    parser.add_argument(
        "--hidden",
        action="store_true",
        help="with the window: start in the tray with the window closed (how start at login "
        "runs it); where there is no tray the window opens",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    transcribe.add_parser(subparsers)
    listen.add_parser(subparsers)
    bench.add_parser(subparsers)
    models.add_parser(subparsers)
    profiles.add_parser(subparsers)
    engines.add_parser(subparsers)
    recover.add_parser(subparsers)
    control.add_parsers(subparsers)
    keys.add_parser(subparsers)
    doctor.add_parser(subparsers)
    return parser


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._subparsers._actions if parser._subparsers else []:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _looks_like_file(arg: str) -> bool:
    """A first argument that is a file to queue rather than a misspelt command."""
    from app.core.audio.media_files import is_media_file

    path = Path(arg)
    # A name with a slash in it is a path even where nothing is there: no command has one.
    named_as_path = os.sep in arg or arg.startswith("~")
    return not arg.startswith("-") and (path.exists() or is_media_file(path) or named_as_path)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``saytype`` console script; returns the exit status."""
    from app.commands.standard_output import ClosedOutput, OutputError, drop_stdout, write_out
    from app.core.offline import enforce_offline

    enforce_offline()  # before the model libraries load: they read the switches at import
    if sys.stdout is None:  # started with it closed (>&-): a command that prints says so
        sys.stdout = ClosedOutput()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in _command_names(parser) and _looks_like_file(argv[0]):
        # `saytype FILE…`: the GUI with those files queued.
        _start_logging(verbosity=0, gui=True)
        from app.main import run_gui

        return run_gui([Path(name) for name in argv])
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        _hint_dash_files(argv)
        raise
    except OutputError as exc:  # --help with nowhere to print it
        sys.stderr.write(f"saytype: error: {exc}.\n")
        return 1
    run = getattr(args, "run", None)
    _start_logging(args.verbose, gui=run is None)
    if run is None:
        from app.main import run_gui  # Qt loads only for the GUI

        uids = [_user_id(name, parser) for name in args.control_user]
        return run_gui(control_uids=uids, hidden=args.hidden)
    try:
        status: int = run(args)
        write_out(sys.stdout, "")  # a closed pipe or a full disk shows here, not at exit
    except KeyboardInterrupt:
        # The interrupt abandons a request's coroutines mid-step (httpx's, in a server's
        # engine); their "never awaited" warnings at exit would bury the one line that counts.
        warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
        sys.stderr.write("\nsaytype: interrupted.\n")
        return 130
    except BrokenPipeError:  # the reader left (| head): finish quietly, as Unix tools do
        drop_stdout()
        return 0
    except OutputError as exc:
        sys.stderr.write(f"saytype: error: {exc}.\n")
        drop_stdout()
        return 1
    return status


def _hint_dash_files(argv: Sequence[str]) -> None:
    """After a usage error: a file named like an option ("-take 2.wav") needs ``--`` first."""
    dashed = [arg for arg in argv if arg.startswith("-") and len(arg) > 1 and Path(arg).is_file()]
    if dashed and "--" not in argv:
        sys.stderr.write(
            f"saytype: {dashed[0]!r} is a file: put -- before file names that start with a dash "
            f"(saytype {argv[0] if argv else 'transcribe'} -- {dashed[0]}).\n"
        )


def _user_id(name: str, parser: argparse.ArgumentParser) -> int:
    """The uid of a user given by name or number; a usage error when there is none."""
    import pwd

    try:
        return pwd.getpwnam(name).pw_uid if not name.isdigit() else pwd.getpwuid(int(name)).pw_uid
    except KeyError:
        parser.error(f"--control-user: no user {name!r} on this system")


def _start_logging(verbosity: int, *, gui: bool) -> None:
    """Log to stderr and to the rotating log file, for the GUI and every command alike.

    Errors only on stderr unless ``-v`` (INFO) or ``-vv`` (DEBUG, also in the file,
    which otherwise keeps INFO). The GUI also routes Qt's messages there and shows a
    dialog when an unexpected error reaches the excepthook.
    """
    from app.core.log_file import start_logging

    stderr_level = {0: logging.ERROR, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logs = start_logging(stderr_level, logging.DEBUG if verbosity >= 2 else logging.INFO)
    if logs is None:
        return  # logging was configured by whoever runs us (a test runner)
    logging.getLogger(__name__).info(
        "saytype %s started (%s), pid %d", __version__, "GUI" if gui else "command", os.getpid()
    )
    if gui:
        from app.ui.shell.qt_log import install_qt_logging  # Qt loads only for the GUI

        install_qt_logging(logs)
