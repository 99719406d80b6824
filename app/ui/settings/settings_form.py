"""One settings section as a scrollable form: label, input, and the description under it.

The settings dialog makes one of these per ``group`` of
:func:`app.core.settings.setting_fields`; each input is the editor
:mod:`app.ui.settings.setting_editors` made for it. Only the shown page's
mnemonics are live, so Alt letters need only differ within one form (and from
the dialog's own buttons, which are always live).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import SettingField
from app.ui.settings.shortcut_field import ShortcutField
from app.ui.settings.snippets_editor import BUTTON_MNEMONICS as SNIPPET_BUTTON_MNEMONICS
from app.ui.shell.mnemonics import with_mnemonics

# Letters the dialog's button box already uses: &OK, &Cancel, Restore &Defaults.
_DIALOG_BUTTON_MNEMONICS = frozenset("ocd")
BROWSE_TEXT = "&Browse…"


_SWITCHED_BY = {"cue_volume": "sound_cues"}  # setting → the check box it needs on
# setting → (the choice it needs, the value that gives it effect, why it has none otherwise)
_NEEDS_CHOICE = {
    "type_as_i_speak": (
        "output",
        "focused_app",
        "Applies only when Output is The focused application: with the clipboard or the "
        "Saytype window only, no words are typed into apps.",
    ),
    "paste_restore_delay_ms": (
        "delivery",
        "paste",
        "Applies only when text is inserted by pasting: typed text takes no clipboard.",
    ),
    "hold_threshold_ms": (
        "hotkey_mode",
        "auto",
        "Applies only when the hotkey works both ways: a hold and a tap mean the same with "
        "Hold to talk or Tap to start and stop.",
    ),
}


def folder_browse_button(line: QLineEdit, title: str, parent: QWidget) -> QPushButton:
    """A button that lets the user pick the folder ``line`` names in a file dialog.

    Cancel in the file dialog changes nothing.
    """
    button = QPushButton(BROWSE_TEXT, parent)
    button.setAccessibleName("Browse for the transcripts folder")
    button.setToolTip("Choose the folder in a file dialog")

    def browse() -> None:
        start = line.text().strip() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(parent, title, start)
        if chosen:
            line.setText(chosen)

    button.clicked.connect(browse)
    return button


def settings_form(
    fields: list[SettingField],
    editors: Mapping[str, QWidget],
    parent: QWidget,
    *,
    browse_button: QPushButton | None = None,
) -> QScrollArea:
    """A scrollable form of ``fields``, each shown with its editor from ``editors``.

    Args:
        fields: the section's settings, in order.
        editors: the input widget of every setting (named, labelled and placed here).
        parent: the scroll area's parent (the dialog's page stack).
        browse_button: put beside the ``export_folder`` input when given.

    Returns:
        The scroll area; its ``widget()`` holds the form.
    """
    names = {setting.name for setting in fields}
    taken = _DIALOG_BUTTON_MNEMONICS | (
        {BROWSE_TEXT[1].lower()} if "export_folder" in names else set()
    )
    taken |= SNIPPET_BUTTON_MNEMONICS if "snippets" in names else set()
    labels = with_mnemonics([setting.label for setting in fields], frozenset(taken))
    content = QWidget()
    form = QFormLayout(content)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for setting, label_text in zip(fields, labels, strict=True):
        editor = editors[setting.name]
        editor.setObjectName(setting.name)
        editor.setToolTip(setting.description)
        editor.setAccessibleName(setting.label)
        editor.setAccessibleDescription(setting.description)
        column = QVBoxLayout()  # the input with its description under it
        column.setSpacing(2)
        if setting.name == "export_folder" and browse_button is not None:
            row = QHBoxLayout()
            row.addWidget(editor, 1)
            row.addWidget(browse_button)
            column.addLayout(row)
        else:
            column.addWidget(editor)
        if isinstance(editor, ShortcutField):
            column.addWidget(_hint_label(editor, setting, content))
        column.addWidget(_description_label(setting, content))
        if isinstance(editor, QCheckBox):
            editor.setText(label_text)
            # Only as wide as its box and words, so a click beside it does nothing.
            editor.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            form.setLayout(form.rowCount(), QFormLayout.ItemRole.FieldRole, column)
        else:
            label = QLabel(label_text + ":", content)
            label.setBuddy(editor)
            label.setToolTip(setting.description)
            form.addRow(label, column)
    _follow_switches(editors, names)
    _follow_choices(editors, names)
    scroll = QScrollArea(parent)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a stop of its own: Tab scrolls to fields
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
    return scroll


def _follow_switches(editors: Mapping[str, QWidget], names: set[str]) -> None:
    """A setting that means nothing while its switch is off can be edited only when it is on."""
    for name, switch_name in _SWITCHED_BY.items():
        switch = editors.get(switch_name)
        if name in names and switch_name in names and isinstance(switch, QCheckBox):
            editor = editors[name]
            editor.setEnabled(switch.isChecked())
            switch.toggled.connect(editor.setEnabled)


def _follow_choices(editors: Mapping[str, QWidget], names: set[str]) -> None:
    """A setting that has no effect with another choice made can be edited only with this one."""
    for name, (choice_name, value, why) in _NEEDS_CHOICE.items():
        choice = editors.get(choice_name)
        if name in names and choice_name in names and isinstance(choice, QComboBox):
            follow = partial(_follow_choice, editors[name], choice, value, why)
            follow()
            choice.currentIndexChanged.connect(follow)


def _follow_choice(editor: QWidget, choice: QComboBox, value: str, why: str, *_index: int) -> None:
    """Enable ``editor`` while ``choice`` holds ``value``; its tooltip says why it is off."""
    applies = choice.currentData() == value
    editor.setEnabled(applies)
    editor.setToolTip(editor.accessibleDescription() if applies else why)  # the description


def _description_label(setting: SettingField, parent: QWidget) -> QLabel:
    """The setting's description in small, muted type under its input."""
    label = QLabel(setting.description, parent)
    label.setObjectName(f"{setting.name}_description")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def _hint_label(field: ShortcutField, setting: SettingField, parent: QWidget) -> QLabel:
    """Why the key pressed was refused, in plain type under the hotkey field.

    It was only the field's grey placeholder, which is hard to read and which a screen
    reader does not say; the field's description now says it too.
    """
    label = QLabel(parent)
    label.setObjectName(f"{setting.name}_hint")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAccessibleName("Hotkey problem")
    label.hide()

    def show(hint: str) -> None:
        label.setText(hint)
        label.setVisible(bool(hint))
        field.setAccessibleDescription(
            f"{hint} {setting.description}" if hint else setting.description
        )

    field.hint_changed.connect(show)
    return label
