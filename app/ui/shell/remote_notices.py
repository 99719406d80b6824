"""A server's failure notice goes once the server hears a dictation again.

When a remote engine fails, the local model finishes the dictation and a notice
says so; it stayed after the server was back (or another was chosen), and each
new failure stacked under it, as if the server were still down.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from app.core.engine.remote.dictation_engine import FELL_BACK, HEARD_BY_SERVER
from app.core.output.history import HistoryEntry
from app.ui.dictation.live_view import NoticeBar


class RemoteNotices(QObject):
    """Shows the model's notices; withdraws the fallback ones after a server answered."""

    def __init__(self, notices: NoticeBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notices = notices
        self._fallbacks: list[str] = []

    def follow(self, worker: Any, controller: Any) -> None:
        """Show ``worker``'s model notices; hear of ``controller``'s dictations saved."""
        worker.model_notice.connect(self.show)
        controller.history_added.connect(self.dictation_saved)

    def show(self, message: str) -> None:
        """A notice from the model or the engine (a fallback, the GPU given up)."""
        if message.endswith(FELL_BACK):
            self._fallbacks.append(message)
        self._notices.show_notice("warning", message)

    def dictation_saved(self, entry: HistoryEntry) -> None:
        """A dictation reached history: heard by a server, the server works again."""
        if not entry.model.endswith(HEARD_BY_SERVER):
            return
        for message in self._fallbacks:
            self._notices.withdraw(message)
        self._fallbacks.clear()
