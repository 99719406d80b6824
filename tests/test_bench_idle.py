"""``saytype bench idle``: starts the desktop app and reports its idle CPU, mic open and closed.

On a test X server and PulseAudio daemon. The figures themselves belong to the
bench (docs/benchmarks.md); here only their shape and the clear refusals count.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator

import pytest

from app.commands import bench_idle
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.xserver import XServer, running_xvfb


def _args(*extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--model", default="tiny.en")
    bench_idle.add_arguments(parser)
    return parser.parse_args(list(extra))


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[XServer, PulseDaemon]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse:
        yield xserver, pulse


@pytest.fixture
def on_desktop(
    desktop: tuple[XServer, PulseDaemon], monkeypatch: pytest.MonkeyPatch
) -> PulseDaemon:
    """This process (and so the app the bench starts) on the test display and sound server."""
    xserver, pulse = desktop
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", xserver.display)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    for name, value in pulse.env.items():
        monkeypatch.setenv(name, value)
    if "mic.monitor" not in pulse.sources():
        pulse.plug_in_mic()
    return pulse


@pytest.mark.integration
@pytest.mark.model
def test_both_phases_are_measured_and_the_goal_reported(on_desktop: PulseDaemon) -> None:
    figures = bench_idle.measure_idle(0.5, settle_s=0.0)
    assert figures.mic_open.mic_open
    assert not figures.mic_closed.mic_open
    assert figures.mic_open.wall_s > 0
    assert figures.mic_closed.wall_s > 0
    assert figures.model == "tiny.en"
    assert figures.device
    payload = bench_idle.to_json(figures)
    assert payload["goal_percent_of_core"] == bench_idle.GOAL_PERCENT
    assert set(payload["mic_open"]) >= {"cpu_s", "cpu_s_per_min", "percent_of_core"}
    json.dumps(payload)
    report = bench_idle.format_report(figures)
    for words in ("held open", "closed", "goal"):
        assert words in report


@pytest.mark.integration
@pytest.mark.model
def test_without_a_microphone_it_says_so(on_desktop: PulseDaemon) -> None:
    on_desktop.unplug_mic()
    stderr = io.StringIO()
    assert bench_idle.run_idle(_args("--seconds", "1"), io.StringIO(), stderr) == 1
    assert "needs a microphone" in stderr.getvalue()


def test_without_a_display_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    stderr = io.StringIO()
    assert bench_idle.run_idle(_args("--seconds", "1"), io.StringIO(), stderr) == 1
    assert "needs a display" in stderr.getvalue()


def test_seconds_must_be_positive() -> None:
    with pytest.raises(SystemExit):
        _args("--seconds", "0")
