"""Standard output that cannot be written: one sentence and status 1, never a traceback.

A scripter ran ``saytype transcribe talk.wav > /dev/full`` (a full disk under a redirect)
and ``saytype models list >&-``; both ended in a Python traceback, and ``listen`` left its
recording behind without saying how to get it back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.speech import SpeechMaker

_FULL = Path("/dev/full")  # every write fails with ENOSPC, as on a full disk


def _saytype(*args: str | Path, stdout: int, closed_stdout: bool = False) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        # Started with descriptor 1 closed, as a shell's >&- does.
        preexec_fn=(lambda: os.close(1)) if closed_stdout else None,
        check=False,
    )
    return done.returncode, done.stderr


@pytest.mark.skipif(not _FULL.exists(), reason="needs /dev/full")
@pytest.mark.model
def test_a_transcript_printed_to_a_full_disk_says_so(speech: SpeechMaker, tmp_path: Path) -> None:
    wav = speech.wav("The meeting starts at nine.", tmp_path / "meeting.wav")
    with _FULL.open("w") as full:
        status, said = _saytype("transcribe", wav, stdout=full.fileno())
    assert status == 1
    assert said.splitlines()[-1] == (
        "saytype: error: could not write to standard output (there is no space left on the disk)."
    )
    assert "Traceback" not in said


@pytest.mark.skipif(not _FULL.exists(), reason="needs /dev/full")
@pytest.mark.model
def test_a_dictation_that_cannot_be_printed_keeps_its_recording(
    speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = speech.wav("Please send the report today.", tmp_path / "report.wav")
    with _FULL.open("w") as full:
        status, said = _saytype("listen", "--input", wav, "--jsonl", stdout=full.fileno())
    assert status == 1
    assert "Traceback" not in said
    assert said.splitlines()[-1].endswith(
        "(there is no space left on the disk); the recording is kept: "
        "'saytype recover' transcribes it."
    )


@pytest.mark.parametrize("args", [("models", "list"), ("--help",)])
def test_a_command_started_without_standard_output_says_so(args: tuple[str, ...]) -> None:
    status, said = _saytype(*args, stdout=subprocess.DEVNULL, closed_stdout=True)
    assert status == 1
    assert said == "saytype: error: standard output is closed; nothing can be printed.\n"
