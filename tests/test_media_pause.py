"""Quiet while you dictate, with real mpv players (mpv-mpris) on a private session D-Bus.

A playing mpv pauses when a dictation starts and plays again when it ends; an
mpv that was already paused stays paused; and the journal brings back what a
crashed Saytype left paused.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.media_players import MPRIS_PREFIX, MediaPlayers, open_session_bus
from app.core.audio.media_quiet import MediaJournal, MediaQuiet
from app.core.audio.wav_file import write_wav
from tests.support.media_player import private_session_bus, running_mpv
from tests.support.private_bus import wait_until
from tests.support.pulse import PulseDaemon, running_pulseaudio

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pulse() -> Iterator[PulseDaemon]:
    with running_pulseaudio() as daemon:
        yield daemon


@pytest.fixture
def bus() -> Iterator[str]:
    with private_session_bus() as address:
        yield address


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("media") / "music.wav"
    t = np.arange(16_000 * 2) / 16_000
    write_wav(path, (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 16_000)
    return path


def connect_to(bus: str) -> object:
    from jeepney.io.blocking import open_dbus_connection

    return open_dbus_connection(bus=bus)


def players_on(bus: str) -> MediaPlayers:
    return MediaPlayers(connect=partial(connect_to, bus))


def mpris_names(players: MediaPlayers, bus: str) -> list[str]:
    from jeepney.bus_messages import message_bus

    with players._connection() as connection:
        reply = connection.send_and_get_reply(message_bus.ListNames())
    return sorted(name for name in reply.body[0] if name.startswith(MPRIS_PREFIX))


def the_playing_player(players: MediaPlayers, bus: str) -> str:
    """The name of the one mpv on ``bus``, once it is on the bus and playing."""
    wait_until(lambda: len(mpris_names(players, bus)) == 1, "mpv on the bus", bus)
    (name,) = mpris_names(players, bus)
    wait_until(lambda: players.status(name) == "Playing", "mpv to play", bus)
    return name


def test_a_playing_player_pauses_for_the_dictation_and_plays_after(
    bus: str, pulse: PulseDaemon, music: Path, tmp_path: Path
) -> None:
    players = players_on(bus)
    journal = MediaJournal(tmp_path / "paused-media.json")
    quiet = MediaQuiet(players, journal)
    with running_mpv(bus, pulse, music), running_mpv(bus, pulse, music, paused=True):

        def one_plays() -> bool:
            # Told apart only once the playing one plays: before that both may say "Paused".
            names = mpris_names(players, bus)
            return len(names) == 2 and [players.status(n) for n in names].count("Playing") == 1

        wait_until(one_plays, "both mpv players on the bus, one playing", bus)
        playing, paused = sorted(
            mpris_names(players, bus), key=lambda name: players.status(name) != "Playing"
        )
        # mpv started paused says "Stopped" until its file is loaded, then "Paused".
        wait_until(lambda: players.status(paused) == "Paused", "the other mpv to load", bus)

        started = quiet.on_state("listening", enabled=True)
        assert started is not None
        assert started.result(timeout=30) == [playing]
        assert players.status(playing) == "Paused"
        assert journal.pending() == [playing]  # kept before the dictation goes on
        assert quiet.on_state("finishing", enabled=True) is None
        ended = quiet.on_state("idle", enabled=True)
        assert ended is not None
        assert ended.result(timeout=30) == [playing]
        assert players.status(playing) == "Playing"
        assert players.status(paused) == "Paused"  # it was paused before: it stays paused
        assert journal.pending() == []


def test_a_tap_shorter_than_the_players_reply_still_plays_it_again(
    bus: str, pulse: PulseDaemon, music: Path, tmp_path: Path
) -> None:
    # Pause is a request that mpv-mpris reports a moment later; a resume that read
    # "Playing" before the pause landed would leave the music off for good.
    players = players_on(bus)
    quiet = MediaQuiet(players, MediaJournal(tmp_path / "paused-media.json"))
    with running_mpv(bus, pulse, music):
        name = the_playing_player(players, bus)
        for _ in range(5):
            started = quiet.on_state("listening", enabled=True)
            ended = quiet.on_state("idle", enabled=True)
            assert started is not None
            assert ended is not None
            assert started.result(timeout=30) == [name]
            assert ended.result(timeout=30) == [name]
            assert players.status(name) == "Playing"


def test_turned_off_nothing_is_paused(
    bus: str, pulse: PulseDaemon, music: Path, tmp_path: Path
) -> None:
    players = players_on(bus)
    quiet = MediaQuiet(players, MediaJournal(tmp_path / "paused-media.json"))
    with running_mpv(bus, pulse, music):
        name = the_playing_player(players, bus)
        assert quiet.on_state("listening", enabled=False) is None
        assert quiet.on_state("idle", enabled=False) is None
        assert players.status(name) == "Playing"


def test_after_a_crash_the_next_launch_plays_what_was_paused(
    bus: str, pulse: PulseDaemon, music: Path, tmp_path: Path
) -> None:
    players = players_on(bus)
    journal = MediaJournal(tmp_path / "paused-media.json")
    with running_mpv(bus, pulse, music):
        name = the_playing_player(players, bus)
        crashed = MediaQuiet(players, journal)
        started = crashed.on_state("listening", enabled=True)
        assert started is not None
        assert started.result(timeout=30) == [name]  # ...and Saytype dies here
        assert players.status(name) == "Paused"

        relaunched = MediaQuiet(players_on(bus), MediaJournal(journal.path))
        assert relaunched.recover().result(timeout=30) == [name]
        assert players.status(name) == "Playing"
        assert not journal.path.exists()


def test_without_a_session_bus_a_dictation_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no bus socket there either
    quiet = MediaQuiet(MediaPlayers(open_session_bus), MediaJournal(tmp_path / "j.json"))
    started = quiet.on_state("listening", enabled=True)
    assert started is not None
    assert started.result(timeout=30) == []
    ended = quiet.on_state("error", enabled=True)
    assert ended is not None
    assert ended.result(timeout=30) == []
