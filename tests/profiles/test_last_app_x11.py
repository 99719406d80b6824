"""Settings → Profiles → *Add for the last app* on X11: the app used last before Saytype.

A real Xvfb with an xterm and two Qt windows; one Qt window stands for Saytype
(its process is "own"). Bare Xvfb has no window manager, so the test raises each
window it focuses, as a window manager does; the stacking order then tells which
other app had the focus last.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from app.core.profiles.focused_window import X11FocusedWindow
from tests.support.target_window import Target, qt_target, xterm_target
from tests.support.xserver import XServer, running_xvfb

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    with running_xvfb() as server:
        yield server


def use(xserver: XServer, target: Target) -> None:
    """Click into a window: the window manager raises it and gives it the focus."""
    subprocess.run(["xdotool", "windowraise", target.window_id], env=xserver.env(), check=True)
    target.focus()


def test_the_app_used_last_before_saytype_is_found(xserver: XServer) -> None:
    with (
        xterm_target(xserver) as terminal,
        qt_target(xserver) as editor,
        qt_target(xserver) as saytype,
    ):
        lookup = X11FocusedWindow(xserver.display)
        try:
            use(xserver, terminal)
            use(xserver, editor)
            use(xserver, saytype)
            found = lookup.last_other(saytype.process.pid)
            assert found is not None
            assert found.title == f"saytype-qt-target-{editor.outfile.stem}"

            use(xserver, terminal)
            use(xserver, saytype)
            found = lookup.last_other(saytype.process.pid)
            assert found is not None
            assert found.window_class == "XTerm"

            use(xserver, editor)  # another app has the focus: that one
            found = lookup.last_other(saytype.process.pid)
            assert found is not None
            assert found.title == f"saytype-qt-target-{editor.outfile.stem}"
        finally:
            lookup.close()


def test_two_terminals_of_one_class_are_told_apart_by_their_window(xserver: XServer) -> None:
    # A hold in one terminal, a click into a second: the text is only for the first, so
    # the window held in is known by itself, as the X11 keyboard names the focused one.
    with xterm_target(xserver) as first, xterm_target(xserver) as second:
        lookup = X11FocusedWindow(xserver.display)
        try:
            seen = []
            for terminal in (first, second):
                use(xserver, terminal)
                found = lookup.identify()
                assert found is not None
                assert found.window_class == "XTerm"
                assert int(found.window_id, 16) == int(terminal.window_id)
                seen.append(found.window_id)
            assert seen[0] != seen[1]
        finally:
            lookup.close()
