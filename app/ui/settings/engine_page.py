"""Settings → Engine: dictate with the local model (the default) or a saved endpoint.

Endpoints are saved with ``saytype engines add`` (their API keys go to the
system keyring there); this page only picks which one dictation uses, and
says plainly where the audio will go before the user confirms with OK.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QVBoxLayout, QWidget

from app.core.engine.remote.dictation_engine import where_audio_goes
from app.core.engine.remote.endpoint_book import EndpointBook
from app.core.engine.remote.remote_errors import display_url

ENGINE_PAGE = "Engine"
LOCAL_LABEL = "Local: this computer (no audio leaves it)"


class EnginePage(QWidget):
    """Offers Local and each saved endpoint; :meth:`chosen` is the pick ("" = local)."""

    def __init__(self, book: EndpointBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Engine")
        self._book = book
        self.choice = QComboBox(self)
        self.choice.setAccessibleName("Dictation engine")
        self.choice.addItem(LOCAL_LABEL, "")
        for endpoint in book.endpoints:
            protocol = "Wyoming" if endpoint.protocol == "wyoming" else "OpenAI-compatible"
            self.choice.addItem(
                f"{endpoint.name}: {display_url(endpoint.url)} ({protocol})", endpoint.name
            )
        self.choice.setCurrentIndex(max(0, self.choice.findData(book.active)))
        about = QLabel(
            "Dictation runs on this engine. With a server, the words you see while speaking "
            "still come from the local model, and the server's transcript is the final text.",
            self,
        )
        self.fallback = QCheckBox("If the server fails, finish the dictation with the local model")
        self.fallback.setToolTip(
            "On, nothing is lost when the server is down or slow. Off, the dictation fails "
            "and its recording is kept for recovery at the next start."
        )
        self.fallback.setChecked(book.fallback)
        about.setWordWrap(True)
        hint = QLabel(
            "Add a server with <code>saytype engines add NAME URL</code> "
            "(its API key is kept in the system keyring)."
            if book.endpoints
            else "No servers are saved yet. Add one with "
            "<code>saytype engines add NAME URL</code>; its API key is kept in the system keyring.",
            self,
        )
        hint.setWordWrap(True)
        self.privacy = QLabel(self)
        self.privacy.setAccessibleName("Where audio goes")
        self.privacy.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choice)
        layout.addWidget(about)
        layout.addWidget(self.fallback)
        layout.addWidget(self.privacy)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.choice.currentIndexChanged.connect(self._show_privacy)
        self.choice.currentIndexChanged.connect(
            lambda: self.fallback.setEnabled(bool(self.chosen()))
        )
        self.fallback.setEnabled(bool(self.chosen()))
        self._show_privacy()

    def chosen(self) -> str:
        """The endpoint picked ("" for local)."""
        return str(self.choice.currentData() or "")

    def _show_privacy(self) -> None:
        where = where_audio_goes(self._book.get(self.chosen()))
        self.privacy.setText(
            f"<b>Your dictations' audio will be sent to {where}.</b>"
            if where
            else "Your audio stays on this computer."
        )
