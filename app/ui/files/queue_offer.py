"""At start: offer back the files a crash left waiting in the Files tab.

The file queue lists what it still has to transcribe on disk
(:mod:`app.core.output.queue_journal`); a quit the user agreed to clears the
list, a crash does not. The offer never blocks the window and never queues on
its own (a file that crashed Saytype would crash it again at every start). Esc
(Later) puts the question off to the next start: only "Forget them" forgets.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.core.output.queue_journal import QueueJournal
from app.ui.shell.questions import ask

if TYPE_CHECKING:
    from app.ui.shell.desktop_parts import DesktopParts

log = logging.getLogger(__name__)

_NAMED = 5  # files named in the question; the rest are counted


def offer_waiting_files(
    parts: DesktopParts, journal: QueueJournal | None = None
) -> QMessageBox | None:
    """Keep the queue written down from now on; ask about what the last run left waiting."""
    journal = journal or QueueJournal()
    waiting = journal.take()
    parts.files.journal = journal
    found = [path for path in waiting if path.exists()]
    if not waiting:
        return None
    log.info("the last run left %d files waiting (%d still there)", len(waiting), len(found))

    def later() -> None:  # Esc or closing the box: asked again at the next start
        journal.deferred = waiting
        parts.files.write_down()

    box = ask(
        parts.window,
        "Transcribe the files again?",
        _question(waiting, found),
        "&Queue them again",
        "&Forget them",
        lambda: parts.window.queue_files(found),
        yes_by_default=bool(found),
        cancel="&Later",
        on_cancel=later,
    )
    box.buttons()[0].setEnabled(bool(found))  # nothing left to queue: Forget or Later
    return box


def _question(waiting: list[Path], found: list[Path]) -> str:
    names = ", ".join(path.name for path in waiting[:_NAMED])
    more = f" and {len(waiting) - _NAMED} more" if len(waiting) > _NAMED else ""
    files = "1 file" if len(waiting) == 1 else f"{len(waiting)} files"
    text = f"Saytype stopped before {files} had a saved transcript: {names}{more}."
    gone = len(waiting) - len(found)
    if gone:
        text += f" {gone} of them {'is' if gone == 1 else 'are'} no longer there."
    return text
