"""The files waiting in the Files tab, kept on disk so that a crash does not forget them.

A dictation left unfinished by a crash is offered back at the next start from
its recording journal; files dropped on the window were simply gone. The queue
now writes the paths it still has to transcribe (a small JSON list, replaced
atomically on every change, deleted when the queue empties); what a crash or a
quit leaves there is offered back at the next start. Only paths are
kept, never audio or text.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.core.json_file import read_json, save_json, set_aside
from app.core.paths import data_dir

log = logging.getLogger(__name__)


class QueueJournalError(Exception):
    """The queue's journal could not be written (logged; the queue works on)."""


def queue_journal_path() -> Path:
    """Where the waiting files are listed."""
    return data_dir() / "file-queue.json"


class QueueJournal:
    """Reads and writes the list of files still to transcribe."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or queue_journal_path()
        # Files a crash left waiting that the user will decide on later: listed with every
        # save, so the next start offers them again, even after a quit.
        self.deferred: list[Path] = []

    def save(self, paths: list[Path]) -> None:
        """List ``paths`` as waiting (an empty list removes the file). Never raises."""
        paths = paths + [path for path in self.deferred if path not in paths]
        try:
            if paths:
                listed = [str(path) for path in paths]
                save_json(self.path, listed, what="the file queue", error=QueueJournalError)
            else:
                self.path.unlink(missing_ok=True)
        except (QueueJournalError, OSError) as exc:
            log.warning("the file queue could not be written down: %s", exc)

    def take(self) -> list[Path]:
        """The files a crash left waiting, forgotten on disk now (the caller offers them)."""
        try:
            data = read_json(self.path)
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("the file queue's journal is unreadable (%s); set aside", exc)
            set_aside(self.path)
            return []
        self.path.unlink(missing_ok=True)
        if not isinstance(data, list):
            return []
        return [Path(item) for item in data if isinstance(item, str) and item]
