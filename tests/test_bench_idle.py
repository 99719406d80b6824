"""``saytype bench idle``: builds the desktop app in-process and reports its idle CPU.

Offscreen with a fake microphone here: the figures themselves belong to the bench
(docs/benchmarks.md), so only their shape and the clear refusals are checked.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.commands import bench_idle
from tests.fakes.fake_sounddevice import FakeSoundDevice

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Offscreen Qt, no X display (no global hotkey), and a private control socket folder."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)


def _args(*extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--model", default="tiny.en")
    bench_idle.add_arguments(parser)
    return parser.parse_args(list(extra))


@pytest.mark.gui
@pytest.mark.model
def test_both_phases_are_measured_and_the_goal_reported(qtbot: QtBot, no_display: None) -> None:
    fake = FakeSoundDevice(np.zeros(1_600, np.float32))
    figures = bench_idle.measure_idle(0.2, sounddevice_backend=fake, settle_s=0.0)
    assert figures.mic_open.mic_open
    assert not figures.mic_closed.mic_open
    assert figures.mic_open.wall_s > 0
    assert figures.mic_closed.wall_s > 0
    assert figures.device == "Fake Microphone"
    assert figures.model == "tiny.en"
    payload = bench_idle.to_json(figures)
    assert payload["goal_percent_of_core"] == bench_idle.GOAL_PERCENT
    assert set(payload["mic_open"]) >= {"cpu_s", "cpu_s_per_min", "percent_of_core"}
    json.dumps(payload)
    report = bench_idle.format_report(figures)
    for words in ("held open", "closed", "goal"):
        assert words in report
    assert fake.streams
    assert all(stream.closed for stream in fake.streams)


def test_without_a_display_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    stderr = io.StringIO()
    assert bench_idle.run_idle(_args("--seconds", "1"), io.StringIO(), stderr) == 1
    assert "needs a display" in stderr.getvalue()


@pytest.mark.gui
def test_without_a_microphone_it_says_so(qtbot: QtBot, no_display: None) -> None:
    stderr = io.StringIO()
    status = bench_idle.run_idle(
        _args("--seconds", "1"), io.StringIO(), stderr, FakeSoundDevice.without_devices()
    )
    assert status == 1
    assert "needs a microphone" in stderr.getvalue()
    assert "No microphone found" in stderr.getvalue()


def test_seconds_must_be_positive() -> None:
    with pytest.raises(SystemExit):
        _args("--seconds", "0")
