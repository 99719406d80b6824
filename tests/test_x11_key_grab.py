"""The hotkey is reserved on X11: the focused app never receives it, and clashes are reported."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.hotkeys.chord import parse_chord
from app.core.hotkeys.x11_grab import KeyGrabError, X11KeyGrab
from tests.support.target_window import xterm_target
from tests.support.xserver import XServer, running_xvfb

pytestmark = pytest.mark.integration

CHORD = parse_chord("ctrl+shift+space")


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    with running_xvfb() as server:
        yield server


def _xdotool(xserver: XServer, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=xserver.env(), check=True, timeout=10)


def test_a_grabbed_chord_never_reaches_the_focused_terminal(
    xserver: XServer, tmp_path: Path
) -> None:
    grab = X11KeyGrab(xserver.display)
    try:
        grab.grab(CHORD)
        with xterm_target(xserver, tmp_path) as terminal:
            terminal.focus()
            # Unreserved, xterm turns Ctrl+Space into a NUL byte in front of "ok".
            _xdotool(xserver, "key", "ctrl+shift+space")
            _xdotool(xserver, "type", "ok")
            assert terminal.wait_for_text("ok") == "ok"
    finally:
        grab.close()


def test_without_the_grab_the_terminal_does_receive_it(xserver: XServer, tmp_path: Path) -> None:
    # The control case: proves the test above can fail.
    with xterm_target(xserver, tmp_path) as terminal:
        terminal.focus()
        _xdotool(xserver, "key", "ctrl+shift+space")
        _xdotool(xserver, "type", "ok")
        assert terminal.wait_for_text("\x00ok") == "\x00ok"


def test_a_chord_held_by_another_app_is_reported(xserver: XServer) -> None:
    first = X11KeyGrab(xserver.display)
    second = X11KeyGrab(xserver.display)
    try:
        first.grab(CHORD)
        with pytest.raises(KeyGrabError, match="already reserved"):
            second.grab(CHORD)
        first.ungrab(CHORD)
        second.grab(CHORD)  # free again once released
    finally:
        first.close()
        second.close()


def test_escape_is_reserved_only_while_active(xserver: XServer, tmp_path: Path) -> None:
    grab = X11KeyGrab(xserver.display)
    try:
        with xterm_target(xserver, tmp_path) as terminal:
            terminal.focus()
            grab.set_escape(True)
            _xdotool(xserver, "key", "Escape")
            grab.set_escape(False)
            _xdotool(xserver, "key", "Escape")
            _xdotool(xserver, "type", "ok")
            assert terminal.wait_for_text("\x1bok") == "\x1bok"  # only the second Esc arrived
    finally:
        grab.close()
