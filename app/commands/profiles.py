"""``saytype profiles list|show|import|export|remove``: per-app profiles from a terminal.

The same file the GUI reads at each hotkey press (``profiles.json`` beside the
settings), so a profile imported here applies from the next dictation on, with
no restart. Every error is one sentence on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from app.commands.standard_output import write_out
from app.core.profiles.profile import Profile, ProfileError
from app.core.profiles.profile_file import (
    ExportWouldReplace,
    export_profiles,
    load_profiles,
    profile_to_data,
    profiles_locked,
    profiles_path,
    profiles_text,
    read_profile_file,
    read_profile_text,
    save_profiles,
)
from app.core.profiles.profile_rules import ProfileBook
from app.core.text.counted import counted


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``profiles`` subcommand and its actions."""
    parser = subparsers.add_parser(
        "profiles",
        help="list, show, import, export and remove per-app profiles",
        description="Per-app profiles change how a dictation is shaped and delivered in the "
        "application that has the focus when you press the hotkey. The README describes "
        "the JSON file format, so profiles can be shared.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the profiles in rule order, Default first")
    listing.add_argument("--json", action="store_true", help="print one JSON object per profile")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="print one profile as JSON")
    show.add_argument("name", metavar="NAME", help="the profile's name (any case)")
    show.set_defaults(run=run_show)
    remove = actions.add_parser("remove", help="delete one profile (not the Default one)")
    remove.add_argument("name", metavar="NAME", help="the profile's name (any case)")
    remove.set_defaults(run=run_remove)
    for action, text, run in (
        ("import", "add the profiles of FILE (same names are replaced)", run_import),
        ("export", "write every profile to FILE, to share or keep", run_export),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument(
            "file", metavar="FILE", type=Path, help="a profiles file (JSON); - for the terminal"
        )
        sub.set_defaults(run=run)
        if action == "export":
            sub.add_argument(
                "--force", action="store_true", help="replace FILE even when it holds no profiles"
            )


def run_list(args: argparse.Namespace, stdout: TextIO = sys.stdout) -> int:
    """Print the profiles, one per line (or JSON), in the order the rules are read."""
    book = _user_book()
    for profile in book.all():
        if args.json:
            stdout.write(json.dumps(profile_to_data(profile), ensure_ascii=False) + "\n")
        else:
            stdout.write(f"{profile.name:<16} {_rule(profile):<32} {_changes(profile)}\n")
    return 0


def run_show(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Print one profile as the file writes it."""
    profile = _user_book().find(args.name)
    if profile is None:
        return _no_such_profile(args.name, stderr)
    stdout.write(json.dumps(profile_to_data(profile), indent=2, ensure_ascii=False) + "\n")
    return 0


def run_remove(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Delete one profile from the user's file; the Default one always stays."""
    with profiles_locked():
        book = _user_book(stderr)
        profile = book.find(args.name)
        if profile is None:
            return _no_such_profile(args.name, stderr)
        if profile.is_default:
            stderr.write(
                "saytype profiles: error: the Default profile applies where no rule matches and "
                'cannot be removed; importing a file whose "default" changes nothing resets it.\n'
            )
            return 1
        try:
            save_profiles(book.without(profile.name))
        except ProfileError as exc:
            stderr.write(f"saytype profiles: error: {exc}\n")
            return 1
    stdout.write(f"Removed the profile {profile.name!r} from {profiles_path()}\n")
    return 0


def run_import(
    args: argparse.Namespace,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
) -> int:
    """Add FILE's profiles (``-``: standard input's) to the user's, all or nothing."""
    try:
        if str(args.file) == "-":
            incoming = read_profile_text(stdin.read(), "standard input")
        else:
            incoming = read_profile_file(args.file)
        with profiles_locked():
            save_profiles(_user_book(stderr).merged(incoming))
    except ProfileError as exc:
        stderr.write(f"saytype profiles: error: {exc}\n")
        return 1
    names = incoming.names_imported()
    listed = ", ".join(names) if names else "none"
    stdout.write(f"Imported {counted(len(names), 'profile')} ({listed}) into {profiles_path()}\n")
    return 0


def run_export(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Write every profile to FILE (``-``: standard output)."""
    book = _user_book(stderr)
    if str(args.file) == "-":
        write_out(stdout, profiles_text(book))
        return 0
    try:
        export_profiles(book, args.file, replace=args.force)
    except ExportWouldReplace as exc:
        stderr.write(f"saytype profiles: error: {exc}; --force replaces it.\n")
        return 1
    except ProfileError as exc:
        stderr.write(f"saytype profiles: error: {exc}\n")
        return 1
    stdout.write(f"Exported {counted(len(book.profiles) + 1, 'profile')} to {args.file}\n")
    return 0


def _no_such_profile(name: str, stderr: TextIO) -> int:
    stderr.write(
        f"saytype profiles: error: there is no profile called {name!r}; "
        "'saytype profiles list' shows them.\n"
    )
    return 1


def _user_book(stderr: TextIO = sys.stderr) -> ProfileBook:
    loaded = load_profiles()
    if loaded.notice:
        stderr.write(f"saytype profiles: {loaded.notice}\n")
    return loaded.book


def _rule(profile: Profile) -> str:
    if profile.is_default:
        return "(when no rule matches)"
    parts = [f"class ~ {profile.window_class}"] if profile.window_class else []
    parts += [f"title ~ {profile.window_title}"] if profile.window_title else []
    return ", ".join(parts)


def _changes(profile: Profile) -> str:
    if not profile.overrides:
        return "changes nothing"
    return ", ".join(f"{key}={_shown(value)}" for key, value in profile.overrides.items())


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if isinstance(value, bool) else str(value)
