"""The responsiveness benchmark's arithmetic: stalls become max, percentiles and counts."""

from __future__ import annotations

from app.benchmarks.responsiveness import _figures


def test_figures_of_a_phase() -> None:
    stalls = [0.0] * 95 + [10.0, 20.0, 40.0, 50.0, 150.0]
    row = _figures("dictation", stalls, 2.0)
    assert (row.beats, row.max_ms, row.over_33ms, row.over_100ms) == (100, 150.0, 3, 1)
    assert row.p95_ms == 0.0
    assert row.p99_ms == 50.0
    assert not row.goal_met


def test_no_beats_is_no_stall() -> None:
    row = _figures("quit", [], 0.0)
    assert (row.max_ms, row.p99_ms, row.goal_met) == (0.0, 0.0, True)
