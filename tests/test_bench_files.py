"""``python bench/files.py`` in a short mode: every figure present, sane, and in one JSON object."""

from __future__ import annotations

import io
import json
import math
import wave
from pathlib import Path

import numpy as np
import pytest

from app.benchmarks.speech_clips import Clip, synthesised_clips
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from saytype_bench import command
from saytype_bench.file_memory import write_speech_wav
from saytype_bench.files import CONDITIONS

SENTENCES = [
    "Please bring the latest sales figures and the new contract.",
    "The museum is closed on Mondays and public holidays.",
]


def test_long_wav_is_written_clip_by_clip_to_the_length_asked(tmp_path: Path) -> None:
    clips = [
        Clip("a", np.full(SAMPLE_RATE, 0.5, np.float32), "alpha"),
        Clip("b", np.full(SAMPLE_RATE // 2, -0.5, np.float32), "beta"),
    ]
    path = tmp_path / "long.wav"
    reference = write_speech_wav(clips, path, seconds=5.0, gap_s=0.5)
    with wave.open(str(path)) as written:
        seconds = written.getnframes() / written.getframerate()
        assert written.getframerate() == SAMPLE_RATE
    # a (1 s) + gap, b (0.5 s) + gap, a + gap, b + gap: 5 s reached at the end of the 4th clip.
    assert seconds == pytest.approx(5.0)
    assert reference == "alpha beta alpha beta"


@pytest.mark.model
def test_short_run_gives_every_figure(tmp_path: Path) -> None:
    corpus = tmp_path / "speech"
    (corpus / "wav").mkdir(parents=True)
    rows = ["id\tfile\tduration_s\treference_text"]
    for index, spoken in enumerate(synthesised_clips(SENTENCES)):
        write_wav(corpus / "wav" / f"s{index}.wav", spoken.audio, SAMPLE_RATE)
        rows.append(f"s{index}\twav/s{index}.wav\t{spoken.duration_s:.3f}\t{spoken.reference}")
    (corpus / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    options = ["--minutes", "0.5", "--clip-minutes", "0.25", "--latency-dictations", "1"]
    args = command.build_parser("files").parse_args(
        ["--speech-dir", str(corpus), "--json", *options]
    )
    out, err = io.StringIO(), io.StringIO()
    assert command.run("files", args, out, err) == 0, err.getvalue()
    figures = json.loads(out.getvalue())
    assert figures["benchmark"] == "files"
    long = figures["long_file"]
    assert long["audio_s"] >= 30
    assert 0 < long["loaded_rss_mb"] <= long["peak_rss_mb"]
    assert math.isfinite(figures["long_file_growth_mb"])
    assert 0.8 <= figures["long_words_ratio"] <= 1.2  # nothing lost or doubled at scale
    modes = [(m["mode"], m["batch_size"]) for m in figures["modes"]]
    assert modes == [("saytype", 0), ("saytype", 8), ("saytype", 16), ("faster-whisper", 0)]
    assert figures["speed_vs_sequential"][0] == 1.0
    assert all(speed > 0 for speed in figures["speed_x"])
    assert all(wer <= 0.2 for wer in figures["modes_wer"]), figures["modes_wer"]
    for condition in CONDITIONS:
        (latency,) = figures["latency_s"][condition]
        assert 0 <= latency < 30
        assert figures["latency_ratio_vs_idle"][condition] is not None
    assert figures["second_model_mb"] > 0
