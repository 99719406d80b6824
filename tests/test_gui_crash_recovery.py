"""kill -9 of the desktop app in the middle of a dictation, then the words come back.

A quit in the middle of a dictation (``saytype quit``, or Quit once the question
is answered) stops it the same way: its journal stays, and the words come back.

A real Xvfb and PulseAudio (the null sink's monitor is the microphone), ``saytype``
started as a subprocess with private XDG folders, a dictation started over the
control socket, hibari speech played into the sink, and SIGKILL while the app is
still listening. Nothing may have been saved or typed; the journal must hold the
speech, and ``saytype recover --jsonl`` must give back what was said.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from saytype_bench.accuracy import word_error_rate
from tests.support.desktop_app import app_environment, wait_while_running
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "The meeting moved to Thursday afternoon, so please update the calendar."
WER_BOUND = 0.15  # hibari speech of an everyday sentence: one misheard word at most
_WAV_HEADER_BYTES = 44
_BYTES_PER_SECOND = SAMPLE_RATE * 2  # the journal is 16-bit mono


@pytest.fixture
def desktop() -> Iterator[tuple[XServer, PulseDaemon]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse:
        yield xserver, pulse


@pytest.mark.parametrize("ending", ["kill -9", "quit"])
def test_kill_9_or_quit_while_listening_then_recover_gives_back_the_dictation(
    desktop: tuple[XServer, PulseDaemon], speech: SpeechMaker, tmp_path: Path, ending: str
) -> None:
    xserver, pulse = desktop
    wav = speech.wav(SENTENCE, tmp_path / "sentence.wav")
    with wave.open(str(wav)) as reader:
        spoken_s = reader.getnframes() / reader.getframerate()
    env = app_environment(xserver, pulse, tmp_path)
    journals = tmp_path / "data" / "saytype" / "journals"
    history = tmp_path / "data" / "saytype" / "history.sqlite3"
    repo = Path(__file__).resolve().parents[1]

    def saytype(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=repo,
        )

    def journaled_s() -> float:
        sizes = (
            [path.stat().st_size for path in journals.glob("*.wav")] if journals.exists() else []
        )
        return max(0, max(sizes, default=0) - _WAV_HEADER_BYTES) / _BYTES_PER_SECOND

    log = tmp_path / "saytype.log"
    with log.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "app", "--verbose"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=repo,
        )
    try:
        wait_while_running(
            lambda: "model: ready" in saytype("status").stdout, "the model", app, log, 60
        )
        assert saytype("start").returncode == 0
        wait_while_running(
            lambda: saytype("status").stdout.startswith("listening"), "listening", app, log, 10
        )
        pulse.play(wav)  # returns once the sink has drained
        # The journal is flushed about once a second: wait until it holds the sentence.
        wait_while_running(
            lambda: journaled_s() >= spoken_s, "the journal to hold the speech", app, log, 15
        )
        assert saytype("status").stdout.startswith("listening")  # stopped mid-dictation
        if ending == "quit":  # refused while listening, unless forced: the script insists
            assert saytype("quit", "--force").returncode == 0
            assert app.wait(timeout=60) == 0
        else:
            os.kill(app.pid, signal.SIGKILL)
            app.wait(timeout=10)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()

    if history.exists():  # nothing was finished, so nothing was saved
        with sqlite3.connect(history) as db:
            assert db.execute("SELECT COUNT(*) FROM dictations").fetchone() == (0,)

    recovered = saytype("recover", "--jsonl")
    assert recovered.returncode == 0, recovered.stderr
    lines = [json.loads(line) for line in recovered.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, recovered.stdout
    assert lines[0]["duration"] >= spoken_s
    assert word_error_rate([SENTENCE], [lines[0]["text"]]) <= WER_BOUND, lines[0]["text"]
    assert not list(journals.glob("*.wav"))  # recovered into history, journal gone
    with sqlite3.connect(history) as db:
        (saved,) = db.execute("SELECT text FROM dictations").fetchone()
    assert saved == lines[0]["text"]
