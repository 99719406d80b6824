"""``saytype toggle|start|stop|cancel|show|quit|status``: drive the running app.

For desktop keybindings where global hotkeys are impossible (Wayland). Only the
standard library is used, so a keybinding answers fast.
"""

from __future__ import annotations

import argparse
import sys

from app.core.control_channel import (
    REPLY_WAIT_S,
    ControlError,
    NotRunning,
    key_time,
    send_command,
)

START_WAIT_S = 20.0
_KEY_COMMANDS = frozenset({"press", "release"})
_STARTING = frozenset({"start", "press"})  # they answer once the microphone opened

_HELP = {
    "toggle": "start a dictation, or finish the one under way",
    "start": "start a dictation",
    "stop": "finish the dictation under way (its text is delivered)",
    "press": "the hotkey went down: for a compositor's key binding (see `saytype keys`); "
    "Settings' hotkey mode applies (hold to talk, tap to start and stop)",
    "release": "the hotkey went up: the other half of `saytype press`",
    "cancel": "drop the dictation under way (nothing is delivered)",
    "show": "show the Saytype window",
    "quit": "quit the running Saytype",
    "status": "print the running Saytype's state",
}


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register one subcommand per control command."""
    for command, text in _HELP.items():
        parser = subparsers.add_parser(
            command, help=text, description=text[0].upper() + text[1:] + "."
        )
        parser.set_defaults(run=run, control_command=command)
        if command == "quit":
            parser.add_argument(
                "--force",
                action="store_true",
                help="quit even when queued files would stop or unsaved transcripts be lost",
            )


def run(args: argparse.Namespace) -> int:
    """Send the command; print the state (status) or any refusal; 0 when obeyed."""
    try:
        command = args.control_command
        forced = ["--force"] if getattr(args, "force", False) else []
        # The key's moment: its release may overtake its press on the way (key_commands).
        sent = [f"{key_time():.6f}"] if command in _KEY_COMMANDS else forced
        # `start` answers once the microphone opened, which may wait for a close and a
        # device rescan first; the others answer at once.
        wait_s = START_WAIT_S if command in _STARTING else REPLY_WAIT_S
        reply = send_command(command, sent, timeout_s=wait_s)
    except ControlError as exc:
        sys.stderr.write(f"saytype: error: {exc}\n")
        if not sys.stderr.isatty():  # run from a keybinding: nobody reads stderr
            _tell_the_desktop(args.control_command, exc)
        return 1
    if args.control_command == "status":
        sys.stdout.write(reply.state + "\n" + (reply.message + "\n" if reply.message else ""))
    if not reply.ok:  # a refusal: e.g. "stop" while idle
        sys.stderr.write(f"saytype: error: {reply.message or 'the command was refused'}\n")
        if args.control_command in _STARTING and not sys.stderr.isatty():
            _tell_the_desktop_it_failed(reply.message)  # a key pressed for nothing, silently
        return 1
    return 0


def _tell_the_desktop_it_failed(message: str) -> None:
    """A key's dictation could not start (no microphone): say why where the user looks."""
    from app.core.desktop_notification import notify

    notify("Saytype could not start dictating", message or "The dictation was refused.")


def _tell_the_desktop(command: str, error: ControlError) -> None:
    """Say in a desktop notification why the key did nothing."""
    from app.core.desktop_notification import notify

    if isinstance(error, NotRunning):
        notify(
            "Saytype is not running",
            f"“saytype {command}” needs the Saytype window open. Start Saytype from your "
            "applications menu (or run “saytype”), then press the key again.",
        )
    else:
        notify(f"“saytype {command}” failed", str(error))
