"""``python bench/remote.py`` in a short mode against a real Wyoming server: every figure present.

Figures only, never timing thresholds: the passes, their rates and WERs, and
the dictation's release → final are there and sane.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.benchmarks.speech_clips import synthesised_clips
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from saytype_bench import command
from tests.support.wyoming_server import WyomingServer

SENTENCES = [
    "Please bring the latest sales figures and the new contract.",
    "The museum is closed on Mondays and public holidays.",
]

pytestmark = pytest.mark.model


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Two hibari-tts sentences laid out as the shared speech corpus is."""
    folder = tmp_path / "speech"
    (folder / "wav").mkdir(parents=True)
    rows = ["id\tfile\tduration_s\treference_text"]
    for index, spoken in enumerate(synthesised_clips(SENTENCES)):
        write_wav(folder / "wav" / f"s{index}.wav", spoken.audio, SAMPLE_RATE)
        rows.append(f"s{index}\twav/s{index}.wav\t{spoken.duration_s:.3f}\t{spoken.reference}")
    (folder / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_short_run_gives_every_figure(corpus: Path, wyoming_server: WyomingServer) -> None:
    options = ["--url", wyoming_server.url, "--concurrency", "2", "--dictations", "1"]
    args = command.build_parser("remote").parse_args(
        ["--speech-dir", str(corpus), "--json", *options]
    )
    out, err = io.StringIO(), io.StringIO()
    assert command.run("remote", args, out, err) == 0, err.getvalue()
    figures = json.loads(out.getvalue())
    assert (figures["protocol"], figures["recordings"]) == ("wyoming", 2)
    passes = [figures["local_sequential"], *figures["remote"]]
    assert [p["in_flight"] for p in passes] == [0, 1, 2]
    for one in passes:
        assert one["audio_s"] == pytest.approx(passes[0]["audio_s"], abs=0.05)
        assert one["audio_s_per_s"] > 0
        assert one["wer"] <= 0.1
    dictation = figures["dictation"]
    assert dictation["count"] == 1
    assert 0 < dictation["release_to_final_median_s"] <= dictation["release_to_final_max_s"]
    assert dictation["wer"] <= 0.1


def test_a_server_that_is_not_there_is_one_line(corpus: Path) -> None:
    args = command.build_parser("remote").parse_args(
        ["--url", "wyoming://127.0.0.1:1", "--speech-dir", str(corpus), "--dictations", "0"]
    )
    out, err = io.StringIO(), io.StringIO()
    assert command.run("remote", args, out, err) == 1
    assert err.getvalue().startswith("bench: error: Cannot connect to wyoming://127.0.0.1:1:")
    assert out.getvalue() == ""
