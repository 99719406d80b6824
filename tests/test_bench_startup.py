"""``saytype bench startup`` measures real starts of the GUI and of a bare Qt window."""

from __future__ import annotations

import json

import pytest

from app.cli import main

pytestmark = pytest.mark.model


def test_one_run_gives_every_figure_in_json(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "startup", "--runs", "1", "--json"]) == 0
    figures = json.loads(capfd.readouterr().out)
    assert figures["benchmark"] == "startup"
    assert figures["runs"] == 1
    # Order, not speed: the window shows before the model is ready, and a bare
    # window is part of what Saytype's start-up includes.
    assert 0 < figures["window_shown_s"] <= figures["model_ready_s"]
    assert figures["ratio"] == pytest.approx(
        figures["window_shown_s"] / figures["baseline_window_s"]
    )
