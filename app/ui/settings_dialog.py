"""The settings dialog: one form built from the declared settings fields.

The form is generated from :func:`app.core.settings.setting_fields`, so a new
setting appears here with its label, tooltip, choices and range without editing
this file. The dialog only edits: it hands the new :class:`Settings` to its
owner (``settings_accepted``), which saves them and can show a save error.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import SettingField, Settings, setting_fields
from app.ui.shortcut_field import ShortcutField

log = logging.getLogger(__name__)

SYSTEM_DEFAULT_DEVICE = "System default"
# Letters the button box already uses: &OK, &Cancel, Restore &Defaults.
_BUTTON_MNEMONICS = frozenset("ocd")


# The list settings are edited as one line each: "Saytype, Siobhan" and
# "saytype = Saytype; gonna = going to".
_LIST_EDITORS = {
    "vocabulary": "Names and terms, separated by commas",
    "replacements": "heard = written; heard = written",
}


def list_text(name: str, value: tuple[object, ...]) -> str:
    """A list setting as the one line its editor shows."""
    if name == "replacements":
        pairs = [pair for pair in value if isinstance(pair, tuple)]
        return "; ".join(f"{pair[0]} = {pair[1]}" for pair in pairs)
    return ", ".join(str(word) for word in value)


def parse_list_text(name: str, text: str) -> tuple[object, ...]:
    """The editor's line back into a list setting; blank entries are skipped.

    Raises:
        ValueError: naming the setting, for a replacement without "=".
    """
    if name == "replacements":
        pairs = []
        for entry in (part.strip() for part in text.split(";")):
            if not entry:
                continue
            heard, sep, written = entry.partition("=")
            if not sep or not heard.strip() or not written.strip():
                raise ValueError(f"{name}: write each replacement as heard = written ({entry!r})")
            pairs.append((heard.strip(), written.strip()))
        return tuple(pairs)
    return tuple(word.strip() for word in text.split(",") if word.strip())


def with_mnemonics(labels: list[str], taken: frozenset[str] = frozenset()) -> list[str]:
    """Give each label a distinct Alt+letter (``&``), preferring the first letter of a word.

    A greedy pass in order gives the early labels their first choice, but runs out
    of letters with a dozen labels; each label it leaves out then gets one through
    the shortest augmenting path (bipartite matching), which moves as few other
    labels as possible to a later choice. A label left without a letter gets none.
    """

    def candidates(text: str) -> list[int]:
        letters = [i for i, c in enumerate(text) if c.isalpha() and c.lower() not in taken]
        starts = [i for i in letters if i == 0 or text[i - 1] in " -"]
        return starts + [i for i in letters if i not in starts]

    owner: dict[str, int] = {}  # letter -> label number
    chosen: dict[int, int] = {}  # label number -> index of its letter

    def place(label: int, depth: int, visited: set[str]) -> bool:
        """Take a free letter or, with depth left, move a letter's owner to another one."""
        options = [(index, labels[label][index].lower()) for index in candidates(labels[label])]
        free = [(index, letter) for index, letter in options if letter not in owner]
        movable = [
            (index, letter)
            for index, letter in options
            if depth and letter in owner and letter not in visited
        ]
        for index, letter in free[:1] + movable:
            visited.add(letter)
            if letter in owner and not place(owner[letter], depth - 1, visited):
                continue
            owner[letter] = label
            chosen[label] = index
            return True
        return False

    for label in range(len(labels)):
        place(label, 0, set())
    for label in range(len(labels)):
        # Shortest chain of moves first, so as few labels as possible lose their first choice.
        any(place(label, depth, set()) for depth in range(1, len(labels)) if label not in chosen)
    return [
        f"{text[: chosen[n]]}&{text[chosen[n] :]}" if n in chosen else text
        for n, text in enumerate(labels)
    ]


class SettingsDialog(QDialog):
    """Edits a copy of the settings; emits ``settings_accepted(Settings)`` on OK.

    Args:
        settings: the values to show.
        input_devices: microphone names to offer (the system default is always offered).
        models: model names to offer; the user may also type a name or a folder.
    """

    settings_accepted = Signal(object)

    def __init__(
        self,
        settings: Settings,
        input_devices: list[str],
        models: list[str],
        parent: QWidget | None = None,
        models_page: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Saytype Settings")
        self.setAccessibleName("Saytype settings")
        self._initial = settings
        self._input_devices = list(input_devices)
        self._models = list(models)
        self._editors: dict[str, QWidget] = {}
        self._fields = {setting.name: setting for setting in setting_fields()}

        layout = QVBoxLayout(self)
        editors = {name: self._make_editor(setting) for name, setting in self._fields.items()}
        shown = [self._fields[name] for name, editor in editors.items() if editor is not None]
        labels = dict(
            zip(
                [setting.name for setting in shown],
                with_mnemonics([setting.label for setting in shown], _BUTTON_MNEMONICS),
                strict=True,
            )
        )
        forms: dict[str, QFormLayout] = {}
        for setting in shown:
            editor = editors[setting.name]
            assert editor is not None
            editor.setObjectName(setting.name)
            editor.setToolTip(setting.description)
            editor.setAccessibleName(setting.label)
            editor.setAccessibleDescription(setting.description)
            self._editors[setting.name] = editor
            if setting.group not in forms:
                box = QGroupBox(setting.group, self)
                forms[setting.group] = QFormLayout(box)
                layout.addWidget(box)
            form = forms[setting.group]
            if isinstance(editor, QCheckBox):
                editor.setText(labels[setting.name])
                form.addRow(editor)
            else:
                label = QLabel(labels[setting.name] + ":", self)
                label.setBuddy(editor)
                label.setToolTip(setting.description)
                form.addRow(label, editor)

        if models_page is not None:
            self._embed_models_page(layout, models_page)
        self._error = QLabel(self)
        self._error.setWordWrap(True)
        self._error.setAccessibleName("Settings error")
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error.hide()
        layout.addWidget(self._error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.clicked.connect(self._on_button)
        self._buttons = buttons
        layout.addWidget(buttons)
        self.show_settings(settings)

    def _embed_models_page(self, layout: QVBoxLayout, page: QWidget) -> None:
        """Add the model manager (download, remove, verify: app.ui.models_page) below the form."""
        box = QGroupBox("Downloaded models", self)
        QVBoxLayout(box).addWidget(page)
        layout.addWidget(box)
        self.models_page = page

    def editor(self, name: str) -> QWidget:
        """The input widget for the setting ``name`` (for tests and the owner's focus)."""
        return self._editors[name]

    def button_box(self) -> QDialogButtonBox:
        """The OK / Cancel / Restore Defaults buttons."""
        return self._buttons

    def _make_editor(self, setting: SettingField) -> QWidget | None:
        if setting.name == "hotkey":
            return ShortcutField(parent=self)
        if setting.name == "input_device":
            devices = QComboBox(self)
            devices.addItem(SYSTEM_DEFAULT_DEVICE, "")
            for device in self._input_devices:
                devices.addItem(device, device)
            return devices
        if setting.name == "model":
            models = QComboBox(self)
            models.setEditable(True)
            models.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            models.addItems(self._models)
            return models
        if setting.choices:
            choices = QComboBox(self)
            for value, label in setting.choices.items():
                choices.addItem(label, value)
            return choices
        if setting.value_type is bool:
            return QCheckBox(self)
        if setting.value_type is int:
            return self._make_spin_box(setting)
        if setting.name in _LIST_EDITORS:
            line = QLineEdit(self)
            line.setPlaceholderText(_LIST_EDITORS[setting.name])
            return line
        if setting.value_type is str:
            line = QLineEdit(self)
            if setting.name == "language":
                line.setPlaceholderText("Detect automatically")
            return line
        return None

    def _make_spin_box(self, setting: SettingField) -> QSpinBox:
        spin = QSpinBox(self)
        low, high = setting.value_range or (-(2**31), 2**31 - 1)
        spin.setRange(low, high)
        if setting.name.endswith("_ms"):
            spin.setSuffix(" ms")
            spin.setSingleStep(50)
        elif setting.name.endswith("_minutes"):
            spin.setSuffix(" min")
        if setting.name == "idle_unload_minutes":
            spin.setSpecialValueText("Never")  # shown at the minimum, -1
        if setting.name == "cpu_threads":
            spin.setSpecialValueText("Automatic")  # shown at the minimum, 0
        return spin

    def show_settings(self, settings: Settings) -> None:
        """Put ``settings`` into the form."""
        for name, editor in self._editors.items():
            value = getattr(settings, name)
            if isinstance(editor, ShortcutField):
                editor.set_chord(value)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(value)
            elif isinstance(editor, QSpinBox):
                editor.setValue(value)
            elif isinstance(editor, QComboBox) and editor.isEditable():
                editor.setCurrentText(value)
            elif isinstance(editor, QComboBox):
                index = editor.findData(value)
                if index < 0:  # for example a microphone that is unplugged right now
                    editor.addItem(f"{value} (not connected)", value)
                    index = editor.count() - 1
                editor.setCurrentIndex(index)
            elif isinstance(editor, QLineEdit) and name in _LIST_EDITORS:
                editor.setText(list_text(name, value))
            elif isinstance(editor, QLineEdit):
                editor.setText(value)
        self._error.hide()

    def _value_of(self, editor: QWidget) -> object:
        if isinstance(editor, ShortcutField):
            return editor.chord()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox) and editor.isEditable():
            return editor.currentText().strip()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QLineEdit):
            return editor.text().strip()
        raise TypeError(f"no value for {type(editor).__name__}")

    def result_settings(self) -> Settings:
        """The settings as the form shows them now.

        Raises:
            ValueError: naming the field, when a value is not allowed (an empty model name).
        """
        values = {name: self._value_of(editor) for name, editor in self._editors.items()}
        for name in _LIST_EDITORS.keys() & values.keys():
            values[name] = parse_list_text(name, str(values[name]))
        return self._initial.replace(**values)

    def restore_defaults(self) -> None:
        """Show the default settings; nothing changes until OK."""
        self.show_settings(Settings())

    def _on_button(self, button: QAbstractButton) -> None:
        role = self._buttons.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.ResetRole:
            self.restore_defaults()

    def accept(self) -> None:
        """Check the values, emit ``settings_accepted`` and close; on a bad value, say which."""
        try:
            settings = self.result_settings()
        except ValueError as exc:
            name = str(exc).split(":", 1)[0]
            setting = self._fields.get(name)
            label = setting.label if setting else name
            self._error.setText(f"{label}: {str(exc).split(':', 1)[-1].strip()}")
            self._error.show()
            if name in self._editors:
                self._editors[name].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.settings_accepted.emit(settings)
        super().accept()
