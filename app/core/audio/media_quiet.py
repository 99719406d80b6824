"""Quiet while you dictate: the players playing at the press pause, and play again after.

Follows the dictation's states: listening pauses the players that are
playing (:class:`~app.core.audio.media_players.MediaPlayers`), and the
dictation's end (idle or error) resumes those, and only those. What was
paused is journaled before anything else happens, so if Saytype crashes
mid-dictation the next launch plays them again (:meth:`MediaQuiet.recover`).
Every bus call runs in one lane, in order, off the caller's thread.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import Executor, Future
from pathlib import Path

from app.core.atomic_file import write_text_atomically
from app.core.audio.media_players import MediaPlayers
from app.core.task_lane import TaskLane

log = logging.getLogger(__name__)

_DICTATION_OVER = frozenset({"idle", "error"})


class MediaJournal:
    """The names of the players Saytype paused, in a small JSON file (gone when none)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, names: list[str]) -> None:
        """Keep ``names`` (an empty list removes the file)."""
        if not names:
            self.clear()
            return
        write_text_atomically(self.path, json.dumps(names), file_mode=0o600, folder_mode=0o700)

    def pending(self) -> list[str]:
        """The names kept, or [] (a damaged file is logged and read as empty)."""
        try:
            names = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("the paused media journal %s cannot be read: %s", self.path, exc)
            return []
        return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []

    def clear(self) -> None:
        """Forget what was paused."""
        self.path.unlink(missing_ok=True)


class MediaQuiet:
    """Pauses playing media for each dictation, as the settings say.

    Args:
        players: the MPRIS players.
        journal: where the paused players are kept until they play again.
        lane: where the bus calls run, one after another.
    """

    def __init__(
        self, players: MediaPlayers, journal: MediaJournal, lane: Executor | None = None
    ) -> None:
        self._players = players
        self._journal = journal
        self._lane = lane or TaskLane("media-players")
        self._dictating = False

    def recover(self) -> Future[list[str]]:
        """At launch: play again what a crashed Saytype left paused; returns those resumed."""
        return self._lane.submit(self._resume)

    def on_state(self, state: str, *, enabled: bool) -> Future[list[str]] | None:
        """The dictation is now in ``state`` (a DictationState value).

        Returns the lane's future of the players paused (at the start) or resumed
        (at the end), or None when there is nothing to do.
        """
        if state == "listening" and not self._dictating and enabled:
            self._dictating = True
            return self._lane.submit(self._pause)
        if state in _DICTATION_OVER and self._dictating:
            self._dictating = False  # resumes even when turned off meanwhile
            return self._lane.submit(self._resume)
        return None

    def _pause(self) -> list[str]:
        paused = self._players.pause_playing()
        # Anything left from a crash is kept with them, so one resume plays all of it.
        self._journal.record(sorted({*self._journal.pending(), *paused}))
        return paused

    def _resume(self) -> list[str]:
        pending = self._journal.pending()
        resumed = self._players.resume(pending)
        self._journal.clear()
        return resumed
