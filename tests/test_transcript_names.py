"""Where ``saytype transcribe -o DIR`` and the window's exports put a transcript.

A recording named near the file-name limit ended a whole run with "File name too long"
(the ``.json`` name is longer than the ``.wav`` one), and a transcript stopped with
Ctrl+C took the whole one's name, so a script took it for done and a second run put
the whole transcript at ``-2``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.transcript_out import deliver_transcript
from app.core.engine.transcript import Segment, Transcript
from app.core.output.exporters import NAME_MAX_BYTES, transcript_name
from app.ui.files.results_view import export_path
from tests.support.speech import SpeechMaker


def _transcript(*, complete: bool) -> Transcript:
    return Transcript(
        text="The meeting starts at nine.",
        segments=(Segment(0.0, 2.0, "The meeting starts at nine."),),
        language="en",
        duration=60.0,
        model_name="tiny.en",
        elapsed_s=1.0,
        complete=complete,
    )


def _out(folder: Path) -> argparse.Namespace:
    return argparse.Namespace(output_dir=folder, format="txt", overwrite=False)


def test_a_stopped_transcript_is_named_partial_and_the_whole_one_takes_the_name(
    tmp_path: Path,
) -> None:
    source = tmp_path / "lecture.wav"
    written: set[Path] = set()
    stopped = deliver_transcript(
        _transcript(complete=False), source, _out(tmp_path), None, written, many=False
    )
    whole = deliver_transcript(
        _transcript(complete=True), source, _out(tmp_path), None, set(), many=False
    )
    assert (stopped, whole) == (tmp_path / "lecture.partial.txt", tmp_path / "lecture.txt")


@pytest.mark.parametrize("stem", ["a" * 251, "é" * 125, "名" * 83])
def test_a_long_name_is_cut_to_fit_with_room_for_a_counter(stem: str, tmp_path: Path) -> None:
    name = transcript_name(stem, ".partial.json")
    assert name.endswith(".partial.json")
    assert len(name.encode("utf-8")) + len("-999") <= NAME_MAX_BYTES
    assert stem.startswith(name.removesuffix(".partial.json"))  # whole characters only
    (tmp_path / name).write_text("ok", encoding="utf-8")  # the file system takes it
    window = export_path(tmp_path / f"{stem}.wav", "json", partial=True)
    assert window.name == name


@pytest.mark.model
def test_a_recording_named_near_the_limit_is_transcribed(
    speech: SpeechMaker, tmp_path: Path
) -> None:
    recording = tmp_path / f"{'m' * 251}.wav"
    speech.wav("The meeting starts at nine.", tmp_path / "short.wav").rename(recording)
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "transcribe",
            "-o",
            str(out),
            "--format",
            "json",
            str(recording),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (written,) = out.iterdir()
    assert written.name == f"{'m' * (NAME_MAX_BYTES - 4 - 5)}.json"
    assert "meeting" in written.read_text(encoding="utf-8")
