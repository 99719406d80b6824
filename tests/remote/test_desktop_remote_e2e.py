"""Hold-to-talk through a Wyoming server, as a user meets it: the words reach the focused app.

The whole desktop chain of tests/test_desktop_e2e.py (Xvfb, a PulseAudio null
sink as the microphone, ``saytype`` as a subprocess, a focused Qt text field,
``xdotool`` holding Ctrl+Shift+Space, hibari-tts speech played with ``paplay``)
with a saved Wyoming endpoint active: a real wyoming-faster-whisper whose log
shows it decoded the dictation. Killing the server mid-dictation must still
type the words (the local model finishes that dictation) and say why.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from saytype_bench.accuracy import word_error_rate
from tests.support.ci import fail_missing
from tests.support.desktop_app import RunningSaytype, running_saytype
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.target_window import qt_target
from tests.support.wyoming_server import (
    WyomingServer,
    running_wyoming_server,
    server_missing,
    stop,
)
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please send the quarterly report to the finance team before Friday."
WER_BOUND = 0.15  # as tests/test_desktop_e2e.py: one misheard word at most
SERVER_DECODED = "Processing audio with duration"


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[XServer, PulseDaemon]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse:
        yield xserver, pulse


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCE, tmp_path_factory.mktemp("speech") / "sentence.wav")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WyomingServer]:
    missing = server_missing()
    if missing is not None:
        fail_missing(missing)
    with running_wyoming_server(tmp_path / "wyoming") as running:
        yield running


@pytest.fixture
def saytype(
    desktop: tuple[XServer, PulseDaemon], server: WyomingServer, tmp_path: Path
) -> Iterator[RunningSaytype]:
    home = tmp_path / "home"
    config = home / "config" / "saytype"
    config.mkdir(parents=True)
    endpoint = {"name": "home", "url": server.url, "protocol": "wyoming", "language": "en"}
    (config / "endpoints.json").write_text(
        json.dumps({"schema_version": 1, "active": "home", "endpoints": [endpoint]}),
        encoding="utf-8",
    )
    with running_saytype(*desktop, home) as app:
        yield app


def dictate(
    desktop: tuple[XServer, PulseDaemon],
    app: RunningSaytype,
    wav: Path,
    while_speaking: object = None,
) -> tuple[str, str]:
    """Hold the hotkey while ``wav`` plays into the mic; the newest history entry and the
    target's text."""
    xserver, pulse = desktop
    with qt_target(xserver) as target:
        target.focus()
        keys = ["xdotool", "keydown", "ctrl+shift+space"]
        subprocess.run(keys, env=xserver.env(), check=True)
        try:
            app.wait(lambda: app.state() == "listening", "listening", 10)
            player = subprocess.Popen(["paplay", "--device=mic", str(wav)], env=pulse.full_env())
            try:
                if callable(while_speaking):
                    while_speaking()
            finally:
                player.wait(120)
        finally:
            keys = ["xdotool", "keyup", "space", "shift", "ctrl"]
            subprocess.run(keys, env=xserver.env(), check=True)
        app.wait(lambda: app.history() and app.state() == "idle", "the dictation", 60)
        final, _delivered_to = app.history()[-1]
        # The history's text, and the space a next dictation follows.
        return final, target.wait_for_text(final + " ", timeout=10).removesuffix(" ")


def test_hold_to_talk_through_wyoming_types_the_servers_words(
    desktop: tuple[XServer, PulseDaemon],
    saytype: RunningSaytype,
    server: WyomingServer,
    spoken: Path,
) -> None:
    final, typed = dictate(desktop, saytype, spoken)
    assert typed == final
    assert word_error_rate([SENTENCE], [final]) <= WER_BOUND, final
    assert server.log.read_text(errors="replace").count(SERVER_DECODED) == 1
    assert "streaming a dictation to wyoming://" in saytype.log_text()


def test_killing_the_server_mid_dictation_loses_nothing(
    desktop: tuple[XServer, PulseDaemon],
    saytype: RunningSaytype,
    server: WyomingServer,
    spoken: Path,
) -> None:
    def kill_once_streaming() -> None:
        saytype.wait(lambda: "streaming a dictation" in saytype.log_text(), "the stream", 30)
        stop(server)

    final, typed = dictate(desktop, saytype, spoken, kill_once_streaming)
    assert typed == final
    assert word_error_rate([SENTENCE], [final]) <= WER_BOUND, final
    assert SERVER_DECODED not in server.log.read_text(errors="replace")
    assert "the remote engine failed; finishing the dictation locally" in saytype.log_text()
