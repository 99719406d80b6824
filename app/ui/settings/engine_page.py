"""Settings → Engine: dictate with the local model (the default) or a saved server, and
manage the saved servers.

The page has two jobs, kept apart on screen: *which* engine dictation and files
use (the combo box, applied with the dialog's OK, with a plain sentence on
where the audio will go), and *which servers are saved* (the list with Add…,
Remove and Test, which act at once, as ``saytype engines add|remove|test``
do). Saving touches the disk and the system keyring, and a test waits on the
network, so all three run off the GUI thread (:func:`run_in_background`); the
page says what happened in one sentence under the list. ``endpoints_changed``
carries the saved book after each change, for the app to follow (removing the
active server makes dictation local again at once).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.engine.remote.api_keys import KeyringUnavailable, saved_api_key
from app.core.engine.remote.dictation_engine import where_audio_goes
from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook
from app.core.engine.remote.endpoint_check import check_endpoint
from app.core.engine.remote.remote_errors import display_url
from app.core.engine.remote.saved_endpoints import add_endpoint, edit_endpoint, remove_endpoint
from app.ui.settings.endpoint_dialog import PROTOCOL_LABELS, EndpointDialog
from app.ui.shell.background import run_in_background
from app.ui.shell.enter_key import enter_opens

log = logging.getLogger(__name__)

ENGINE_PAGE = "Engine"
LOCAL_LABEL = "Local: this computer (no audio leaves it)"


class EnginePage(QWidget):
    """Offers Local and each saved endpoint; :meth:`chosen` is the pick ("" = local).

    Signals:
        endpoints_changed(EndpointBook): a server was added or removed; the saved book.
        test_finished(bool, str): a test ended: whether the server answered, and the sentence.
    """

    endpoints_changed = Signal(object)
    test_finished = Signal(bool, str)

    def __init__(self, book: EndpointBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Engine")
        self._book = book
        self._testing = False
        self._saving = False
        self.confirm: QMessageBox | None = None  # the open "Remove?" question
        self.add_dialog: EndpointDialog | None = None  # the open Add… or Edit… form

        self.choice = QComboBox(self)
        _explain(self.choice, "Dictation engine", "Which engine dictation and files run on.")
        choice_label = QLabel("Dictation &engine:", self)
        choice_label.setBuddy(self.choice)
        about = QLabel(
            "Dictation and dropped files run on this engine. With a server, the words you see "
            "while speaking still come from the local model, and the server's transcript is "
            "the final text.",
            self,
        )
        about.setWordWrap(True)
        self.fallback = QCheckBox(
            "If the server fails, &finish the dictation with the local model", self
        )
        _explain(
            self.fallback,
            "Fall back to the local model",
            "On, nothing is lost when the server is down or slow: the local model finishes "
            "the dictation or the file. Off, a dictation fails and its recording is kept for "
            "recovery at the next start; a file fails and stays in the queue.",
        )
        self.fallback.setChecked(book.fallback)
        self.privacy = QLabel(self)
        self.privacy.setAccessibleName("Where audio goes")
        self.privacy.setWordWrap(True)

        servers_label, hint = self._make_server_widgets()
        self._lay_out(
            [choice_label, self.choice, about, self.fallback, self.privacy], servers_label, hint
        )
        self.choice.currentIndexChanged.connect(self._show_choice)
        self.servers.currentRowChanged.connect(lambda _row: self._enable_buttons())
        # Not the method itself: clicked would pass its checked flag as ``editing``.
        self.add_button.clicked.connect(lambda: self.open_add_dialog())  # noqa: PLW0108
        self.edit_button.clicked.connect(self.open_edit_dialog)
        self.servers.itemDoubleClicked.connect(lambda _item: self.open_edit_dialog())
        enter_opens(self.servers, self.open_edit_dialog)
        self.remove_button.clicked.connect(self.ask_remove)
        self.test_button.clicked.connect(self.test_selected)
        self._show_book(book, book.active)
        self._opened_with = (book.active, book.fallback)

    def _make_server_widgets(self) -> tuple[QLabel, QLabel]:
        """The saved servers' list, its buttons and status line; their label and a hint."""
        self.servers = QListWidget(self)
        _explain(
            self.servers,
            "Saved servers",
            "The transcription servers saved on this computer; their API keys are kept in "
            "the system keyring.",
        )
        self.servers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        servers_label = QLabel("&Saved servers:", self)
        servers_label.setBuddy(self.servers)
        self.add_button = _button("&Add…", "Add a server", "Describe a new server and save it")
        self.edit_button = _button(
            "Ed&it…", "Edit the selected server", "Change the selected server's address, model…"
        )
        self.remove_button = _button(
            "&Remove", "Remove the selected server", "Forget the selected server and its API key"
        )
        self.test_button = _button(
            "&Test",
            "Test the selected server",
            "Send the selected server a second of audio and say whether it answers",
        )
        self.status = QLabel(self)
        self.status.setAccessibleName("Server status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel(
            "<code>saytype engines</code> manages the same servers on the command line.", self
        )
        hint.setWordWrap(True)
        return servers_label, hint

    def _lay_out(self, choice_widgets: list[QWidget], servers_label: QLabel, hint: QLabel) -> None:
        """The choice on top; the saved servers under it, their buttons beside the list."""
        servers = QGridLayout()
        servers.addWidget(self.servers, 0, 0, 5, 1)
        buttons = (self.add_button, self.edit_button, self.remove_button, self.test_button)
        for row, button in enumerate(buttons):
            servers.addWidget(button, row, 1)
        servers.setRowStretch(len(buttons), 1)
        layout = QVBoxLayout(self)
        for widget in choice_widgets:
            layout.addWidget(widget)
        layout.addSpacing(12)
        layout.addWidget(servers_label)
        layout.addLayout(servers, 1)
        layout.addWidget(self.status)
        layout.addWidget(hint)

    def choice_changed(self) -> bool:
        """Whether the user picked another engine or fallback than the page opened with.

        OK applies only a change: the terminal may have picked another engine meanwhile.
        """
        return (self.chosen(), self.fallback.isChecked()) != self._opened_with

    def chosen(self) -> str:
        """The endpoint picked ("" for local)."""
        return str(self.choice.currentData() or "")

    def selected(self) -> Endpoint | None:
        """The saved server selected in the list, or None."""
        item = self.servers.currentItem()
        return self._book.get(str(item.data(Qt.ItemDataRole.UserRole))) if item else None

    # Add

    def open_add_dialog(self, editing: Endpoint | None = None) -> EndpointDialog:
        """Show the Add… form (with ``editing``: the Edit… one); its OK saves the server."""
        others = {e.name for e in self._book.endpoints} - ({editing.name} if editing else set())
        dialog = EndpointDialog(others, self, editing)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        save = self._save_changes if editing else self._save_new
        dialog.accepted.connect(lambda: save(dialog))
        dialog.finished.connect(
            lambda _result: setattr(self, "add_dialog", None) if self.add_dialog is dialog else None
        )
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def open_edit_dialog(self) -> EndpointDialog | None:
        """Show the selected server in the form; its OK saves the changes."""
        endpoint = self.selected()
        if endpoint is None or self._saving:
            return None
        return self.open_add_dialog(endpoint)

    def _save_changes(self, dialog: EndpointDialog) -> None:
        old, endpoint, key = dialog.editing, dialog.endpoint, dialog.key_change
        if old is None or endpoint is None:
            return
        self._begin_saving(f"Saving {endpoint.name}…")
        run_in_background(
            lambda: edit_endpoint(old.name, endpoint, key),
            lambda book: self._saved(
                book, endpoint.name, f"Saved the changes to {endpoint.name}.", renamed=old.name
            ),
            lambda error: self._edit_failed(old, endpoint, dialog.api_key, error),
            receiver=self,
        )

    def _edit_failed(
        self, old: Endpoint, endpoint: Endpoint, key: str, error: BaseException
    ) -> None:
        self._save_failed(error)
        self.open_add_dialog(old).refill(endpoint, key, str(error))

    def _save_new(self, dialog: EndpointDialog) -> None:
        endpoint, key = dialog.endpoint, dialog.api_key
        if endpoint is None:
            return
        self._begin_saving(f"Saving {endpoint.name}…")
        run_in_background(
            lambda: add_endpoint(endpoint, key),
            lambda book: self._saved(book, endpoint.name, _added_sentence(endpoint, key)),
            lambda error: self._add_failed(endpoint, key, error),
            receiver=self,
        )

    def _add_failed(self, endpoint: Endpoint, key: str, error: BaseException) -> None:
        """Say why, and give the form back as it was typed (a keyring may be unlocked)."""
        self._save_failed(error)
        keyring = isinstance(error, KeyringUnavailable)
        hint = " Or clear the API key to save the server without it." if keyring else ""
        self.open_add_dialog().refill(endpoint, key, f"{error}{hint}")

    # Remove

    def ask_remove(self) -> None:
        """Ask before forgetting the selected server; Yes removes it and its API key."""
        endpoint = self.selected()
        if endpoint is None:
            return
        active = (
            " Dictation uses it now; it will run on this computer instead."
            if endpoint.name == self._book.active
            else ""
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove server",
            f"Remove {endpoint.name} ({display_url(endpoint.url)}) and its API key?{active}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # forgetting needs a deliberate Yes
        box.setAccessibleName("Remove server")
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("&Remove")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda clicked: self._remove(endpoint.name) if clicked is yes else None
        )
        box.finished.connect(lambda _result: setattr(self, "confirm", None))
        self.confirm = box
        box.open()

    def _remove(self, name: str) -> None:
        self._begin_saving(f"Removing {name}…")
        run_in_background(
            lambda: remove_endpoint(name),
            lambda outcome: self._saved(outcome[0], "", outcome[1]),
            self._save_failed,
            receiver=self,
        )

    # Saving, for both

    def _begin_saving(self, sentence: str) -> None:
        self._saving = True
        self.status.setText(sentence)
        self._enable_buttons()

    def _saved(self, book: EndpointBook, select: str, sentence: str, renamed: str = "") -> None:
        """``renamed``: the old name of ``select``, which the engine choice follows."""
        self._saving = False
        chosen = select if renamed and self.chosen() == renamed else self.chosen()
        chosen = chosen if book.get(chosen) else ""
        self._show_book(book, chosen, select)
        self.status.setText(sentence)
        self.endpoints_changed.emit(book)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._enable_buttons()
        self.status.setText(str(error))
        log.info("saving a server failed: %s", error)

    # Test

    def test_selected(self) -> None:
        """Check the selected server off the GUI thread; the sentence arrives in the status."""
        endpoint = self.selected()
        if endpoint is None or self._testing:
            return
        self._testing = True
        self._enable_buttons()
        self.status.setText(f"Testing {endpoint.name} ({display_url(endpoint.url)})…")
        run_in_background(
            lambda: check_endpoint(endpoint, saved_api_key(endpoint)),
            self._tested,
            lambda error: self._tested((False, f"{endpoint.name} could not be tested: {error}")),
            receiver=self,
        )

    def _tested(self, outcome: tuple[bool, str]) -> None:
        self._testing = False
        self._enable_buttons()
        answered, sentence = outcome
        self.status.setText(sentence)
        self.test_finished.emit(answered, sentence)

    # Showing

    def _show_book(self, book: EndpointBook, chosen: str, select: str = "") -> None:
        """Fill the combo box and the list from ``book``, keeping the user's pick."""
        self._book = book
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItem(LOCAL_LABEL, "")
        self.servers.clear()
        for endpoint in book.endpoints:
            self.choice.addItem(_describe(endpoint), endpoint.name)
            item = QListWidgetItem(_describe(endpoint), self.servers)
            item.setData(Qt.ItemDataRole.UserRole, endpoint.name)
        self.choice.setCurrentIndex(max(0, self.choice.findData(chosen)))
        self.choice.blockSignals(False)
        names = [endpoint.name for endpoint in book.endpoints]
        if names:
            self.servers.setCurrentRow(names.index(select) if select in names else 0)
        self._show_choice()
        if not names:
            self.status.setText(
                "No servers are saved yet; Add… describes one. Dictation runs on this computer."
            )

    def _show_choice(self) -> None:
        self.fallback.setEnabled(bool(self.chosen()))
        where = where_audio_goes(self._book.get(self.chosen()))
        self.privacy.setText(
            f"<b>Your dictations' audio will be sent to {where}.</b>"
            if where
            else "Your audio stays on this computer."
        )
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        picked = self.selected() is not None
        self.add_button.setEnabled(not self._saving)
        self.edit_button.setEnabled(picked and not self._saving)
        self.remove_button.setEnabled(picked and not self._saving and not self._testing)
        self.test_button.setEnabled(picked and not self._testing)


def _describe(endpoint: Endpoint) -> str:
    protocol = PROTOCOL_LABELS[endpoint.protocol].removesuffix(" (HTTP)")
    return f"{endpoint.name}: {display_url(endpoint.url)} ({protocol})"


def _added_sentence(endpoint: Endpoint, key: str) -> str:
    stored = " (API key in the system keyring)" if key else ""
    return (
        f"Saved {endpoint.name}: {display_url(endpoint.url)}{stored}. Test it, or pick it as "
        "the dictation engine above."
    )


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


def _explain(widget: QWidget, name: str, description: str) -> None:
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
    widget.setToolTip(description)
