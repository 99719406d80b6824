"""One input widget per kind of setting, and how a value goes into it and back out.

The settings dialog lays these out in pages; keeping the widget rules here
(which widget for which field, what a spin box shows at its special value,
how a list setting reads as one line) keeps the dialog about pages and buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from app.core.audio.mic_devices import SERVER_DEFAULT_DEVICES, InputChoice
from app.core.engine.model_folder import ModelError, check_model_folder
from app.core.engine.model_registry import KNOWN_MODEL_NAMES
from app.core.engine.whisper_internals import language_codes
from app.core.paths import models_dir
from app.core.settings import SettingField
from app.ui.settings.shortcut_field import ShortcutField
from app.ui.settings.snippets_editor import SnippetsEditor

SYSTEM_DEFAULT_DEVICE = "System default"

# The list settings are edited as one line each: "Saytype, Siobhan" and
# "saytype = Saytype; gonna = going to".
LIST_EDITORS = {
    "vocabulary": "Names and words, separated by commas",
    "replacements": "heard = written; heard = written",
}

# What a spin box shows at its minimum, where that number means something else.
_SPECIAL_VALUE_TEXT = {
    "idle_unload_minutes": "Never",  # -1
    "cpu_threads": "Automatic",  # 0: one per physical core
    "file_batch_size": "Off (from start to end)",  # 0: no batching
    "pre_roll_ms": "None",  # 0
    "cue_volume": "Silent",  # 0
}

_PLACEHOLDERS = {
    "language": "Detect automatically",
    "export_folder": "Next to each file",
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


def make_editor(
    setting: SettingField, parent: QWidget, input_devices: list[str], models: list[str]
) -> QWidget | None:
    """The input widget for ``setting``, or None for a kind no widget edits.

    Args:
        setting: the declared field.
        parent: the widget's parent.
        input_devices: microphone names to offer (the system default is always offered);
            an :class:`InputChoice` is shown by its label and saved as its value.
        models: model names to offer; the user may also type a name or a folder.
    """
    if setting.name == "hotkey":
        return ShortcutField(parent=parent)
    if setting.name == "snippets":
        return SnippetsEditor(parent)
    if setting.name == "input_device":
        devices = QComboBox(parent)
        devices.addItem(SYSTEM_DEFAULT_DEVICE, "")
        for device in input_devices:
            label = device.label if isinstance(device, InputChoice) else device
            devices.addItem(label, str(device))
        return devices
    if setting.name == "model":
        names = QComboBox(parent)
        names.setEditable(True)
        names.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        names.addItems(models)
        return names
    if setting.choices:
        choices = QComboBox(parent)
        # Long choices are cut short on a narrow page rather than widen it past the screen.
        choices.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        choices.setMinimumContentsLength(20)
        for value, label in setting.choices.items():
            choices.addItem(label, value)
        return choices
    if setting.value_type is bool:
        return QCheckBox(parent)
    if setting.value_type is int:
        return _make_spin_box(setting, parent)
    if setting.name in LIST_EDITORS:
        line = QLineEdit(parent)
        line.setPlaceholderText(LIST_EDITORS[setting.name])
        return line
    if setting.value_type is str:
        line = QLineEdit(parent)
        line.setPlaceholderText(_PLACEHOLDERS.get(setting.name, ""))
        return line
    return None


def _make_spin_box(setting: SettingField, parent: QWidget) -> QSpinBox:
    spin = QSpinBox(parent)
    low, high = setting.value_range or (-(2**31), 2**31 - 1)
    spin.setRange(low, high)
    if setting.name.endswith("_ms"):
        spin.setSuffix(" ms")
        spin.setSingleStep(50)
    elif setting.name.endswith("_minutes"):
        spin.setSuffix(" min")
    elif setting.name.endswith("_volume"):
        spin.setSuffix(" %")
        spin.setSingleStep(10)
    spin.setSpecialValueText(_SPECIAL_VALUE_TEXT.get(setting.name, ""))
    return spin


def show_value(editor: QWidget, name: str, value: Any) -> None:
    """Put the value of setting ``name`` into its editor."""
    if isinstance(editor, ShortcutField):
        editor.set_chord(value)
    elif isinstance(editor, SnippetsEditor):
        editor.set_snippets(value)
    elif isinstance(editor, QCheckBox):
        editor.setChecked(value)
    elif isinstance(editor, QSpinBox):
        editor.setValue(value)
    elif isinstance(editor, QComboBox) and editor.isEditable():
        editor.setCurrentText(value)
    elif isinstance(editor, QComboBox):
        index = editor.findData(value)
        if index < 0 and name == "input_device" and str(value).lower() in SERVER_DEFAULT_DEVICES:
            index = 0  # an older "pulse" or "default": the sound server's default, listed no more
        if index < 0:  # for example a microphone that is unplugged right now
            editor.addItem(f"{value} (not connected)", value)
            index = editor.count() - 1
        editor.setCurrentIndex(index)
    elif isinstance(editor, QLineEdit) and name in LIST_EDITORS:
        editor.setText(list_text(name, value))
    elif isinstance(editor, QLineEdit):
        editor.setText(str(value))


def value_of(editor: QWidget) -> object:
    """The value an editor shows now (a list setting still as its one line of text)."""
    if isinstance(editor, ShortcutField):
        return editor.chord()
    if isinstance(editor, SnippetsEditor):
        return editor.snippets()
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


def when_edited(editor: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the user changes ``editor``'s value."""
    if isinstance(editor, SnippetsEditor):
        editor.changed.connect(callback)
        editor.trigger_edit.textEdited.connect(lambda _text: callback())
        editor.text_edit.textChanged.connect(callback)
    elif isinstance(editor, ShortcutField):
        editor.chord_changed.connect(lambda _chord: callback())
    elif isinstance(editor, QComboBox):
        editor.currentTextChanged.connect(lambda _text: callback())
    elif isinstance(editor, QLineEdit):
        editor.textEdited.connect(lambda _text: callback())
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(lambda _on: callback())
    elif isinstance(editor, QSpinBox):
        editor.valueChanged.connect(lambda _value: callback())


def offer_models(editor: QComboBox, models: list[str]) -> str | None:
    """Offer ``models`` in the model list, keeping the choice unless it was just removed.

    A removed model that stayed chosen was saved by OK and failed at the next start;
    the first model offered (the bundled one) takes its place. Returns the removed
    choice, or None. A model folder's path is never offered, and always kept.
    """
    chosen = editor.currentText()
    removed = chosen in KNOWN_MODEL_NAMES and chosen not in models and bool(models)
    editor.clear()
    editor.addItems(models)
    editor.setCurrentText(models[0] if removed else chosen)
    return chosen if removed else None


def check_model_choice(model: str, offered: list[str], language: str) -> None:
    """Refuse a model that is not installed or is damaged, a language Whisper does not
    know, or a model that cannot hear ``language``.

    Raises:
        ValueError: "model: …", in words, with what to do instead.
    """
    if model not in offered and not Path(model).expanduser().is_dir():
        raise ValueError(
            f"model: '{model}' is not installed: download it on the Downloaded models page "
            "first, or give the folder of a CTranslate2 model."
        )
    folder = models_dir() / model if model in offered else Path(model).expanduser()
    try:  # a damaged download was taken, and the next start fell back to tiny.en
        if folder.is_dir():
            check_model_folder(folder)
    except ModelError as exc:
        raise ValueError(f"model: {exc}") from None
    if language and language not in language_codes():  # before blaming the model for it
        raise ValueError(
            f"language: '{language}' is not a language Whisper knows: write its code, "
            "such as en, de or fr, or leave Language empty to detect it."
        )
    if model.endswith(".en") and language not in {"", "en"}:
        raise ValueError(
            f"language: {model} understands English only; choose a multilingual model "
            "(tiny, base, small…) for another language, or leave Language empty."
        )


# The Text page's lists: the user's own writing, which Restore Defaults leaves alone.
WORD_LISTS = ("vocabulary", "replacements", "snippets")


def with_word_lists_kept(editors: Mapping[str, QWidget], show: Callable[[], object]) -> None:
    """Run ``show`` (the form filled afresh), then put the word lists back as typed.

    As typed, even half-way through a line that does not parse yet.
    """
    lists = {name: editors[name] for name in WORD_LISTS if name in editors}
    kept = {
        name: editor.text() if isinstance(editor, QLineEdit) else value_of(editor)
        for name, editor in lists.items()
    }
    show()
    for name, editor in lists.items():
        if isinstance(editor, QLineEdit):
            editor.setText(str(kept[name]))
        else:
            show_value(editor, name, kept[name])
