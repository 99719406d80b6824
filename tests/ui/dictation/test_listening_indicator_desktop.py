"""The listening indicator on a real X server, over another app, with Saytype's window hidden.

``saytype`` runs as a subprocess on Xvfb with PulseAudio as its microphone; an
xterm has the keyboard focus and Saytype's own window is unmapped, which is how
a user on stock GNOME (no tray) meets it. ``saytype start`` must bring up the
strip without moving the focus, hibari speech must show up in it, and the text
must still be typed into the xterm. The screen is saved as
listening-indicator.png (docs/screenshots with SAYTYPE_SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.ci import fail_missing
from tests.support.desktop_app import RunningSaytype, running_saytype
from tests.support.pulse import running_pulseaudio
from tests.support.screenshots import save_screen
from tests.support.speech import SpeechMaker
from tests.support.target_window import xterm_target
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCES = [
    "Remind me to water the plants on Thursday morning.",
    "Then call the garden centre about the new hose.",
]
INDICATOR_TITLE = "^Saytype is listening$"


def _xdotool(xserver: XServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["xdotool", *args],
        env=xserver.env(),
        capture_output=True,
        text=True,
        timeout=20,
        check=False,  # "search" finding nothing exits 1
    )


def _visible_windows(xserver: XServer, title: str) -> list[str]:
    return _xdotool(xserver, "search", "--onlyvisible", "--name", title).stdout.split()


def _focus(xserver: XServer) -> str:
    return _xdotool(xserver, "getwindowfocus").stdout.strip()


def _text_width(xserver: XServer, window_id: str) -> int:
    """How wide the text in the strip's lower part (below the meter) is, in pixels."""
    grab = subprocess.run(
        ["import", "-window", window_id, "png:-"],
        env=xserver.env(),
        capture_output=True,
        timeout=20,
        check=False,  # the strip may just be unmapping
    )
    if grab.returncode != 0:
        return 0
    # Shaved of its frame, the text row is one colour until glyphs are drawn; -trim
    # then leaves just the glyphs (a one-colour row trims to a 1-pixel "image").
    crop = ["-shave", "4x4", "-gravity", "south", "-crop", "100%x40%+0+0", "+repage"]
    trimmed = subprocess.run(
        ["convert", "png:-", *crop, "-trim", "-format", "%w %k", "info:"],
        input=grab.stdout,
        capture_output=True,
        timeout=20,
        check=True,
    )
    width, colours = trimmed.stdout.split()
    return int(width) if int(colours) > 1 else 0


def _wait(
    app: RunningSaytype, condition: Callable[[], bool], what: str, timeout: float = 30
) -> None:
    app.wait(condition, what, timeout)


def test_the_strip_shows_listening_over_another_app_without_taking_the_focus(
    speech: SpeechMaker, tmp_path: Path
) -> None:
    for tool in ("import", "convert"):
        if shutil.which(tool) is None:
            fail_missing("needs ImageMagick (apt install imagemagick)")
    wav = speech.wav(SENTENCES, tmp_path / "sentence.wav")
    with (
        running_xvfb() as xserver,
        running_pulseaudio() as pulse,
        running_saytype(xserver, pulse, tmp_path / "home") as app,
        xterm_target(xserver, tmp_path) as target,
    ):
        for window in _visible_windows(xserver, "^Saytype$"):
            _xdotool(xserver, "windowunmap", "--sync", window)  # hidden, as with no tray
        _xdotool(xserver, "windowmove", "--sync", target.window_id, "330", "160")
        target.focus()
        focused = _focus(xserver)
        assert not _visible_windows(xserver, INDICATOR_TITLE)  # idle: nothing on screen

        assert app.command("start").returncode == 0
        _wait(app, lambda: app.state() == "listening", "listening")
        _wait(app, lambda: bool(_visible_windows(xserver, INDICATOR_TITLE)), "the indicator")
        strip = _visible_windows(xserver, INDICATOR_TITLE)[0]
        assert _focus(xserver) == focused  # the xterm keeps the keyboard
        attributes = subprocess.run(
            ["xwininfo", "-id", strip],
            env=xserver.env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Override Redirect State: yes" in attributes  # no taskbar lists it

        # Speak in the background: the picture is taken mid-sentence, meter moving.
        speaking = subprocess.Popen(["paplay", "--device=mic", str(wav)], env=pulse.full_env())
        try:
            # A few words in (~20 characters): the picture shows what the strip is for.
            _wait(app, lambda: _text_width(xserver, strip) > 150, "words in the indicator")
            screen = save_screen(xserver.env(), "listening-indicator.png", tmp_path)
        finally:
            assert speaking.wait(timeout=60) == 0
        assert screen.exists()
        assert _focus(xserver) == focused

        before = len(app.history())
        assert app.command("stop").returncode == 0
        _wait(
            app,
            # delivered_to is written a moment after the app is idle again
            lambda: len(app.history()) > before and app.history()[-1][1] is not None,
            "the dictation to be delivered",
        )
        final, delivered_to = app.history()[-1]
        assert delivered_to in {"pasted", "typed"}
        # Typed where the focus was, with the space a next dictation follows.
        assert target.wait_for_text(final + " ", timeout=10) == final + " "
        _wait(app, lambda: not _visible_windows(xserver, INDICATOR_TITLE), "the strip to hide", 10)
