"""Figures of the live dictation benchmark: quantiles, ratios and goals met.

Kept apart from :mod:`saytype_bench.live`, which runs the dictations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from saytype_bench.accuracy import word_error_rate
from saytype_bench.live import LiveResult, UtteranceRun

GOALS: dict[str, tuple[float, bool]] = {
    "release_to_final_p50_s": (0.35, False),
    "release_to_final_p95_s": (0.6, False),
    "speedup_p50": (3.0, True),
    "partial_interval_p95_s": (0.5, False),
    "commit_lag_p95_s": (1.5, False),
    "wer_live_minus_naive_points": (0.0, False),
    "cancel_to_idle_p95_s": (0.05, False),
    "leaked_events": (0.0, False),
}


def _quantiles(values: Sequence[float], *names: str) -> dict[str, float | None]:
    levels = {"p50": 50.0, "p95": 95.0, "max": 100.0}
    if not values:
        return dict.fromkeys(names)
    return {name: float(np.percentile(values, levels[name])) for name in names}


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _figures(runs: Sequence[UtteranceRun]) -> dict[str, Any]:
    """The figures for a group of utterances (one bucket, or all)."""
    live = [r.live.release_to_final_s for r in runs if r.live.release_to_final_s is not None]
    ours = _quantiles(live, "p50", "p95")
    naive = _quantiles([r.naive_s for r in runs], "p50", "p95")
    references = [r.utterance.reference for r in runs]
    live_wer = word_error_rate(references, [r.live.final_text or "" for r in runs])
    naive_wer = word_error_rate(references, [r.naive_text for r in runs])
    figures: dict[str, Any] = {
        "utterances": len(runs),
        "audio_s": sum(r.utterance.duration_s for r in runs),
        "release_to_final_s": ours,
        "naive_release_to_final_s": naive,
        "speedup": {q: _ratio(naive[q], ours[q]) for q in ("p50", "p95")},
        "partial_interval_s": _quantiles(
            [gap for r in runs for gap in r.live.partial_intervals_s], "p50", "p95"
        ),
        "commit_lag_s": _quantiles(
            [lag for r in runs for lag in r.live.commit_lags_s], "p50", "p95"
        ),
        "wer": {
            "live": live_wer,
            "typed": word_error_rate(references, [r.live.typed_text or "" for r in runs]),
            "transcribe": word_error_rate(references, [r.transcribe_text for r in runs]),
            "naive": naive_wer,
        },
        "wer_mean_per_utterance": {
            "live": _mean_wer(references, [r.live.final_text or "" for r in runs]),
            "transcribe": _mean_wer(references, [r.transcribe_text for r in runs]),
            "naive": _mean_wer(references, [r.naive_text for r in runs]),
        },
        "live_against_naive": _against(runs),
        "commits_in_final": _commits_in_final(runs),
        "counts": {
            "partial_intervals": sum(len(r.live.partial_intervals_s) for r in runs),
            "committed_words": sum(len(r.live.commit_lags_s) for r in runs),
        },
    }
    if any(r.paused is not None for r in runs):
        paused = [r.paused.release_to_final_s for r in runs if r.paused is not None]
        figures["release_to_final_after_pause_s"] = _quantiles(
            [value for value in paused if value is not None], "p50", "p95"
        )
    figures["goals_met"] = _goals_met(
        {
            "release_to_final_p50_s": ours["p50"],
            "release_to_final_p95_s": ours["p95"],
            "speedup_p50": figures["speedup"]["p50"],
            "partial_interval_p95_s": figures["partial_interval_s"]["p95"],
            "commit_lag_p95_s": figures["commit_lag_s"]["p95"],
            "wer_live_minus_naive_points": (live_wer - naive_wer) * 100,
        }
    )
    return figures


def _mean_wer(references: Sequence[str], hypotheses: Sequence[str]) -> float | None:
    """The mean of each utterance's WER: every dictation counts the same, short or long."""
    if not references:
        return None
    rates = [word_error_rate([ref], [hyp]) for ref, hyp in zip(references, hypotheses, strict=True)]
    return float(np.mean(rates))


def _against(runs: Sequence[UtteranceRun]) -> dict[str, int]:
    """How many utterances the live final heard worse, equal or better than naive beam 5."""
    counts = {"worse": 0, "same": 0, "better": 0}
    for run in runs:
        live = word_error_rate([run.utterance.reference], [run.live.final_text or ""])
        naive = word_error_rate([run.utterance.reference], [run.naive_text])
        counts["worse" if live > naive else "better" if live < naive else "same"] += 1
    return counts


def _commits_in_final(runs: Sequence[UtteranceRun]) -> dict[str, float | int | None]:
    """Whether the final starts with the words committed (and typed) while speaking."""
    exact = [c for c in (r.live.commit_words_differing for r in runs) if c is not None]
    words = [c for c in (r.live.commit_words_differing_in_words for r in runs) if c is not None]
    return {
        "share": sum(1 for count in exact if count == 0) / len(exact) if exact else None,
        "words_differing": sum(exact),
        # Case and punctuation aside: the words themselves heard differently.
        "share_in_words": sum(1 for c in words if c == 0) / len(words) if words else None,
        "words_differing_in_words": sum(words),
    }


def _goals_met(values: dict[str, float | None]) -> dict[str, bool | None]:
    met: dict[str, bool | None] = {}
    for name, value in values.items():
        limit, higher_is_better = GOALS[name]
        met[name] = (
            None if value is None else (value >= limit if higher_is_better else value <= limit)
        )
    return met


def summarise(result: LiveResult) -> dict[str, Any]:
    """All figures as one JSON-ready object: per bucket, totals, cancel, per utterance."""
    targets = sorted({run.utterance.target_s for run in result.runs})
    measured = [t for t in result.cancels if not t.finished_first]
    ui_idle = [t.to_ui_idle_s for t in measured if t.to_ui_idle_s is not None]
    stopped = [t.to_compute_stopped_s for t in measured if t.to_compute_stopped_s is not None]
    leaked = sum(t.leaked_events for t in result.cancels)
    ui_idle_s = _quantiles(ui_idle, "p50", "p95", "max")
    cancel = {
        "trials": len(result.cancels),
        "finished_before_cancel": len(result.cancels) - len(measured),
        "cancel_to_ui_idle_s": ui_idle_s,
        "cancel_to_compute_stopped_s": _quantiles(stopped, "p50", "p95", "max"),
        "leaked_events": leaked,
        "goals_met": _goals_met(
            {"cancel_to_idle_p95_s": ui_idle_s["p95"], "leaked_events": float(leaked)}
        ),
    }
    return {
        "speed": result.speed,
        "setup_s": result.setup_s,
        "elapsed_s": result.elapsed_s,
        "goals": {name: limit for name, (limit, _) in GOALS.items()},
        "buckets": [
            {"target_s": target}
            | _figures([run for run in result.runs if run.utterance.target_s == target])
            for target in targets
        ],
        "totals": _figures(result.runs),
        "cancel": cancel,
        "utterances": [_utterance_row(run) for run in result.runs],
        "cancel_trials": [
            {
                "id": trial.utterance_id,
                "cancel_after_s": trial.cancel_after_s,
                "finished_first": trial.finished_first,
                "cancel_to_ui_idle_s": trial.to_ui_idle_s,
                "cancel_to_compute_stopped_s": trial.to_compute_stopped_s,
                "leaked_events": trial.leaked_events,
            }
            for trial in result.cancels
        ],
    }


def _utterance_row(run: UtteranceRun) -> dict[str, Any]:
    reference = run.utterance.reference
    return {
        "id": run.utterance.utterance_id,
        "target_s": run.utterance.target_s,
        "duration_s": run.utterance.duration_s,
        "clips": list(run.utterance.clip_ids),
        "release_to_final_s": run.live.release_to_final_s,
        "naive_s": run.naive_s,
        "partial_events": len(run.live.partial_at),
        "committed_words": len(run.live.commit_lags_s),
        "commit_words_differing": run.live.commit_words_differing,
        "commit_words_differing_in_words": run.live.commit_words_differing_in_words,
        "committed_text": run.live.committed_text,
        "wer_live": word_error_rate([reference], [run.live.final_text or ""]),
        "wer_typed": word_error_rate([reference], [run.live.typed_text or ""]),
        "typed_text": run.live.typed_text,
        "wer_transcribe": word_error_rate([reference], [run.transcribe_text]),
        "wer_naive": word_error_rate([reference], [run.naive_text]),
        "reference": reference,
        "live_text": run.live.final_text,
        "transcribe_text": run.transcribe_text,
        "naive_text": run.naive_text,
    }
