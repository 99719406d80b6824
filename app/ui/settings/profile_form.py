"""The form that edits one per-app profile: its name, its window rule, what it changes.

Every change a profile can make has an input that starts at "As in Settings",
so a profile holds only what the user set here (the rest keeps following the
settings). The inputs are made from the same lists the profile model checks
(:data:`PROFILE_SETTINGS`, :data:`PROFILE_CHOICES`), with the settings' own labels.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from app.core.profiles.profile import (
    DEFAULT_PROFILE,
    PROFILE_CHOICES,
    PROFILE_SETTINGS,
    Profile,
)
from app.core.settings import setting_fields
from app.ui.settings.setting_editors import LIST_EDITORS, list_text, parse_list_text
from app.ui.settings.snippets_editor import SnippetsEditor

AS_IN_SETTINGS = "As in Settings"
_CHOICE_TEXT: dict[str, tuple[str, dict[str, str]]] = {
    "paste_keys": (
        "Paste with",
        {
            "auto": "The usual keys of the app",
            "ctrl+v": "Ctrl+V",
            "ctrl+shift+v": "Ctrl+Shift+V",
            "shift+insert": "Shift+Insert",
        },
    ),
    "after_text": (
        "After the text, press",
        {
            "nothing": "Nothing",
            "space": "Space",
            "enter": "Enter",
            "ctrl+enter": "Ctrl+Enter",
            "shift+enter": "Shift+Enter",
        },
    ),
    "style": (
        "Style",
        {"normal": "Normal", "plain": "Code / plain: no automatic capitals or final full stop"},
    ),
    "words": (
        "Its replacements, words and snippets",
        {"add": "Come after mine", "own": "Replace mine"},
    ),
}


class ProfileForm(QWidget):
    """Shows one profile for editing; :meth:`profile` reads it back (checked)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._default = False
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Each label above its field: beside the longest label ("Its replacements, words
        # and snippets") the pane left the choices 130 px, "The usual keys o…".
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        # Alt+letters: the rule's three fields, which a keyboard user edits most.
        self.name_edit = self._line("&Name", "Name", layout)
        self.class_edit = self._line("Window cl&ass matches", "A regular expression", layout)
        self.title_edit = self._line("Window title matc&hes", "A regular expression", layout)
        self.rule_help = QLabel(
            "The first profile whose patterns match the focused window is used (any case).",
            self,
        )
        self.rule_help.setWordWrap(True)
        self.rule_help.setMinimumWidth(1)  # wraps to the form's width instead of widening it
        layout.addRow(self.rule_help)
        self.inputs: dict[str, QWidget] = {}
        labels = {setting.name: setting for setting in setting_fields()}
        for key in (*PROFILE_CHOICES, *PROFILE_SETTINGS):
            if key in _CHOICE_TEXT:
                label, choices = _CHOICE_TEXT[key]
                widget: QWidget = _combo(choices, self)
            else:
                setting = labels[key]
                label = setting.label
                if setting.value_type is bool:
                    widget = _combo({"true": "On", "false": "Off"}, self)
                elif setting.choices:
                    widget = _combo(setting.choices, self)
                elif key == "snippets":
                    widget = SnippetsEditor(self)  # none: as in Settings
                else:
                    widget = QLineEdit(self)
                    widget.setPlaceholderText(
                        f"{AS_IN_SETTINGS} ({LIST_EDITORS[key]})"
                        if key in LIST_EDITORS
                        else AS_IN_SETTINGS
                    )
            widget.setObjectName(key)
            widget.setAccessibleName(label)
            self.inputs[key] = widget
            if isinstance(widget, SnippetsEditor):  # under its label: its buttons need the width
                heading = QLabel(label + ":", self)
                heading.setBuddy(widget)
                layout.addRow(heading)
                layout.addRow(widget)
            else:
                layout.addRow(label + ":", widget)

    def _line(self, label: str, placeholder: str, layout: QFormLayout) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(label.replace("&", ""))
        layout.addRow(label + ":", edit)  # a text label with "&" gets the edit as its buddy
        return edit

    def show_profile(self, profile: Profile) -> None:
        """Put ``profile`` in the form (the Default profile's name and rule cannot change)."""
        self._default = profile.is_default
        self.name_edit.setText(profile.name)
        self.class_edit.setText(profile.window_class)
        self.title_edit.setText(profile.window_title)
        for edit in (self.name_edit, self.class_edit, self.title_edit):
            edit.setEnabled(not profile.is_default)
        for key, widget in self.inputs.items():
            value = profile.overrides.get(key)
            if isinstance(widget, QComboBox):
                shown = (
                    None
                    if value is None
                    else str(value).lower()
                    if isinstance(value, bool)
                    else value
                )
                widget.setCurrentIndex(max(0, widget.findData(shown)))
            elif isinstance(widget, SnippetsEditor):
                widget.set_snippets(value or ())
            elif isinstance(widget, QLineEdit):
                text = list_text(key, value) if isinstance(value, tuple) else str(value or "")
                widget.setText(text)

    def profile(self) -> Profile:
        """The profile as the form shows it now.

        Raises:
            ValueError: a sentence for the user (ProfileError for a bad rule or value).
        """
        overrides: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QComboBox) and widget.currentData() is not None:
                data = widget.currentData()
                overrides[key] = {"true": True, "false": False}.get(data, data)
            elif isinstance(widget, SnippetsEditor) and widget.snippets():
                overrides[key] = widget.snippets()
            elif isinstance(widget, QLineEdit) and widget.text().strip():
                text = widget.text().strip()
                overrides[key] = parse_list_text(key, text) if key in LIST_EDITORS else text
        if self._default:
            return Profile(DEFAULT_PROFILE, overrides=overrides)
        return Profile(
            self.name_edit.text().strip(),
            window_class=self.class_edit.text().strip(),
            window_title=self.title_edit.text().strip(),
            overrides=overrides,
        )


def _combo(choices: dict[str, str], parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    # As narrow as a short choice: the long ones show whole in the open list.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    combo.addItem(AS_IN_SETTINGS, None)
    for value, text in choices.items():
        combo.addItem(text, value)
    return combo
