"""A real microphone path: hibari speech played into a PulseAudio null sink, heard by MicSource.

The module starts its own PulseAudio daemon in a private runtime folder (it never
touches a user's session), makes a null sink ``mic`` whose monitor is the default
source, and points this process at it. PortAudio's ALSA ``default`` device then
reaches that daemon through the ALSA pulse plugin (``libasound2-plugins``, a
dependency of the ``pulseaudio`` package).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.cli import build_parser
from app.commands.listen_mic import run_mic
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from tests.support.listen_process import interrupt_once_words_show
from tests.support.pulse import PulseDaemon, portaudio_on_pulseaudio
from tests.support.speech import SpeechMaker
from tests.support.wyoming_server import WyomingServer

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please bring the latest sales figures and the new contract."
STORY = [
    "The train to the airport leaves every twenty minutes from the main station.",
    "Remember to water the plants on the balcony while I am away next week.",
    "We should leave early tomorrow to avoid the traffic on the bridge.",
]
BINARIES = ("pulseaudio", "pactl", "paplay")


@dataclass(frozen=True)
class PulseServer:
    """A running private PulseAudio daemon and the refreshed sounddevice module."""

    daemon: PulseDaemon
    sounddevice: Any

    def play(self, wav: Path) -> None:
        """Play ``wav`` into the ``mic`` sink and wait until it has drained."""
        self.daemon.play(wav)


@pytest.fixture(scope="module")
def pulse() -> Iterator[PulseServer]:
    """Start PulseAudio with a null sink ``mic`` as default sink and its monitor as the mic."""
    with portaudio_on_pulseaudio() as (daemon, sounddevice):
        yield PulseServer(daemon, sounddevice)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def wait_for_position(
    ring: RingBuffer, position: int, new_audio: threading.Event, timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        new_audio.clear()  # before checking, so a block written after the check wakes us
        if ring.position >= position:
            return
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the microphone delivered {ring.position} of {position} samples"
        new_audio.wait(remaining)


@pytest.fixture(scope="module")
def sentence_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCE, tmp_path_factory.mktemp("mic") / "sentence.wav", pause_s=0.5)


def test_speech_played_into_the_sink_is_heard_and_transcribed(
    pulse: PulseServer, sentence_wav: Path, tiny_en: ModelHost
) -> None:
    ring = RingBuffer(capacity_seconds=60)
    new_audio = threading.Event()
    errors: list[str] = []
    mic = MicSource(ring, backend=pulse.sounddevice, on_block=new_audio.set, on_error=errors.append)
    mic.start()
    try:
        assert mic.sample_rate == 16_000
        start = ring.position
        pulse.play(sentence_wav)
        # The whole clip, and a little more for what is still on its way from the monitor.
        clip_end = start + ring.seconds_to_samples(wav_seconds(sentence_wav))
        wait_for_position(
            ring, max(clip_end, ring.position + ring.seconds_to_samples(0.3)), new_audio
        )
        assert mic.check_alive()
    finally:
        mic.stop()
    assert errors == []
    read = ring.read_since(start)
    assert read.lost == 0
    assert float(abs(read.samples).max()) > 0.05, "only silence reached the microphone"
    text = FileTranscriber(tiny_en).transcribe_audio(read.samples).text
    assert word_error_rate([SENTENCE], [text]) <= 0.15, text


def listen_while_playing(pulse: PulseServer, wav: Path, *options: str) -> list[dict[str, Any]]:
    """``saytype listen --jsonl`` hears ``wav`` played in; Enter the moment it has played."""
    read_end, write_end = os.pipe()
    ready = threading.Event()
    stdout, stderr = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["listen", "--jsonl", *options])
    assert args.input is None
    with os.fdopen(read_end) as stdin, os.fdopen(write_end, "w") as enter:
        result: list[int] = []
        worker = threading.Thread(
            target=lambda: result.append(
                run_mic(args, stdout, stderr, stdin, on_listening=ready.set)
            )
        )
        worker.start()
        try:
            assert ready.wait(120), stderr.getvalue()
            pulse.play(wav)  # returns once the sink has played the last sample
        finally:
            enter.write("\n")  # released at once, as a quick speaker does
            enter.flush()
            worker.join(120)
    assert result == [0], stderr.getvalue()
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


def test_listen_command_dictates_from_the_microphone(
    pulse: PulseServer, sentence_wav: Path
) -> None:
    events = listen_while_playing(pulse, sentence_wav)
    assert events[-1]["type"] == "final"
    assert word_error_rate([SENTENCE], [events[-1]["text"]]) <= 0.15, events[-1]["text"]


def test_listen_from_the_microphone_through_a_wyoming_server(
    pulse: PulseServer, sentence_wav: Path, wyoming_server: WyomingServer
) -> None:
    mark = wyoming_server.log_mark()
    events = listen_while_playing(pulse, sentence_wav, "--engine", wyoming_server.url)
    decoded = wyoming_server.log_since(mark).count("Processing audio with duration")
    assert events[-1]["type"] == "final"
    assert word_error_rate([SENTENCE], [events[-1]["text"]]) <= 0.15, events[-1]["text"]
    assert decoded == 1  # the final is the server's, streamed while "speaking"


@pytest.fixture(scope="module")
def clipped_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentence cut right after its last word: no trailing silence at all."""
    audio = speech.samples(SENTENCE)
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    path = tmp_path_factory.mktemp("mic") / "clipped.wav"
    write_wav(path, audio[: loud[-1] + 1], speech.sample_rate)
    return path


def test_a_release_right_after_the_last_word_keeps_it(
    pulse: PulseServer, clipped_wav: Path
) -> None:
    """The sound server hands audio over after it was heard: the release waits for it."""
    final = listen_while_playing(pulse, clipped_wav)[-1]
    assert final["type"] == "final"
    assert final["text"].rstrip(".").split()[-1].lower() == "contract", final["text"]


@pytest.fixture(scope="module")
def story_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(STORY, tmp_path_factory.mktemp("mic") / "story.wav", pause_s=0.5)


def test_ctrl_c_while_speaking_finishes_with_the_words_heard_so_far(
    pulse: PulseServer, story_wav: Path
) -> None:
    """The first Ctrl+C mid-speech is a key release: the final follows, the exit is clean.

    It used to kill the process in the middle of an inference (SIGABRT) and lose
    the dictation, so this is a real process and a real SIGINT.
    """
    listen = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--jsonl"],
        stdin=subprocess.PIPE,  # kept open: only the signal ends the dictation
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pulse.daemon.full_env(dict(os.environ)),
    )
    assert listen.stdout is not None
    assert listen.stderr is not None
    player: subprocess.Popen[bytes] | None = None
    try:
        assert "Listening on" in listen.stderr.readline()
        player = subprocess.Popen(
            ["paplay", "--device=mic", str(story_wav)],
            env=pulse.daemon.full_env(dict(os.environ)),
        )
        events, err = interrupt_once_words_show(listen)
    finally:
        if player is not None:
            player.kill()
            player.wait()
        if listen.poll() is None:
            listen.kill()
            listen.wait()
    assert listen.returncode == 0, err
    assert "Traceback" not in err
    assert [e["type"] for e in events].count("final") == 1
    assert events[-1]["type"] == "final"
    heard = events[-1]["text"].split()
    assert len(heard) >= 3
    said = " ".join(STORY).split()[: len(heard)]
    assert word_error_rate([" ".join(said)], [" ".join(heard)]) <= 0.25, events[-1]["text"]


def test_closing_the_input_finishes_like_enter(pulse: PulseServer, sentence_wav: Path) -> None:
    """A script that pipes into ``saytype listen`` and closes the pipe (Ctrl+D at a terminal)
    gets the final text and a clean exit; it used to keep listening until killed."""
    listen = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pulse.daemon.full_env(dict(os.environ)),
    )
    try:
        assert listen.stderr is not None
        assert listen.stdin is not None
        assert "Ctrl+D" in listen.stderr.readline()
        pulse.play(sentence_wav)
        listen.stdin.close()  # Ctrl+D
        assert listen.stdout is not None
        out, err = listen.stdout.read(), listen.stderr.read()
        listen.wait(timeout=120)
    finally:
        if listen.poll() is None:
            listen.kill()
            listen.wait()
        for pipe in (listen.stdout, listen.stderr):
            if pipe is not None:
                pipe.close()
    assert listen.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["type"] == "final"
    assert word_error_rate([SENTENCE], [events[-1]["text"]]) <= 0.15, events[-1]["text"]
