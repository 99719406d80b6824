"""``python bench/live.py``: utterance choice (pure) and one tiny end-to-end run (tiny.en)."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from app.benchmarks.speech_clips import Clip, synthesised_clips
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from saytype_bench import command
from saytype_bench.dictation_sentences import DICTATION_SENTENCES, speeds_for
from saytype_bench.live import DictationTrace, replay
from saytype_bench.live_report import format_report
from saytype_bench.live_utterances import GAP_S, build_utterances, one_per_clip


def clip(clip_id: str, seconds: float) -> Clip:
    return Clip(clip_id, np.ones(round(seconds * SAMPLE_RATE), np.float32), f"words of {clip_id}")


CLIPS = [
    clip("a", 11.0),
    clip("b", 2.5),
    clip("c", 4.4),
    clip("d", 9.6),
    clip("e", 8.1),
    clip("f", 1.2),
    clip("g", 2.9),
]


def test_short_buckets_take_single_clips_closest_to_the_target() -> None:
    utterances = build_utterances(CLIPS, [3, 10], per_bucket=2)
    assert [u.clip_ids for u in utterances] == [("b",), ("g",), ("a",), ("d",)]
    assert [u.target_s for u in utterances] == [3, 3, 10, 10]
    assert utterances[0].reference == "words of b"


def test_long_buckets_join_consecutive_clips_with_silence() -> None:
    (utterance,) = build_utterances(CLIPS, [20], per_bucket=1)
    assert utterance.clip_ids == ("a", "b", "c")  # 19.1 s, the run closest to 20 s
    assert utterance.duration_s == pytest.approx(11.0 + 2.5 + 4.4 + 2 * GAP_S, abs=1e-3)
    assert utterance.reference == "words of a words of b words of c"
    gap_start = round(11.0 * SAMPLE_RATE)
    assert not utterance.audio[gap_start : gap_start + int(GAP_S * SAMPLE_RATE)].any()


def test_choice_is_deterministic_and_prefers_unshared_clips() -> None:
    first = build_utterances(CLIPS, [20], per_bucket=3)
    again = build_utterances(CLIPS, [20], per_bucket=3)
    assert [u.clip_ids for u in first] == [u.clip_ids for u in again]
    assert len(first) == 3
    assert len({u.clip_ids for u in first}) == 3


def test_a_bucket_nothing_fits_is_an_error() -> None:
    with pytest.raises(ValueError, match="90 s bucket"):
        build_utterances(CLIPS, [90], per_bucket=1)


def test_bad_bucket_list_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        command.main("live", ["--buckets", "3,x"])
    assert exit_info.value.code == 2


FIGURES = {
    "release_to_final_s": ("p50", "p95"),
    "naive_release_to_final_s": ("p50", "p95"),
    "speedup": ("p50", "p95"),
    "partial_interval_s": ("p50", "p95"),
    "commit_lag_s": ("p50", "p95"),
    "wer": ("live", "transcribe", "naive"),
}


def assert_figure(value: Any) -> None:
    assert isinstance(value, (int, float)), value
    assert math.isfinite(value)
    assert value >= 0


def _one_clip_corpus(tmp_path: Path, sentence: str) -> Path:
    """A speech corpus folder holding one hibari-tts recording of ``sentence``."""
    (spoken,) = synthesised_clips([sentence])
    corpus = tmp_path / "speech"
    (corpus / "wav").mkdir(parents=True)
    write_wav(corpus / "wav" / "one.wav", spoken.audio, SAMPLE_RATE)
    (corpus / "manifest.tsv").write_text(
        "id\tfile\tduration_s\treference_text\n"
        f"one\twav/one.wav\t{spoken.duration_s:.3f}\t{spoken.reference}\n",
        encoding="utf-8",
    )
    return corpus


@pytest.mark.model
@pytest.mark.gui
def test_one_short_utterance_gives_every_figure(qapp: QApplication, tmp_path: Path) -> None:
    # The cancel trials run on a Qt event loop; they use the test session's
    # QApplication rather than leave a bare QCoreApplication for later tests.
    corpus = _one_clip_corpus(
        tmp_path, "Please bring the latest sales figures and the new contract."
    )
    options = ["--buckets", "3", "--per-bucket", "1", "--cancels", "2", "--json"]
    args = command.build_parser("live").parse_args(["--speech-dir", str(corpus), *options])
    out, err = io.StringIO(), io.StringIO()
    assert command.run("live", args, out, err) == 0
    assert err.getvalue() == ""  # progress goes to a terminal only
    summary = json.loads(out.getvalue())
    assert summary["benchmark"] == "live"
    assert [bucket["target_s"] for bucket in summary["buckets"]] == [3]
    for scope in (summary["buckets"][0], summary["totals"]):
        assert scope["utterances"] == 1
        for figure, keys in FIGURES.items():
            for key in keys:
                assert_figure(scope[figure][key])
        assert set(scope["goals_met"]) >= {"release_to_final_p50_s", "speedup_p50"}
    cancel = summary["cancel"]
    assert cancel["trials"] == 2
    assert cancel["leaked_events"] == 0
    if cancel["finished_before_cancel"] < 2:
        for key in ("p50", "p95", "max"):
            assert_figure(cancel["cancel_to_ui_idle_s"][key])
            assert_figure(cancel["cancel_to_compute_stopped_s"][key])
            # The worker answers at once; the compute ends its CTranslate2 call first.
            assert cancel["cancel_to_ui_idle_s"][key] <= cancel["cancel_to_compute_stopped_s"][key]
    (row,) = summary["utterances"]
    assert row["clips"] == ["one"]
    assert_figure(row["wer_live"])
    assert row["live_text"]
    report = format_report(summary, "tiny.en", "test corpus")
    assert "release → final, saytype p50" in report
    assert "events emitted after cancel: 0" in report
    assert "→ UI idle: p50" in report


def test_dictation_corpus_has_sixty_sentences_with_spoken_punctuation() -> None:
    sentences = DICTATION_SENTENCES
    assert len(sentences) >= 60
    assert len(set(sentences)) == len(sentences)
    spoken = [s for s in sentences if re.search(r"\b(comma|period|question mark)\b", s)]
    assert len(spoken) >= 15
    assert sorted(set(speeds_for(sentences))) == [0.9, 1.0, 1.15]


def test_one_per_clip_keeps_each_recording_whole() -> None:
    clips = [clip("short", 2.0), clip("medium", 9.0), clip("long", 26.0)]
    utterances = one_per_clip(clips)
    assert [u.utterance_id for u in utterances] == ["short", "medium", "long"]
    assert [u.target_s for u in utterances] == [3, 10, 30]
    pairs = zip(utterances, clips, strict=True)
    assert all(u.audio is c.audio and u.reference == c.reference for u, c in pairs)


@pytest.mark.model
@pytest.mark.gui
def test_per_utterance_mode_reports_each_dictation_and_its_mean_wer(
    qapp: QApplication, tmp_path: Path
) -> None:
    corpus = _one_clip_corpus(tmp_path, "Can we move tomorrow's call to three thirty?")
    argv = ["--speech-dir", str(corpus), "--corpus", "speech", "--cancels", "0"]
    args = command.build_parser("live").parse_args([*argv, "--json"])
    out, err = io.StringIO(), io.StringIO()
    assert command.run("live", args, out, err) == 0
    summary = json.loads(out.getvalue())
    assert summary["mode"] == "per-utterance"
    assert [c["corpus"] for c in summary["corpora"]] == ["speech"]
    totals = summary["totals"]
    assert totals["utterances"] == 1
    assert sum(totals["live_against_naive"].values()) == 1
    for path in ("live", "transcribe", "naive"):
        assert_figure(totals["wer_mean_per_utterance"][path])
    assert totals["wer_mean_per_utterance"]["live"] <= 0.25  # hibari speech: heard nearly exactly


def test_committed_words_the_final_does_not_say_are_counted() -> None:
    trace = DictationTrace(final_text="And so my fellow Americans ask not")
    trace.commits = [" And so my", " I fellow"]
    assert trace.commit_words_differing == 1  # "I": the words after it still match
    trace.commits = [" And so my fellow"]
    assert trace.commit_words_differing == 0
    assert DictationTrace().commit_words_differing is None


def test_words_differing_only_in_form_are_told_apart() -> None:
    trace = DictationTrace(final_text="Printing, in the only sense, differs")
    trace.commits = [" printing in the", " only sense we"]
    assert trace.commit_words_differing == 3  # "printing", "sense" (form) and "we"
    assert trace.commit_words_differing_in_words == 1  # only "we" is another word


def test_the_typed_text_keeps_the_commits_and_takes_the_rest_from_the_final() -> None:
    trace = DictationTrace(final_text="And so my fellow Americans ask not")
    trace.commits = [" And so my", " I fellow"]
    # Typed words are never taken back: "I" stays, the final adds what came after.
    assert trace.typed_text == "And so my I fellow Americans ask not"
    assert DictationTrace(commits=[" And so"]).typed_text is None


class _CountingTranscriber:
    """Counts what the replay asks of a transcriber: a pass every third block."""

    def __init__(self) -> None:
        self.blocks = self.passes = self.idle = 0

    def push(self, _samples: Any) -> None:
        self.blocks += 1

    def pass_due(self) -> bool:
        return self.blocks % 3 == 0

    def run_pass(self) -> list[Any]:
        self.passes += 1
        return []

    def work_while_idle(self) -> bool:
        self.idle += 1
        return False

    def finish(self) -> Any:
        return type("Final", (), {"text": ""})()


class _CountingPipeline:
    def __init__(self) -> None:
        self.transcriber = _CountingTranscriber()

    def new_transcriber(self) -> _CountingTranscriber:
        return self.transcriber


def _replay_counts(schedule: int | None) -> tuple[int, int, int]:
    pipeline = _CountingPipeline()
    replay(pipeline, np.zeros(SAMPLE_RATE * 30, np.float32), schedule)  # type: ignore[arg-type]
    counted = pipeline.transcriber
    return counted.blocks, counted.passes, counted.idle


def test_a_busy_schedule_runs_passes_late_and_skips_idle_moments_the_same_way_per_seed() -> None:
    blocks, passes, idle = _replay_counts(None)
    assert (passes, idle) == (blocks // 3, blocks)  # the plain replay: no clock
    busy = _replay_counts(7)
    assert busy[1] < passes
    assert busy[2] < idle
    assert _replay_counts(7) == busy
    assert _replay_counts(8) != busy


def test_a_schedule_needs_the_replay() -> None:
    args = command.build_parser("live").parse_args(["--schedule", "3"])
    out, err = io.StringIO(), io.StringIO()
    assert command.run("live", args, out, err) == 2
    assert "--schedule needs --replay" in err.getvalue()


@pytest.mark.model
@pytest.mark.gui
@pytest.mark.parametrize("schedule", [[], ["--schedule", "3"]], ids=["plain", "busy"])
def test_replay_mode_hears_the_same_words_every_run(
    qapp: QApplication, tmp_path: Path, schedule: list[str]
) -> None:
    corpus = _one_clip_corpus(tmp_path, "Please find the signed contract attached to this email.")
    argv = ["--speech-dir", str(corpus), "--corpus", "speech", "--cancels", "0", "--replay"]
    argv += schedule
    args = command.build_parser("live").parse_args([*argv, "--json"])
    runs = []
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        assert command.run("live", args, out, err) == 0, err.getvalue()
        runs.append(json.loads(out.getvalue()))
    rows = [run["utterances"][0] for run in runs]
    assert rows[0]["live_text"] == rows[1]["live_text"]
    assert rows[0]["committed_text"] == rows[1]["committed_text"]
    assert rows[0]["wer_live"] <= 0.2  # hibari speech: heard nearly exactly
    assert_figure(runs[0]["totals"]["release_to_final_s"]["p50"])  # the final's own cost
