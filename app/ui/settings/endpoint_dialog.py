"""Settings → Engine → Add…: the form that describes one transcription server.

It asks for what ``saytype engines add`` takes (name, URL, protocol, model,
language, timeout, CA file) plus the API key, which the page then hands to
the system keyring, never to a file. The form only validates: a bad URL, a
name already saved, a missing CA file each get one sentence under the form
and the focus goes to the field to fix; OK then leaves :attr:`endpoint` and
:attr:`api_key` for the page to save. The protocol follows the URL's scheme
as the user types it, and the fields that do not apply to Wyoming (API key,
CA file) are disabled while it is chosen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.engine.engine_choice import EngineChoiceError, parse_url
from app.core.engine.remote.endpoint_book import (
    DEFAULT_TIMEOUT_S,
    Endpoint,
    EndpointError,
    Protocol,
    protocol_of,
)

PROTOCOL_LABELS: dict[Protocol, str] = {
    "openai": "OpenAI-compatible (HTTP)",
    "wyoming": "Wyoming",
}
_URL_EXAMPLES: dict[Protocol, str] = {
    "openai": "http://gpu-box:8000/v1",
    "wyoming": "wyoming://homeassistant.local:10300",
}
_MAX_TIMEOUT_S = 3600


class EndpointDialog(QDialog):
    """Asks for a new endpoint, or changes to one; after OK :attr:`endpoint` holds it.

    Args:
        taken_names: the names of the other saved servers (the endpoint needs another).
        parent: the settings page.
        editing: the saved endpoint to change (Edit…); None for a new one (Add…).

    After OK, :attr:`api_key` holds the key typed. Editing, :attr:`key_change` says
    what becomes of the saved key: the new one, "" to forget it, None to keep it.
    """

    def __init__(
        self, taken_names: set[str], parent: QWidget | None = None, editing: Endpoint | None = None
    ) -> None:
        super().__init__(parent)
        title = f"Edit {editing.name}" if editing else "Add a transcription server"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._taken = taken_names
        self.editing = editing
        self.endpoint: Endpoint | None = None
        self.api_key = ""
        self.key_change: str | None = None

        self._build_fields(editing)
        self._lay_out()
        self.url.textEdited.connect(self._follow_url)
        self.protocol.currentIndexChanged.connect(self._show_protocol)
        self._show_protocol()
        if editing is not None:
            self.show_endpoint(editing)
            if editing.has_api_key:
                self.key.setPlaceholderText("unchanged (in the system keyring)")

    def _build_fields(self, editing: Endpoint | None) -> None:
        self.name = _line("Name", "What to call this server, e.g. gpu-box.", "gpu-box")
        self.url = _line("URL", "Where the server listens.", _URL_EXAMPLES["openai"])
        self.protocol = QComboBox()
        for protocol, label in PROTOCOL_LABELS.items():
            self.protocol.addItem(label, protocol)
        _explain(
            self.protocol,
            "Protocol",
            "OpenAI-compatible: speaches, vLLM, LocalAI, whisper.cpp's server. "
            "Wyoming: Home Assistant's speech servers.",
        )
        self.model = _line(
            "Model", "The model name the server knows; empty: its default.", "server's default"
        )
        self.language = _line(
            "Language", "A language code such as en; empty: the server detects it.", "detect"
        )
        self.timeout = QSpinBox()
        self.timeout.setRange(1, _MAX_TIMEOUT_S)
        self.timeout.setValue(round(DEFAULT_TIMEOUT_S))
        self.timeout.setSuffix(" s")
        _explain(
            self.timeout,
            "Timeout",
            "The longest wait for the server, in seconds. At the default, a dictation waits "
            "30 s, then the local model finishes it (unless the fallback is off).",
        )
        self.key = _line(
            "API key",
            "Sent to the server with each request; kept in the system keyring, never in a file.",
            "none",
        )
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget_key = QCheckBox("&Forget the saved API key")
        _explain(
            self.forget_key,
            "Forget the saved API key",
            "Remove this server's key from the system keyring; requests then go without one.",
        )
        self.forget_key.setVisible(bool(editing and editing.has_api_key))
        self.forget_key.toggled.connect(self._show_key_choice)
        self.ca_file = _line(
            "CA file",
            "A PEM file of certificate authorities to trust for this https server; "
            "empty: the system's. Certificates are always verified.",
            "the system's",
        )
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Browse for the CA file")
        self.browse.setToolTip("Choose the CA file in a file dialog")
        self.browse.clicked.connect(self._browse_ca_file)

    def _lay_out(self) -> None:
        form = QFormLayout()
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.browse)
        rows: list[tuple[str, QWidget, QWidget | QHBoxLayout]] = [
            ("&Name:", self.name, self.name),
            ("&URL:", self.url, self.url),
            ("&Protocol:", self.protocol, self.protocol),
            ("&Model:", self.model, self.model),
            ("&Language:", self.language, self.language),
            ("T&imeout:", self.timeout, self.timeout),
            ("API &key:", self.key, self.key),
            ("", self.forget_key, self.forget_key),
            ("C&A file:", self.ca_file, ca_row),
        ]
        for text, buddy, field in rows:
            if not text:
                form.addRow(field)
                continue
            row_label = QLabel(text)
            row_label.setBuddy(buddy)  # Alt+letter goes to the input
            form.addRow(row_label, field)
        self.error = QLabel()
        self.error.setAccessibleName("What to fix")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        for button, text in (
            (QDialogButtonBox.StandardButton.Ok, "&OK"),  # the platform's may have no letter
            (QDialogButtonBox.StandardButton.Cancel, "&Cancel"),
        ):
            buttons.button(button).setText(text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def refill(self, endpoint: Endpoint, api_key: str, problem: str) -> None:
        """The form as it was sent, and why saving it failed: nothing typed is lost."""
        self.show_endpoint(endpoint)
        self.key.setText(api_key)
        self._say(problem)

    def _say(self, problem: str) -> None:
        """Show why the form cannot be saved, the dialog grown to hold it (its fields were
        squeezed under a keyring's long sentence)."""
        self.error.setText(problem)
        self.error.show()
        self.adjustSize()

    def show_endpoint(self, endpoint: Endpoint) -> None:
        """Fill the fields with ``endpoint``'s (the API key field is left as it is)."""
        self.name.setText(endpoint.name)
        self.url.setText(endpoint.url)
        self.protocol.setCurrentIndex(self.protocol.findData(endpoint.protocol))
        self.model.setText(endpoint.model)
        self.language.setText(endpoint.language)
        self.timeout.setValue(round(endpoint.timeout_s))
        self.ca_file.setText(endpoint.ca_file)

    def _show_key_choice(self, forget: bool) -> None:
        self.key.setEnabled(not forget and self.chosen_protocol() == "openai")
        kept = "unchanged (in the system keyring)"
        self.key.setPlaceholderText("removed from the keyring at OK" if forget else kept)

    def chosen_protocol(self) -> Protocol:
        """The protocol picked in the form."""
        return "wyoming" if self.protocol.currentData() == "wyoming" else "openai"

    def _follow_url(self, text: str) -> None:
        """Pick the protocol that the typed URL's scheme stands for."""
        protocol = protocol_of(text)
        if protocol is not None:
            self.protocol.setCurrentIndex(self.protocol.findData(protocol))

    def _show_protocol(self) -> None:
        protocol = self.chosen_protocol()
        self.url.setPlaceholderText(_URL_EXAMPLES[protocol])
        http = protocol == "openai"
        for widget in (self.key, self.ca_file, self.browse):
            widget.setEnabled(http)
        self.key.setEnabled(http and not self.forget_key.isChecked())

    def _browse_ca_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "CA certificates", self.ca_file.text() or str(Path.home()), "PEM (*.pem *.crt)"
        )
        if chosen:
            self.ca_file.setText(chosen)

    def accept(self) -> None:
        """Check the form; on a problem say what to fix, otherwise close with the endpoint."""
        try:
            self.endpoint = self._endpoint_from_form()
        except _FormProblem as problem:
            self._say(problem.message)
            problem.field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        http = self.endpoint.protocol == "openai"
        self.api_key = self.key.text().strip() if http and not self.forget_key.isChecked() else ""
        forget = self.forget_key.isChecked() or not http
        self.key_change = self.api_key or ("" if forget else None)
        super().accept()

    def _endpoint_from_form(self) -> Endpoint:
        name = self.name.text().strip()
        url = self.url.text().strip().rstrip("/")
        if not name:
            raise _FormProblem(self.name, "Give the server a name, such as gpu-box.")
        if name in self._taken:
            raise _FormProblem(
                self.name,
                f"There is already a server called {name}; pick another name, or remove "
                "that one first.",
            )
        protocol = self.chosen_protocol()
        if not url:
            raise _FormProblem(
                self.url, f"Give the server's URL, such as {_URL_EXAMPLES[protocol]}."
            )
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in {"http", "https", "wyoming"}:  # the CLI's words offer names, 'local'
            raise _FormProblem(
                self.url,
                f"'{url}' is not a server's URL: it starts with http://, https:// or "
                f"wyoming://, such as {_URL_EXAMPLES[protocol]}.",
            )
        try:
            parse_url(url)  # the same checks as --engine URL
        except EngineChoiceError as exc:
            raise _FormProblem(self.url, str(exc)) from None
        ca_file = self.ca_file.text().strip() if protocol == "openai" else ""
        if ca_file and not Path(ca_file).is_file():
            raise _FormProblem(
                self.ca_file, f"The CA file {ca_file} does not exist; give a PEM file."
            )
        try:
            return Endpoint(
                name=name,
                url=url,
                protocol=protocol,
                model=self.model.text().strip(),
                language=self.language.text().strip().lower(),
                timeout_s=float(self.timeout.value()),
                ca_file=str(Path(ca_file).resolve()) if ca_file else "",
            )
        except EndpointError as exc:
            raise _FormProblem(self._field_of(str(exc)), _without_prefix(str(exc))) from None

    def _field_of(self, message: str) -> QWidget:
        """The input an endpoint's complaint is about."""
        for words, field in (
            ("the name", self.name),
            ("URL", self.url),
            ("language", self.language),
            ("CA file", self.ca_file),
        ):
            if words in message:
                return field
        return self.url


class _FormProblem(Exception):
    def __init__(self, field: QWidget, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _without_prefix(message: str) -> str:
    """``Endpoint 'x': the name must…`` as a sentence of its own (the form names the field)."""
    _, _, rest = message.partition("': ")
    rest = rest or message
    return rest[:1].upper() + rest[1:]


def _line(name: str, description: str, placeholder: str) -> QLineEdit:
    line = QLineEdit()
    line.setPlaceholderText(placeholder)
    _explain(line, name, description)
    return line


def _explain(widget: QWidget, name: str, description: str) -> None:
    widget.setObjectName(name.lower().replace(" ", "_"))
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
    widget.setToolTip(description)
