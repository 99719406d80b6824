"""Ctrl+C during ``saytype transcribe``: what was transcribed is kept, the rest is named.

Ctrl+C ended a long run with nothing, minutes of finished transcript thrown away. The
run here is a real child process on a terminal (its progress bar says how far it is),
stopped with SIGINT part way through a two-minute recording.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

SENTENCES = [
    "The train to the airport leaves every twenty minutes.",
    "Please bring the signed forms to the front desk.",
    "Our team meets on Thursday afternoons in the small room.",
    "The garden needs water before the weekend heat arrives.",
]
ROUNDS = 8  # about two minutes: four windows of thirty seconds


def _long_recording(speech: SpeechMaker, path: Path) -> Path:
    gap = np.zeros(SAMPLE_RATE, np.float32)
    parts = [part for text in SENTENCES for part in (speech.samples(text), gap)]
    write_wav(path, np.concatenate(parts * ROUNDS), SAMPLE_RATE)
    return path


def _read_until(leader: int, wanted: bytes) -> bytes:
    seen = b""
    while wanted not in seen:
        block = os.read(leader, 4096)  # blocks until the child draws more
        if not block:
            break
        seen += block
    return seen


def _percent_done(drawn: bytes) -> int:
    return max((int(n) for n in re.findall(rb"(\d+)%  lecture\.wav", drawn)), default=0)


def _drain(leader: int) -> bytes:
    seen = b""
    while True:
        try:
            block = os.read(leader, 4096)
        except OSError:  # EIO: the child side is closed and drained
            return seen
        if not block:
            return seen
        seen += block


@pytest.mark.parametrize(
    ("stop", "status", "said"),
    [
        (signal.SIGINT, 130, "stopping: what is done so far is kept"),
        # A script's kill or timeout(1) threw every finished minute away, silently.
        (signal.SIGTERM, 143, "stopping (Terminated): what is done so far is kept"),
    ],
)
def test_ctrl_c_keeps_the_transcript_so_far_and_names_the_files_not_done(
    speech: SpeechMaker, tmp_path: Path, stop: signal.Signals, status: int, said: str
) -> None:
    recording = _long_recording(speech, tmp_path / "lecture.wav")
    second = speech.wav(SENTENCES[0], tmp_path / "second.wav")
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", "transcribe", str(recording), str(second)],
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
        )
        os.close(follower)
        drawn = b""
        while _percent_done(drawn) == 0:  # the first window is written down
            drawn += _read_until(leader, b"%  lecture.wav")
        child.send_signal(stop)
        stdout, _ = child.communicate(timeout=120)
        drawn += _drain(leader)
    finally:
        os.close(leader)
    screen = drawn.decode("utf-8", "replace")
    assert child.returncode == status, screen
    assert said in screen
    assert "lecture.wav (1 of 2)" in screen  # thirty files: how far the run is
    assert "lecture.wav was stopped at" in screen
    assert f"not transcribed: {second}" in screen
    header, _, transcript = stdout.partition("\n")
    assert header == f"==> {recording} <=="
    heard = transcript.split()
    all_said = " ".join(SENTENCES * ROUNDS).split()
    assert 5 <= len(heard) < len(all_said) * 0.9, stdout  # some, not all
    said = " ".join(all_said[: len(heard)])
    assert word_error_rate([said], [transcript]) <= 0.15, stdout


def test_ctrl_c_that_abandons_a_coroutine_says_only_interrupted() -> None:
    """A Ctrl+C while a server had the utterance printed, now and then, Python's "coroutine
    'Trace.__aexit__' was never awaited" (httpcore's, abandoned mid-step) above the line."""
    script = (
        "import sys\n"
        "import app.commands.control as control\n"
        "async def request() -> None: ...\n"
        "def interrupted(args):\n"
        "    global abandoned\n"
        "    abandoned = request()  # a step the interrupt cut off, finalized at exit\n"
        "    raise KeyboardInterrupt\n"
        "control.run = interrupted\n"
        "from app.cli import main\n"
        "sys.exit(main(['status']))\n"
    )
    child = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 130, child.stderr
    assert child.stderr.strip() == "saytype: interrupted."
