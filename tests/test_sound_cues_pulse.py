"""Sound cues on a real PulseAudio server: heard on the sink's monitor, no words in the text.

The private daemon's null sink ``mic`` is both where the cues play (the
default sink) and what the microphone records (its monitor), the worst case
of a loud speaker next to the microphone. ``parec`` on the monitor proves
the cue sounded; the microphone hears it too, at full level, yet the text has
no word of it, and speech that starts the moment the tone ends keeps every
word (decision 0015: silencing the microphone over the cue lost "Please bring").
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.audio.cue_player import CuePlayer, bundled_sounds_dir
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from tests.support.pulse import PulseDaemon, portaudio_on_pulseaudio
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.integration

SENTENCE = "Please bring the latest sales figures and the new contract."
START_NOTE_HZ = 880.0  # the start cue's second note (resources/sounds/make_cues.py)
PAREC_RATE = 16_000


@pytest.fixture(scope="module")
def pulse() -> Iterator[tuple[PulseDaemon, Any]]:
    with portaudio_on_pulseaudio() as running:
        yield running


def tone_level(samples: np.ndarray, rate: int, frequency: float) -> float:
    """The strongest amplitude of ``frequency`` in any 50 ms window of ``samples``."""
    window = int(0.05 * rate)
    t = np.arange(window) / rate
    probe = np.exp(-2j * np.pi * frequency * t)
    levels = [
        2 * abs(np.dot(samples[start : start + window], probe)) / window
        for start in range(0, max(1, len(samples) - window), window // 2)
    ]
    return max(levels, default=0.0)


def wait_for(ring: RingBuffer, position: int, new_audio: threading.Event) -> None:
    deadline = time.monotonic() + 30
    while True:
        new_audio.clear()
        if ring.position >= position:
            return
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the microphone delivered {ring.position} of {position} samples"
        new_audio.wait(remaining)


def record_cue(
    daemon: PulseDaemon, sounddevice: Any, tmp_path: Path, then: Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Play the start cue as a dictation starts; (what parec heard, what the microphone kept)."""
    ring = RingBuffer(capacity_seconds=60)
    new_audio = threading.Event()
    mic = MicSource(ring, backend=sounddevice, on_block=new_audio.set)
    player = CuePlayer(bundled_sounds_dir(), backend=sounddevice)
    heard = tmp_path / "monitor.raw"
    with heard.open("wb") as out:
        parec = subprocess.Popen(
            ["parec", "-d", "mic.monitor", "--raw", "--format=s16le", "--channels=1",
             f"--rate={PAREC_RATE}"],
            stdout=out,
            env=daemon.full_env(),
        )  # fmt: skip
        mic.start()
        try:
            wait_for(ring, ring.position + ring.seconds_to_samples(0.3), new_audio)
            press = ring.position
            played = player.play("start", 100)
            assert played is not None
            played.result(timeout=30)
            if then is not None:
                daemon.play(then)
            after = ring.seconds_to_samples(player.duration_s("start") + 1.5)
            wait_for(ring, max(ring.position, press + after), new_audio)
        finally:
            mic.stop()
            parec.terminate()
            parec.wait(timeout=30)
    monitor = np.frombuffer(heard.read_bytes(), dtype="<i2").astype(np.float32) / 32768
    return monitor, ring.read_since(press).samples


def test_the_start_cue_is_heard_on_the_monitor_and_gives_no_words(
    pulse: tuple[PulseDaemon, Any], tmp_path: Path, tiny_en: ModelHost
) -> None:
    daemon, sounddevice = pulse
    monitor, kept = record_cue(daemon, sounddevice, tmp_path)
    assert tone_level(monitor, PAREC_RATE, START_NOTE_HZ) > 0.05, "parec heard no cue"
    assert len(kept) > 16_000 * 1.5  # the cue, and a second after it
    assert tone_level(kept, 16_000, START_NOTE_HZ) > 0.05  # the microphone heard it too
    assert FileTranscriber(tiny_en).transcribe_audio(kept).text.strip() == ""


def test_speech_the_moment_the_start_cue_ends_keeps_every_word(
    pulse: tuple[PulseDaemon, Any], tmp_path: Path, speech: SpeechMaker, tiny_en: ModelHost
) -> None:
    daemon, sounddevice = pulse
    sentence = tmp_path / "sentence.wav"
    write_wav(sentence, speech.samples(SENTENCE, 0.5), speech.sample_rate)
    _, kept = record_cue(daemon, sounddevice, tmp_path, then=sentence)
    text = FileTranscriber(tiny_en).transcribe_audio(kept).text
    assert text.split()[:2] == ["Please", "bring"], text
    assert word_error_rate([SENTENCE], [text]) <= 0.15, text


@pytest.mark.parametrize(
    ("cue", "note_hz"),
    [("stop", 659.26), ("cancel", 493.88), ("error", 329.63)],  # each cue's lowest note
)
def test_the_stop_cancel_and_error_cues_are_heard_on_the_monitor(
    pulse: tuple[PulseDaemon, Any], tmp_path: Path, cue: str, note_hz: float
) -> None:
    from tests.support.changes import wait_for_changes

    daemon, sounddevice = pulse
    player = CuePlayer(bundled_sounds_dir(), backend=sounddevice)
    heard = tmp_path / "monitor.raw"

    def monitor_has_the_note() -> bool:
        data = heard.read_bytes()
        samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32)
        return tone_level(samples / 32768, PAREC_RATE, note_hz) > 0.05

    with heard.open("wb") as out:
        parec = subprocess.Popen(
            ["parec", "-d", "mic.monitor", "--raw", "--format=s16le", "--channels=1",
             f"--rate={PAREC_RATE}", "--latency-msec=20"],
            stdout=out,
            env=daemon.full_env(),
        )  # fmt: skip
        try:
            played = player.play(cue, 100)
            assert played is not None
            played.result(timeout=30)
            # The monitor hears the cue a little after the stream has taken it.
            wait_for_changes(monitor_has_the_note, f"the {cue} cue", timeout_s=10,
                             folders=[tmp_path], process=parec)  # fmt: skip
        finally:
            parec.terminate()
            parec.wait(timeout=30)
