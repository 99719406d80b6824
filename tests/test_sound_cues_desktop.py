"""Sound cues in the desktop app: heard on the null sink's monitor, absent from the text.

As a user meets it: ``saytype`` as a subprocess on Xvfb and a private
PulseAudio daemon whose null sink is both the speaker and the microphone, the
worst case for a cue leaking into a dictation. ``saytype start`` plays the
start cue; the speaker begins a reaction time after it; ``saytype stop`` ends
the dictation. ``parec`` on the monitor hears the cue, and the dictation's
text is the sentence with nothing from the tone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.wav_file import write_wav
from saytype_bench.accuracy import word_error_rate
from tests.support.desktop_app import running_saytype
from tests.support.pulse import running_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.xserver import running_xvfb
from tests.test_sound_cues_pulse import PAREC_RATE, START_NOTE_HZ, tone_level

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please bring the latest sales figures and the new contract."


def test_the_cues_are_heard_and_the_text_has_none_of_them(
    tmp_path: Path, speech: SpeechMaker
) -> None:
    reaction = np.zeros(int(0.7 * speech.sample_rate), np.float32)
    sentence = tmp_path / "sentence.wav"
    write_wav(
        sentence, np.concatenate([reaction, speech.samples(SENTENCE, 0.5)]), speech.sample_rate
    )
    settings = {"sound_cues": True, "cue_volume": 100, "output": "window"}
    heard = tmp_path / "monitor.raw"
    with (
        running_xvfb() as xserver,
        running_pulseaudio() as pulse,
        running_saytype(xserver, pulse, tmp_path / "home", settings) as app,
        heard.open("wb") as out,
    ):
        parec = subprocess.Popen(
            ["parec", "-d", "mic.monitor", "--raw", "--format=s16le", "--channels=1",
             f"--rate={PAREC_RATE}"],
            stdout=out,
            env=pulse.full_env(),
        )  # fmt: skip
        try:
            assert app.command("start").returncode == 0
            app.wait(lambda: app.state().startswith("listening"), "listening", 30)
            pulse.play(sentence)
            assert app.command("stop").returncode == 0
            app.wait(lambda: len(app.history()) == 1, "the dictation's history entry", 120)
        finally:
            parec.terminate()
            parec.wait(timeout=30)
    monitor = np.frombuffer(heard.read_bytes(), dtype="<i2").astype(np.float32) / 32768
    assert tone_level(monitor, PAREC_RATE, START_NOTE_HZ) > 0.05, "parec heard no start cue"
    ((text, _where),) = app.history()
    assert word_error_rate([SENTENCE], [text]) <= 0.15, text
