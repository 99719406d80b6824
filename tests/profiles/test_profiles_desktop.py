"""Two real applications, the same dictation, each shaped by its own profile.

As a user meets it: a real X server (Xvfb) and PulseAudio daemon, ``saytype``
as a subprocess with a profiles file, and two real target windows with
different WM_CLASS: ``xterm`` (a raw tty reader records what a shell would
read) and a Qt line edit. The same hibari-tts sentence is spoken into the
null sink with the hotkey held, once with each window focused. The terminal
gets the plain style and a real Enter after the text (the line end on its
tty); the Qt window gets sentence case and a space after. Each history
entry names the profile that shaped it, and its text is what arrived.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from saytype_bench.accuracy import word_error_rate
from tests.support.desktop_app import RunningSaytype, running_saytype
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.target_window import Target, qt_target, xterm_target
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please send the quarterly report to the finance team before Friday."
WER_BOUND = 0.15  # as test_desktop_e2e.py: room for one misheard word, not for a wrong text
PROFILES = {
    "format": 1,
    "profiles": [
        {
            "name": "Terminal",
            "window_class": "^xterm$",
            "settings": {"style": "plain", "after_text": "enter"},
        },
        {
            # The Qt target runs as tests/support/target_window.py: that is its WM_CLASS.
            "name": "Notes",
            "window_class": r"^target_window\.py$",
            "settings": {"after_text": "space"},
        },
    ],
}


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[XServer, PulseDaemon]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse:
        yield xserver, pulse


@pytest.fixture(scope="module")
def saytype(
    desktop: tuple[XServer, PulseDaemon], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningSaytype]:
    home = tmp_path_factory.mktemp("home")
    config = home / "config" / "saytype"
    config.mkdir(parents=True)
    (config / "profiles.json").write_text(json.dumps(PROFILES), encoding="utf-8")
    with running_saytype(*desktop, home) as app:
        yield app


def newest_entry(app: RunningSaytype) -> tuple[str, str | None, str | None]:
    """(text, delivered_to, profile) of the newest history entry."""
    with sqlite3.connect(app.data_dir / "saytype" / "history.sqlite3") as db:
        row = db.execute(
            "SELECT text, delivered_to, profile FROM dictations ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return row[0], row[1], row[2]


def dictate(
    target: Target, desktop: tuple[XServer, PulseDaemon], app: RunningSaytype, wav: Path
) -> tuple[str, str | None, str | None]:
    """Focus ``target`` and speak ``wav`` with the hotkey held; return the new history entry."""
    xserver, pulse = desktop
    target.focus()
    before = len(app.history())
    subprocess.run(["xdotool", "keydown", "ctrl+shift+space"], env=xserver.env(), check=True)
    try:
        app.wait(lambda: app.state() == "listening", "listening", 10)
        pulse.play(wav)
    finally:
        subprocess.run(
            ["xdotool", "keyup", "space", "shift", "ctrl"], env=xserver.env(), check=True
        )
    # History is written before delivery; its delivered_to is set once the text went out,
    # a moment after the app says it is idle again.
    app.wait(
        lambda: len(app.history()) > before and app.history()[-1][1] is not None,
        "the dictation to be delivered",
        30,
    )
    return newest_entry(app)


def test_the_same_dictation_is_shaped_by_each_windows_profile(
    desktop: tuple[XServer, PulseDaemon],
    saytype: RunningSaytype,
    speech: SpeechMaker,
    tmp_path: Path,
) -> None:
    wav = speech.wav(SENTENCE, tmp_path / "sentence.wav")
    xserver = desktop[0]
    with xterm_target(xserver, tmp_path) as terminal, qt_target(xserver, tmp_path) as notes:
        in_terminal, terminal_how, terminal_profile = dictate(terminal, desktop, saytype, wav)
        # A real Enter: the tty reads the line end right after the pasted text (the Return
        # key's carriage return comes through the tty as "\n", as a hand-pressed Return's).
        assert terminal.wait_for_text(in_terminal + "\n", timeout=10) == in_terminal + "\n"
        assert terminal_profile == "Terminal"
        assert terminal_how == "pasted"

        in_notes, notes_how, notes_profile = dictate(notes, desktop, saytype, wav)
        assert notes.wait_for_text(in_notes + " ", timeout=10) == in_notes + " "
        assert notes_profile == "Notes"
        assert notes_how == "pasted"
        assert terminal.text() == in_terminal + "\n"  # nothing more reached the terminal

    assert word_error_rate([SENTENCE], [in_notes]) <= WER_BOUND, in_notes
    # Same words, each in its profile's style: sentence case and a full stop for the
    # notes, no capital at the start and no final full stop for the terminal.
    assert in_notes[0].isupper()
    assert in_notes.endswith(".")
    assert in_terminal[0].islower()
    assert not in_terminal.endswith(".")
    assert in_terminal == in_notes[0].lower() + in_notes[1:-1]
