"""Plain-text report of the live dictation benchmark (see :mod:`saytype_bench.live`)."""

from __future__ import annotations

from typing import Any

from saytype_bench.live import NAIVE_BEAM_SIZE

# -- report --------------------------------------------------------------------------------

# label, figure, quantile, goal (name, text), unit
_ROWS: tuple[tuple[str, str, str, tuple[str, str] | None, str], ...] = (
    (
        "release → final, saytype p50",
        "release_to_final_s",
        "p50",
        ("release_to_final_p50_s", "<= 0.35 s"),
        "s",
    ),
    (
        "release → final, saytype p95",
        "release_to_final_s",
        "p95",
        ("release_to_final_p95_s", "<= 0.60 s"),
        "s",
    ),
    ("release → final, naive p50", "naive_release_to_final_s", "p50", None, "s"),
    ("release → final, naive p95", "naive_release_to_final_s", "p95", None, "s"),
    ("ratio naive / saytype, p50", "speedup", "p50", ("speedup_p50", ">= 3x"), "x"),
    ("ratio naive / saytype, p95", "speedup", "p95", None, "x"),
    ("release → final after 0.5 s pause, p50", "release_to_final_after_pause_s", "p50", None, "s"),
    ("release → final after 0.5 s pause, p95", "release_to_final_after_pause_s", "p95", None, "s"),
    ("partial interval p50", "partial_interval_s", "p50", None, "s"),
    (
        "partial interval p95",
        "partial_interval_s",
        "p95",
        ("partial_interval_p95_s", "<= 0.5 s"),
        "s",
    ),
    ("commit lag p50", "commit_lag_s", "p50", None, "s"),
    ("commit lag p95", "commit_lag_s", "p95", ("commit_lag_p95_s", "<= 1.5 s"), "s"),
    ("WER live final", "wer", "live", ("wer_live_minus_naive_points", "<= naive"), "%"),
    ("WER typed as I speak", "wer", "typed", None, "%"),
    ("WER saytype transcribe (beam 5)", "wer", "transcribe", None, "%"),
    ("WER naive (beam 5)", "wer", "naive", None, "%"),
    ("WER live final, mean per utterance", "wer_mean_per_utterance", "live", None, "%"),
    ("WER transcribe, mean per utterance", "wer_mean_per_utterance", "transcribe", None, "%"),
    ("WER naive, mean per utterance", "wer_mean_per_utterance", "naive", None, "%"),
)


def _cell(value: float | None, unit: str, met: bool | None) -> str:
    mark = "!" if met is False else " "
    if value is None:
        return f"n/a{mark}"
    if unit == "%":
        return f"{value * 100:.1f}%{mark}"
    return f"{value:.3f}{'x' if unit == 'x' else ''}{mark}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.1f} ms"


def format_report(summary: dict[str, Any], model_name: str, source: str) -> str:
    """Human-readable report: one column per length bucket plus totals, goals alongside."""
    columns = [*summary["buckets"], summary["totals"]]
    headers = [f"{b['target_s']} s" for b in summary["buckets"]] + ["all"]
    totals = summary["totals"]
    lines = [
        f"live dictation benchmark: model {model_name}, {totals['utterances']} utterances, "
        f"{totals['audio_s']:.1f} s of speech fed at {summary['speed']:g}x real time",
        f"source: {source}",
        "release = the last audio block of the recording is written (with whatever silence "
        "the recording ends with); naive = faster-whisper transcribe() of the whole clip "
        f"after release, beam {NAIVE_BEAM_SIZE}",
        "",
        f"{'':40}" + "".join(f"{h:>11}" for h in headers) + "   goal",
        f"{'utterances':40}" + "".join(f"{c['utterances']:>10} " for c in columns),
        f"{'mean length':40}"
        + "".join(f"{c['audio_s'] / max(1, c['utterances']):>9.1f}s " for c in columns),
    ]
    for label, figure, quantile, goal, unit in _ROWS:
        if figure not in totals:
            continue
        cells = [
            _cell(c[figure][quantile], unit, c["goals_met"][goal[0]] if goal else None)
            for c in columns
        ]
        row = f"{label:40}" + "".join(f"{cell:>11}" for cell in cells)
        lines.append(f"{row}   {goal[1]}" if goal else row)
    lines.append(
        f"{'live worse / same / better than naive':40}"
        + "".join(
            f"{a['worse']:>4}/{a['same']:>2}/{a['better']:<2} "
            for a in (c["live_against_naive"] for c in columns)
        )
    )
    lines.append(
        f"{'finals starting with the commits':40}"
        + "".join(f"{_cell(c['commits_in_final']['share'], '%', None):>11}" for c in columns)
        + "   100%"
    )
    lines.append(
        f"{'committed words the final differs on':40}"
        + "".join(f"{c['commits_in_final']['words_differing']:>10} " for c in columns)
        + "   0"
    )
    lines.append(
        f"{'  of them other words, not form':40}"
        + "".join(f"{c['commits_in_final']['words_differing_in_words']:>10} " for c in columns)
    )
    lines.append(
        f"{'partial intervals / committed words':40}"
        + "".join(
            f"{c['counts']['partial_intervals']:>6}/{c['counts']['committed_words']:<4}"
            for c in columns
        )
    )
    cancel = summary["cancel"]
    idle = cancel["cancel_to_ui_idle_s"]
    stopped = cancel["cancel_to_compute_stopped_s"]
    met = cancel["goals_met"]
    lines += [
        "(! = goal missed; goals are informational)",
        "",
        f"cancel ({cancel['trials']} dictations cancelled at random points through the "
        f"inference worker, {cancel['finished_before_cancel']} finished first)",
        f"  → UI idle: p50 {_ms(idle['p50'])}, p95 {_ms(idle['p95'])}, max {_ms(idle['max'])}"
        f"   goal p95 <= 50 ms{'' if met['cancel_to_idle_p95_s'] is not False else ' (missed)'}",
        f"  → compute stopped (after the encode or decode under way): p50 {_ms(stopped['p50'])}, "
        f"p95 {_ms(stopped['p95'])}, max {_ms(stopped['max'])}",
        f"events emitted after cancel: {cancel['leaked_events']}"
        f"   goal 0{'' if met['leaked_events'] else ' (missed)'}",
        "",
        f"{'utterance':40} {'length':>7} {'final':>7} {'naive':>7} "
        f"{'WER live':>9} {'transcr':>8} {'naive':>7}",
    ]
    for row in summary["utterances"]:
        final = row["release_to_final_s"]
        lines.append(
            f"{row['id'][:40]:40} {row['duration_s']:6.1f}s "
            f"{'n/a' if final is None else f'{final:.3f}':>6}s {row['naive_s']:6.3f}s "
            f"{row['wer_live'] * 100:8.1f}% {row['wer_transcribe'] * 100:7.1f}% "
            f"{row['wer_naive'] * 100:6.1f}%"
        )
    lines.append(
        f"setup (model, VAD, warm-up) {summary['setup_s']:.1f} s; whole run "
        f"{summary['elapsed_s']:.1f} s"
    )
    return "\n".join(line.rstrip() for line in lines)
