"""``saytype quit`` in each state a thread is busy: the app exits 0, and Qt never aborts.

A model call cannot be interrupted, and Qt aborts the process ("QThread:
Destroyed while thread is still running") when a running thread's object is
destroyed. Quitting must wait for the threads in the event loop instead.
Real app as a subprocess on Xvfb and PulseAudio, the real tiny.en model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.wav_file import write_wav
from tests.support.desktop_app import RunningSaytype, running_saytype
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.model]

QT_ABORT = "QThread: Destroyed while thread"


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[XServer, PulseDaemon]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse:
        yield xserver, pulse


def _quit(app: RunningSaytype, *args: str) -> str:
    """Send ``quit`` (with ``args``); return the app's log once it exited 0."""
    assert app.send("quit", *args).ok
    status = app.process.wait(timeout=60)
    log = app.log_text()
    assert status == 0, log
    assert QT_ABORT not in log
    assert "parts closed" in log
    return log


def test_quit_while_the_model_loads(desktop: tuple[XServer, PulseDaemon], tmp_path: Path) -> None:
    with running_saytype(*desktop, tmp_path, wait_for_model=False) as app:
        log = _quit(app)  # sent the moment the control socket exists, while the model loads
    assert "still running" not in log  # the load ended and the threads with it


def test_quit_during_a_dictation(desktop: tuple[XServer, PulseDaemon], tmp_path: Path) -> None:
    with running_saytype(*desktop, tmp_path) as app:
        assert app.command("start").returncode == 0
        app.wait(lambda: app.state() == "listening", "listening", 20)
        refused = app.send("quit")  # the dictation would stop: a script is told, not obeyed
        assert not refused.ok
        assert "the dictation under way would stop" in refused.message
        _quit(app, "--force")
    assert app.history() == []  # a quit drops the dictation, as Cancel does


def test_quit_during_a_long_file_job(
    desktop: tuple[XServer, PulseDaemon], tmp_path: Path, speech: SpeechMaker
) -> None:
    sentence = speech.samples("The committee will meet again on the first Monday of March.")
    pause = np.zeros(speech.sample_rate // 2, np.float32)
    long_file = tmp_path / "long.wav"
    write_wav(long_file, np.concatenate([sentence, pause] * 20), speech.sample_rate)
    with running_saytype(*desktop, tmp_path) as app:
        assert app.send("queue", str(long_file)).ok
        app.wait(lambda: "file job 1 started" in app.log_text(), "the file job", 30)
        refused = app.send("quit")  # the file would stop: a script is told, not obeyed
        assert not refused.ok
        assert "1 file still to transcribe" in refused.message
        log = _quit(app, "--force")
    assert "file job 1 started" in log
