"""Fixtures for the dictation tests on a real sound server (tests/support/pulse_rig.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.model_host import ModelHost
from tests.support.pulse import portaudio_on_pulseaudio
from tests.support.pulse_rig import App, Pulse, running_app


@pytest.fixture(scope="module")
def pulse_server() -> Iterator[Pulse]:
    with portaudio_on_pulseaudio() as (daemon, sounddevice):
        yield Pulse(daemon, sounddevice)


@pytest.fixture
def pulse(pulse_server: Pulse) -> Iterator[Pulse]:
    """The server with its microphone plugged in, before and after the test."""
    pulse_server.ensure_mic()
    yield pulse_server
    pulse_server.ensure_mic()


@pytest.fixture
def app(qtbot: QtBot, pulse: Pulse, tiny_en: ModelHost, tmp_path: Path) -> Iterator[App]:
    with running_app(qtbot, pulse, tiny_en, tmp_path) as made:
        yield made
