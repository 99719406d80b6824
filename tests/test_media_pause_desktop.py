"""A real dictation in the desktop app pauses a playing mpv and plays it again after.

As a user meets it: ``saytype`` as a subprocess on Xvfb and a private
PulseAudio daemon, an mpv (mpv-mpris) playing into the null sink, both on a
private session D-Bus. ``saytype start`` and ``saytype stop`` drive the
dictation as a Wayland keybinding would.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.core.audio.wav_file import write_wav
from tests.support.desktop_app import running_saytype
from tests.support.media_player import private_session_bus, running_mpv
from tests.support.private_bus import wait_until
from tests.support.pulse import running_pulseaudio
from tests.support.xserver import running_xvfb
from tests.test_media_pause import mpris_names, players_on

pytestmark = [pytest.mark.integration, pytest.mark.model]


def test_mpv_pauses_while_dictating_and_plays_after(tmp_path: Path) -> None:
    music = tmp_path / "music.wav"
    t = np.arange(16_000 * 2) / 16_000
    write_wav(music, (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 16_000)
    with (
        running_xvfb() as xserver,
        running_pulseaudio() as pulse,
        private_session_bus() as bus,
        running_mpv(bus, pulse, music),
    ):
        players = players_on(bus)
        wait_until(lambda: len(mpris_names(players, bus)) == 1, "mpv on the bus", bus)
        (name,) = mpris_names(players, bus)
        wait_until(lambda: players.status(name) == "Playing", "mpv to play", bus)
        env = {"DBUS_SESSION_BUS_ADDRESS": bus}
        with running_saytype(xserver, pulse, tmp_path / "home", extra_env=env) as app:
            assert app.command("start").returncode == 0
            app.wait(lambda: players.status(name) == "Paused", "mpv to pause", 30)
            assert app.command("stop").returncode == 0
            app.wait(lambda: players.status(name) == "Playing", "mpv to play again", 60)
            assert "paused 1 media player(s) while dictating" in app.log_text()
