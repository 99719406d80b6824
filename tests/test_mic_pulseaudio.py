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
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from app.benchmarks.accuracy import word_error_rate
from app.cli import build_parser
from app.commands.listen_mic import run_mic
from app.core.audio.mic_devices import MicError, load_backend
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from tests.support.speech import SpeechMaker

pytestmark = [pytest.mark.integration, pytest.mark.model]

SENTENCE = "Please bring the latest sales figures and the new contract."
BINARIES = ("pulseaudio", "pactl", "paplay")


@dataclass(frozen=True)
class PulseServer:
    """A running private PulseAudio daemon and the refreshed sounddevice module."""

    runtime: Path
    sounddevice: Any

    def play(self, wav: Path) -> None:
        """Play ``wav`` into the ``mic`` sink and wait until it has drained."""
        subprocess.run(["paplay", "--device=mic", str(wav)], check=True, timeout=120)


def _skip_outside_ci(reason: str) -> NoReturn:
    """Skip on a bare developer machine; in CI, .ci/test installs everything, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


def _pactl(*args: str) -> None:
    subprocess.run(["pactl", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def pulse() -> Iterator[PulseServer]:
    """Start PulseAudio with a null sink ``mic`` as default sink and its monitor as the mic."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if missing:
        _skip_outside_ci(f"needs {', '.join(missing)} (apt install pulseaudio pulseaudio-utils)")
    try:
        sounddevice = load_backend()
    except MicError as exc:
        _skip_outside_ci(str(exc))
    # A short path under /tmp: the daemon's unix socket path must stay under 108 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="saytype-pulse-"))
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "XDG_RUNTIME_DIR": runtime,
            "PULSE_RUNTIME_PATH": runtime / "pulse",
            "PULSE_STATE_PATH": runtime / "state",
            "PULSE_COOKIE": runtime / "cookie",
            "XDG_CONFIG_HOME": runtime / "config",  # no user daemon.conf/client.conf
        }.items():
            env.setenv(name, str(value))
        env.setenv("PULSE_SERVER", f"unix:{runtime / 'pulse' / 'native'}")
        env.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # stay off the user's bus
        log_file = runtime / "pulseaudio.log"
        # -n: skip default.pa (hardware detection, X11 modules); load only the socket.
        started = subprocess.run(
            [
                "pulseaudio",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "-n",
                "--load=module-native-protocol-unix",
                f"--log-target=file:{log_file}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        try:
            if started.returncode != 0:
                log = log_file.read_text(errors="replace") if log_file.exists() else ""
                pytest.fail(f"pulseaudio did not start: {started.stderr}\n{log}")
            _pactl("load-module", "module-null-sink", "sink_name=mic")
            _pactl("set-default-sink", "mic")
            _pactl("set-default-source", "mic.monitor")
            # sounddevice lists devices once, at import: look again now PulseAudio runs.
            sounddevice._terminate()
            sounddevice._initialize()
            yield PulseServer(runtime, sounddevice)
        finally:
            subprocess.run(["pulseaudio", "-k"], capture_output=True, timeout=30, check=False)
            sounddevice._terminate()
            sounddevice._initialize()
            shutil.rmtree(runtime, ignore_errors=True)


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


def test_listen_command_dictates_from_the_microphone(
    pulse: PulseServer, sentence_wav: Path
) -> None:
    read_end, write_end = os.pipe()
    ready = threading.Event()
    stdout, stderr = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["listen", "--jsonl"])
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
            pulse.play(sentence_wav)
        finally:
            enter.write("\n")
            enter.flush()
            worker.join(120)
    assert result == [0], stderr.getvalue()
    events = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert events[-1]["type"] == "final"
    assert word_error_rate([SENTENCE], [events[-1]["text"]]) <= 0.15, events[-1]["text"]
