"""``saytype keys --print sway|hyprland|gnome|kde``: bind the hotkey in a Wayland compositor.

Prints the lines (sway, Hyprland) or commands (GNOME) or steps (KDE Plasma)
that run ``saytype start|stop|toggle|cancel`` on the user's hotkey, since on
Wayland the compositor, not Saytype, sees global keys.
"""

from __future__ import annotations

import argparse
import os
import sys

from app.core.hotkeys.chord import everyday_shortcut_problem, format_chord, parse_chord
from app.core.hotkeys.compositor_bindings import COMPOSITORS, binding_lines, detect_compositor


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``saytype keys``."""
    parser = subparsers.add_parser(
        "keys",
        help="print how to bind the hotkey in a Wayland compositor",
        description="Print the lines or commands that bind Saytype's hotkey (hold to talk "
        "where the compositor can, else tap to start and stop) and cancel in a Wayland "
        "compositor.",
    )
    parser.add_argument(
        "--print",
        dest="compositor",
        choices=COMPOSITORS,
        help="the compositor (default: this session's)",
    )
    parser.add_argument("--hotkey", help="the chord to bind (default: the one in Settings)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the bindings; 2 with one sentence when the compositor or hotkey is unusable."""
    x11 = os.environ.get("XDG_SESSION_TYPE") == "x11" or (
        not os.environ.get("WAYLAND_DISPLAY") and bool(os.environ.get("DISPLAY"))
    )
    if args.compositor is None and x11:  # nothing to bind: Saytype grabs its hotkey on X11
        sys.stdout.write(
            "Not needed: this is an X11 session, where Saytype grabs its hotkey itself "
            "(Settings → Dictation). For a Wayland compositor: saytype keys --print sway "
            "(sway, hyprland, gnome or kde).\n"
        )
        return 0
    compositor = args.compositor or detect_compositor(os.environ)
    if compositor is None:
        sys.stderr.write(
            "saytype: error: this session's compositor is unknown; name it, e.g. "
            "`saytype keys --print sway` (sway, hyprland, gnome or kde).\n"
        )
        return 2
    from app.commands.cli_settings import settings_for_command

    settings = settings_for_command()
    try:
        chord = parse_chord(args.hotkey or settings.hotkey)
    except ValueError as exc:
        sys.stderr.write(f"saytype: error: {exc}.\n")
        return 2
    problem = everyday_shortcut_problem(format_chord(chord))
    if problem:
        sys.stderr.write(f"saytype: error: {problem}.\n")
        return 2
    sys.stdout.write(binding_lines(compositor, chord, mode=settings.hotkey_mode))
    return 0
