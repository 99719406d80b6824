"""Media players over MPRIS (D-Bus): pause the ones playing, later play only those again.

Quiet while you dictate: music or a video in the background costs the model
words, and people stop it by hand. Every Linux media player worth the name
(mpv with mpv-mpris, VLC, browsers, Spotify) speaks MPRIS on the session bus,
so Saytype pauses those that are *playing* at the press and resumes exactly
those at the end: a player that was paused stays paused. Players are named by
their well-known bus name (``org.mpris.MediaPlayer2.mpv``), which the journal
(:mod:`app.core.audio.media_journal`) can keep across a crash.

jeepney (pure Python, blocking, MIT) talks to the bus; every call runs in a
lane thread, never on the GUI thread, and a missing bus or a player that
does not answer in time is logged, never raised: a nicety must not fail a
dictation.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

MPRIS_PREFIX = "org.mpris.MediaPlayer2."
_PLAYER = "org.mpris.MediaPlayer2.Player"
_PATH = "/org/mpris/MediaPlayer2"
_TIMEOUT_S = 2.0  # per call: a hung player must not hold the next dictation's pause


def open_session_bus() -> Any:
    """A blocking connection to the session bus (raises when there is none)."""
    from jeepney.io.blocking import open_dbus_connection

    return open_dbus_connection(bus="SESSION")


class MediaPlayers:
    """Pauses and resumes MPRIS players on the session bus.

    Args:
        connect: opens a bus connection (a private bus in tests); one per call,
            so a bus restarted since the last dictation is found again.
    """

    def __init__(self, connect: Callable[[], Any] = open_session_bus) -> None:
        self._connect = connect

    def pause_playing(self) -> list[str]:
        """Pause every player that is playing now; returns the names of those paused."""
        paused: list[str] = []
        with self._connection() as bus:
            if bus is None:
                return paused
            for name in self._players(bus):
                if self._status(bus, name) == "Playing" and self._call(bus, name, "Pause"):
                    paused.append(name)
            # Pause is only a request (mpv-mpris reports the new status a moment later):
            # a short dictation's resume must not find "Playing" and leave the player paused.
            self._await_status(bus, paused, "Paused")
        if paused:
            log.info("paused %d media player(s) while dictating", len(paused))
        return paused

    def resume(self, names: Iterable[str]) -> list[str]:
        """Play again those of ``names`` that are still there and paused; returns them."""
        resumed: list[str] = []
        wanted = list(names)
        if not wanted:
            return resumed
        with self._connection() as bus:
            if bus is None:
                return resumed
            present = set(self._players(bus))
            for name in wanted:
                # Stopped or gone players, and ones the user played meanwhile, are left alone.
                paused = name in present and self._status(bus, name) == "Paused"
                if paused and self._call(bus, name, "Play"):
                    resumed.append(name)
            self._await_status(bus, resumed, "Playing")  # so the next press sees them playing
        return resumed

    def status(self, name: str) -> str | None:
        """The ``PlaybackStatus`` of player ``name`` (Playing, Paused, Stopped), or None."""
        with self._connection() as bus:
            return None if bus is None else self._status(bus, name)

    def _connection(self) -> _Connection:
        return _Connection(self._connect)

    def _players(self, bus: Any) -> list[str]:
        from jeepney.bus_messages import message_bus

        try:
            reply = bus.send_and_get_reply(message_bus.ListNames(), timeout=_TIMEOUT_S)
        except Exception as exc:  # a bus that went away mid-call
            log.info("the session bus did not list its names: %s", exc)
            return []
        return sorted(name for name in reply.body[0] if name.startswith(MPRIS_PREFIX))

    def _status(self, bus: Any, name: str) -> str | None:
        from jeepney import DBusAddress, MessageType, Properties

        address = DBusAddress(_PATH, bus_name=name, interface=_PLAYER)
        try:
            reply = bus.send_and_get_reply(
                Properties(address).get("PlaybackStatus"), timeout=_TIMEOUT_S
            )
        except Exception as exc:  # the player quit, or hangs
            log.info("media player %s did not say its status: %s", name, exc)
            return None
        if reply.header.message_type is MessageType.error:
            return None
        signature, value = reply.body[0]
        return str(value) if signature == "s" else None

    def _await_status(self, bus: Any, names: list[str], wanted: str) -> None:
        """Wait (at most a call's timeout) until every player in ``names`` reports ``wanted``."""
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus

        if not names:
            return
        rule = MatchRule(
            type="signal",
            interface="org.freedesktop.DBus.Properties",
            member="PropertiesChanged",
            path=_PATH,
        )
        deadline = time.monotonic() + _TIMEOUT_S
        try:
            bus.send_and_get_reply(message_bus.AddMatch(rule), timeout=_TIMEOUT_S)
            with bus.filter(rule) as changes:
                # Subscribed first, then checked: a change between the two is not missed.
                while any(self._status(bus, name) not in (wanted, None) for name in names):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        log.info("media players did not report %s in time", wanted)
                        return
                    with contextlib.suppress(TimeoutError):
                        bus.recv_until_filtered(changes, timeout=left)
        except Exception as exc:  # a bus that went away: the request was still sent
            log.info("media players' status could not be followed: %s", exc)

    def _call(self, bus: Any, name: str, method: str) -> bool:
        from jeepney import DBusAddress, MessageType, new_method_call

        address = DBusAddress(_PATH, bus_name=name, interface=_PLAYER)
        try:
            reply = bus.send_and_get_reply(new_method_call(address, method), timeout=_TIMEOUT_S)
        except Exception as exc:
            log.info("media player %s did not %s: %s", name, method.lower(), exc)
            return False
        return reply.header.message_type is not MessageType.error


class _Connection:
    """``with``: a bus connection, or None (logged once per call) when there is no bus."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._open = connect
        self._bus: Any = None

    def __enter__(self) -> Any:
        try:
            self._bus = self._open()
        except Exception as exc:  # no session bus (a bare X session, a service)
            log.info("no session bus for media players: %s", exc)
            self._bus = None
        return self._bus

    def __exit__(self, *_exc: object) -> None:
        if self._bus is not None:
            self._bus.close()
