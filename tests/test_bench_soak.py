"""``python bench/soak.py --n``: the figures (pure) and one tiny end-to-end run (tiny.en)."""

from __future__ import annotations

import io
import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest

from app.benchmarks.speech_clips import Clip, synthesised_clips
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from saytype_bench import command
from saytype_bench.soak_dictations import (
    DictationRecord,
    DictationSoak,
    dictation_clips,
    format_report,
    native_thread_count,
    summarise,
)


def clip(clip_id: str, seconds: float) -> Clip:
    return Clip(clip_id, np.ones(round(seconds * SAMPLE_RATE), np.float32), f"words of {clip_id}")


def record(
    clip_id: str, latency: float, rss: float, native: int = 6, **extra: object
) -> DictationRecord:
    fields: dict[str, object] = {
        "clip_id": clip_id,
        "latency_s": latency,
        "text": f"words of {clip_id}",
        "error": None,
        "rss_mb": rss,
        "python_threads": 1,
        "native_threads": native,
    }
    return DictationRecord(**(fields | extra))  # type: ignore[arg-type]


def soak_of(records: list[DictationRecord], clips: list[Clip]) -> DictationSoak:
    return DictationSoak(
        speed=8.0,
        clips=clips,
        rss_before_mb=100.0,
        python_threads_before=1,
        native_threads_before=4,
        records=records,
        wall_s=12.0,
    )


def test_dictation_clips_keep_the_dictation_sized_ones() -> None:
    clips = [clip("short", 1.0), clip("a", 2.5), clip("long", 9.0), clip("b", 5.9)]
    assert [c.clip_id for c in dictation_clips(clips)] == ["a", "b"]
    only_long = [clip("long", 9.0)]
    assert dictation_clips(only_long) == only_long


def test_native_threads_count_every_thread_of_the_process(tmp_path: Path) -> None:
    assert native_thread_count() >= threading.active_count()
    assert native_thread_count(tmp_path / "absent") == -1


def test_windows_hold_whole_rounds_and_drifts_compare_them() -> None:
    clips = [clip("a", 3.0), clip("b", 3.0), clip("c", 3.0)]
    # 250 dictations of 3 clips: windows of 99 (33 rounds); the last ends at 249.
    records = [
        record("abc"[i % 3], latency=0.2 if i < 125 else 0.3, rss=200.0 + i * 0.1)
        for i in range(250)
    ]
    records[3] = record("a", latency=0.2, rss=200.3, error="empty final text for speech")
    records[-1] = record("a", latency=0.3, rss=230.0, native=7)
    summary = summarise(soak_of(records, clips))
    assert summary["window"] == 99
    assert summary["warm_up"] == 10
    assert summary["latency_s"]["first"]["p50"] == pytest.approx(0.2)
    assert summary["latency_s"]["last"]["p50"] == pytest.approx(0.3)
    assert summary["latency_s"]["p50_drift_pct"] == pytest.approx(50.0)
    assert summary["rss_mb"]["start"] == pytest.approx(200.9)  # after dictation 10
    assert summary["rss_mb"]["drift"] == pytest.approx(230.0 - 200.9)
    assert summary["threads"]["native"] == {"before": 4, "start": 6, "end": 7, "max": 7}
    assert summary["errors"] == 1
    assert summary["error_examples"] == ["dictation 4: empty final text for speech"]
    assert summary["goals_met"] == {
        "errors": False,
        "rss_drift_mb": False,
        "latency_p50_drift_pct": False,
        "python_thread_growth": True,
        "native_thread_growth": False,
    }
    assert summary["wer"] == {"first": 0.0, "last": 0.0}
    report = format_report(summary, "tiny.en", "test clips")
    assert "release -> final, first 99: p50 0.200 s" in report
    assert "MISS" in report
    assert "PASS" in report


def test_too_few_dictations_for_a_warm_up_measure_from_before_the_first() -> None:
    clips = [clip("a", 3.0)]
    summary = summarise(soak_of([record("a", 0.2, 120.0), record("a", 0.2, 121.0)], clips))
    assert summary["warm_up"] == 0
    assert summary["window"] == 1
    assert summary["rss_mb"]["drift"] == pytest.approx(21.0)  # from rss_before_mb
    assert summary["rss_mb"]["slope_per_100"] == pytest.approx(100.0)  # +1 MB a dictation
    assert summary["figures"]["native_thread_growth"] == 2


def test_n_and_minutes_together_are_a_usage_error() -> None:
    args = command.build_parser("soak").parse_args(["--n", "5", "--minutes", "1"])
    out, err = io.StringIO(), io.StringIO()
    assert command.run("soak", args, out, err) == 2
    assert "not both" in err.getvalue()


@pytest.mark.model
def test_five_dictations_give_sane_figures(tmp_path: Path) -> None:
    sentences = [
        "Please bring the latest sales figures and the new contract.",
        "Could you check whether the invoice was paid last week?",
    ]
    corpus = tmp_path / "speech"
    (corpus / "wav").mkdir(parents=True)
    rows = ["id\tfile\tduration_s\treference_text"]
    for spoken in synthesised_clips(sentences):
        write_wav(corpus / "wav" / f"{spoken.clip_id}.wav", spoken.audio, SAMPLE_RATE)
        rows.append(
            f"{spoken.clip_id}\twav/{spoken.clip_id}.wav\t{spoken.duration_s:.3f}\t{spoken.reference}"
        )
    (corpus / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = command.build_parser("soak").parse_args(
        ["--n", "5", "--speech-dir", str(corpus), "--json"]
    )
    out, err = io.StringIO(), io.StringIO()
    assert command.run("soak", args, out, err) == 0
    assert err.getvalue() == ""  # progress goes to a terminal only
    summary = json.loads(out.getvalue())
    assert summary["benchmark"] == "soak"
    assert summary["mode"] == "dictations"
    assert summary["dictations"] == 5
    assert summary["speed"] == 8.0  # the default of this mode
    assert summary["clips"] == ["hibari_00", "hibari_01"]
    assert summary["errors"] == 0, summary["error_examples"]
    for scope in ("first", "last"):
        for quantile in ("p50", "p95"):
            value = summary["latency_s"][scope][quantile]
            assert math.isfinite(value)
            assert value >= 0
        assert 0 <= summary["wer"][scope] < 0.3
    assert math.isfinite(summary["latency_s"]["p50_drift_pct"])
    rss = summary["rss_mb"]
    assert 0 < rss["before"] <= rss["peak"]
    assert rss["start"] <= rss["peak"]
    assert rss["end"] <= rss["peak"]
    for kind in ("python", "native"):
        threads = summary["threads"][kind]
        assert 1 <= threads["start"] <= threads["max"]
        assert 1 <= threads["end"] <= threads["max"]
    assert summary["goals_met"]["errors"] is True
    assert summary["wall_s"] > 0
    report = format_report(summary, "tiny.en", "hibari clips")
    (errors_goal,) = [line for line in report.splitlines() if line.split()[0] == "errors"]
    assert errors_goal.endswith("PASS")
