"""The settings dialog shows, edits and returns settings (the shortcut field: its own module).

Driven the way a person drives them: key presses into the shortcut field,
clicks on the dialog's buttons, and keyboard focus moving between controls.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.engine.model_download import HubAccess
from app.core.engine.model_registry import bundled_model_path
from app.core.paths import models_dir
from app.core.settings import Settings, setting_fields
from app.ui.settings.models_page import ModelsPage
from app.ui.settings.profiles_page import ProfilesPage
from app.ui.settings.setting_editors import SYSTEM_DEFAULT_DEVICE
from app.ui.settings.settings_dialog import SettingsDialog
from app.ui.settings.shortcut_field import ShortcutField
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    # Qt's offscreen platform warns whenever a dialog is shown; harmless, and not our message.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
META = Qt.KeyboardModifier.MetaModifier
DEVICES = ["Built-in Microphone", "USB Headset"]
MODELS = ["tiny.en", "base.en", "small"]
CUSTOM = Settings().replace(
    hotkey="alt+f9",
    hotkey_mode="toggle",
    hold_threshold_ms=450,
    output="clipboard",
    delivery="type",
    paste_restore_delay_ms=1500,
    type_as_i_speak=True,
    input_device="USB Headset",
    keep_mic_open=False,
    pre_roll_ms=150,
    model="base.en",
    language="fr",
    keep_audio=True,
    idle_unload_minutes=-1,
    start_at_login=True,
    notifications=False,
)


def make_dialog(qtbot: QtBot, settings: Settings = CUSTOM) -> SettingsDialog:
    dialog = SettingsDialog(settings, DEVICES, MODELS)
    qtbot.addWidget(dialog)
    return dialog


def button(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> QWidget:
    found = dialog.button_box().button(which)
    assert found is not None
    return found


def test_dialog_shows_the_given_settings(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.result_settings() == CUSTOM
    hotkey = dialog.editor("hotkey")
    assert isinstance(hotkey, ShortcutField)
    assert hotkey.text() == "Alt+F9"
    mode = dialog.editor("hotkey_mode")
    assert isinstance(mode, QComboBox)
    assert mode.currentText() == "Tap to start and stop"
    threshold = dialog.editor("hold_threshold_ms")
    assert isinstance(threshold, QSpinBox)
    assert (threshold.value(), threshold.minimum(), threshold.maximum()) == (450, 100, 2000)
    device = dialog.editor("input_device")
    assert isinstance(device, QComboBox)
    assert device.currentText() == "USB Headset"
    assert device.itemText(0) == SYSTEM_DEFAULT_DEVICE
    unload = dialog.editor("idle_unload_minutes")
    assert isinstance(unload, QSpinBox)
    assert unload.text() == "Never"
    keep_audio = dialog.editor("keep_audio")
    assert isinstance(keep_audio, QCheckBox)
    assert keep_audio.isChecked()


def test_unplugged_device_is_kept(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings().replace(input_device="Old Webcam"))
    device = dialog.editor("input_device")
    assert isinstance(device, QComboBox)
    assert device.currentText() == "Old Webcam (not connected)"
    assert dialog.result_settings().input_device == "Old Webcam"


def test_edits_become_the_result(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, Settings())
    hotkey = dialog.editor("hotkey")
    qtbot.keyClick(hotkey, Qt.Key.Key_Space)  # records the next key
    qtbot.keyClick(hotkey, Qt.Key.Key_F12, CTRL | ALT)
    output = dialog.editor("output")
    assert isinstance(output, QComboBox)
    output.setCurrentIndex(output.findData("window"))
    spin = dialog.editor("paste_restore_delay_ms")
    assert isinstance(spin, QSpinBox)
    spin.setValue(20000)  # clamps to the declared maximum
    box = dialog.editor("notifications")
    assert isinstance(box, QCheckBox)
    dialog.show_page(dialog.page_holding("notifications"))  # a click reaches a shown page only
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    device = dialog.editor("input_device")
    assert isinstance(device, QComboBox)
    device.setCurrentIndex(device.findData("Built-in Microphone"))
    model = dialog.editor("model")
    assert isinstance(model, QComboBox)
    folder = tmp_path / "my-whisper"  # a model folder of the user's own
    shutil.copytree(bundled_model_path(), folder)
    model.setCurrentText(f"  {folder} ")
    language = dialog.editor("language")
    assert isinstance(language, QLineEdit)
    language.setText("")

    assert dialog.result_settings() == Settings().replace(
        hotkey="ctrl+alt+f12",
        output="window",
        paste_restore_delay_ms=10000,
        notifications=False,
        input_device="Built-in Microphone",
        model=str(folder),
        language="",
    )


def test_ok_emits_the_new_settings(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    delivery = dialog.editor("delivery")
    assert isinstance(delivery, QComboBox)
    delivery.setCurrentIndex(delivery.findData("paste"))
    with qtbot.waitSignal(dialog.settings_accepted) as accepted:
        qtbot.mouseClick(
            button(dialog, QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert accepted.args == [CUSTOM.replace(delivery="paste")]
    assert dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("   ", "Speech model: a model name is needed"),
        ("large-v9", "Speech model: 'large-v9' is not a model: use one of tiny, tiny.en, "),
        ("medium.en", "Speech model: 'medium.en' is not installed: download it on the Downloaded"),
    ],
    ids=["empty", "unknown", "not-downloaded"],
)
def test_invalid_value_keeps_the_dialog_open(qtbot: QtBot, typed: str, error: str) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    model = dialog.editor("model")
    assert isinstance(model, QComboBox)
    model.setCurrentText(typed)
    with qtbot.assertNotEmitted(dialog.settings_accepted):
        qtbot.mouseClick(
            button(dialog, QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert dialog.isVisible()
    errors = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.text().startswith("Speech model:")
    ]
    assert len(errors) == 1
    assert errors[0].startswith(error)
    assert dialog.current_page() == dialog.page_holding("model")  # shown, not on a hidden page


def test_a_file_as_the_transcripts_folder_keeps_the_dialog_open(
    qtbot: QtBot, tmp_path: Path
) -> None:
    audio = tmp_path / "d1.wav"
    audio.write_bytes(b"RIFF")
    dialog = make_dialog(qtbot)
    dialog.show()
    folder = dialog.editor("export_folder")
    assert isinstance(folder, QLineEdit)
    folder.setText(str(audio))
    with qtbot.assertNotEmitted(dialog.settings_accepted):
        qtbot.mouseClick(
            button(dialog, QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert dialog.isVisible()
    assert dialog.current_page() == dialog.page_holding("export_folder")
    assert any(
        label.text() == f"Save transcripts in: {audio} is a file: choose a folder to save "
        "transcripts in"
        for label in dialog.findChildren(QLabel)
    )


def test_restore_defaults(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    with qtbot.assertNotEmitted(dialog.settings_accepted):
        qtbot.mouseClick(
            button(dialog, QDialogButtonBox.StandardButton.RestoreDefaults),
            Qt.MouseButton.LeftButton,
        )
    assert dialog.result_settings() == Settings()


def test_restore_defaults_says_which_settings_it_changed(qtbot: QtBot, tmp_path: Path) -> None:
    # Every page was reset while one showed: a user could not tell what changed before OK.
    dialog = make_dialog(qtbot, CUSTOM)
    restore = button(dialog, QDialogButtonBox.StandardButton.RestoreDefaults)
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    (said,) = [w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Settings error"]
    labels = {s.name: s.label for s in setting_fields()}
    changed = [
        labels[name] for name in labels if getattr(CUSTOM, name) != getattr(Settings(), name)
    ]
    assert changed
    assert said.text() == (
        f"Restore Defaults changed {len(changed)} settings: {', '.join(changed)}. "
        "Nothing is saved until OK; Cancel keeps what you had."
    )
    assert not said.isHidden()
    dialog.show()
    qtbot.waitExposed(dialog)
    save_screenshot(dialog, "settings-restored-defaults.png", tmp_path)
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert said.text() == "Every setting was at its default already."


def test_restore_defaults_leaves_the_users_word_lists_alone(qtbot: QtBot) -> None:
    # A new user's replacements ("Anna = Åsa Müller-Łukasz") went back to the default
    # list with one click, and one Enter would have saved that.
    words = CUSTOM.replace(
        vocabulary=("Siobhan", "kubectl"),
        replacements=(("anna", "Åsa Müller-Łukasz"),),
        snippets=(("sig", "Best regards,\nÅsa"),),
    )
    dialog = make_dialog(qtbot, words)
    vocabulary = dialog.editor("vocabulary")
    assert isinstance(vocabulary, QLineEdit)
    vocabulary.setText("Siobhan, kubectl, Niamh")  # typed just now, not saved yet
    qtbot.mouseClick(
        button(dialog, QDialogButtonBox.StandardButton.RestoreDefaults), Qt.MouseButton.LeftButton
    )
    restored = dialog.result_settings()
    assert restored.vocabulary == ("Siobhan", "kubectl", "Niamh")
    assert restored.replacements == words.replacements
    assert restored.snippets == words.snippets
    assert restored.replace(vocabulary=(), replacements=(), snippets=()) == Settings().replace(
        vocabulary=(), replacements=(), snippets=()
    )


def test_cancel_changes_nothing(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    pre_roll = dialog.editor("pre_roll_ms")
    assert isinstance(pre_roll, QSpinBox)
    pre_roll.setValue(900)
    with qtbot.assertNotEmitted(dialog.settings_accepted):
        qtbot.mouseClick(
            button(dialog, QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
        )
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert CUSTOM.pre_roll_ms == 150


def test_the_cue_volume_is_editable_only_with_sound_cues_on(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, CUSTOM.replace(sound_cues=False))
    dialog.show()
    cues, volume = dialog.editor("sound_cues"), dialog.editor("cue_volume")
    assert isinstance(cues, QCheckBox)
    assert not volume.isEnabled()
    qtbot.mouseClick(cues, Qt.MouseButton.LeftButton, pos=QPoint(6, cues.height() // 2))
    assert cues.isChecked()
    assert volume.isEnabled()
    assert dialog.result_settings().sound_cues


def test_type_as_i_speak_is_editable_only_when_words_are_typed_into_apps(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, CUSTOM)  # output: the clipboard only, type as I speak on
    dialog.show()
    dialog.show_page(dialog.page_holding("type_as_i_speak"))
    output, live = dialog.editor("output"), dialog.editor("type_as_i_speak")
    assert isinstance(output, QComboBox)
    assert isinstance(live, QCheckBox)
    description = next(f.description for f in setting_fields() if f.name == "type_as_i_speak")
    box = QPoint(6, live.height() // 2)
    assert not live.isEnabled()
    assert "only when Output is The focused application" in live.toolTip()
    qtbot.mouseClick(live, Qt.MouseButton.LeftButton, pos=box)
    assert live.isChecked()  # a click on it changes nothing
    for value, applies in [("focused_app", True), ("window", False), ("focused_app", True)]:
        output.setCurrentIndex(output.findData(value))
        assert live.isEnabled() is applies, value
        assert (live.toolTip() == description) is applies, value
    qtbot.mouseClick(live, Qt.MouseButton.LeftButton, pos=box)
    assert not dialog.result_settings().type_as_i_speak


def test_the_hold_threshold_is_editable_only_when_the_hotkey_works_both_ways(
    qtbot: QtBot,
) -> None:
    # "Counts as a hold after" stayed editable with Hold to talk, where it changes nothing.
    dialog = make_dialog(qtbot, CUSTOM)  # toggle mode
    mode, threshold = dialog.editor("hotkey_mode"), dialog.editor("hold_threshold_ms")
    assert isinstance(mode, QComboBox)
    assert not threshold.isEnabled()
    assert "only when the hotkey works both ways" in threshold.toolTip()
    for value, applies in [("auto", True), ("hold", False), ("toggle", False), ("auto", True)]:
        mode.setCurrentIndex(mode.findData(value))
        assert threshold.isEnabled() is applies, value
    assert dialog.result_settings().hold_threshold_ms == CUSTOM.hold_threshold_ms


def test_the_paste_wait_is_editable_only_when_text_is_pasted(qtbot: QtBot) -> None:
    # "Wait for the paste up to" stayed editable with typing, where no paste happens.
    dialog = make_dialog(qtbot)
    delivery, wait = dialog.editor("delivery"), dialog.editor("paste_restore_delay_ms")
    assert isinstance(delivery, QComboBox)
    for value, applies in [("paste", True), ("type", False), ("paste", True)]:
        delivery.setCurrentIndex(delivery.findData(value))
        assert wait.isEnabled() is applies, value
        if not applies:
            assert "only when text is inserted by pasting" in wait.toolTip()


def test_every_input_widget_is_named_and_explained(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    inputs = [
        widget
        for widget in dialog.findChildren(QWidget)
        if isinstance(widget, (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox))
        # the line edits inside combo and spin boxes are reached through their parent
        and not isinstance(widget.parent(), (QComboBox, QAbstractSpinBox))
    ]
    assert len(inputs) == len(setting_fields())
    for widget in inputs:
        assert widget.accessibleName(), widget.objectName()
        assert widget.toolTip(), widget.objectName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()


def test_labels_have_distinct_mnemonics_and_buddies(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(
        CUSTOM,
        DEVICES,
        MODELS,
        profiles_page=ProfilesPage(),
        models_page=ModelsPage(tmp_path / "models", HubAccess.from_environment({})),
    )
    qtbot.addWidget(dialog)
    buttons = [button.text() for button in dialog.button_box().buttons() if "&" in button.text()]
    every_text = []
    # Only the shown page's Alt+letters are live, so they need only differ within a page.
    for name in dialog.page_names():
        page = dialog.page_widget(name)
        texts = [label.text() for label in page.findChildren(QLabel) if "&" in label.text()]
        texts += [box.text() for box in page.findChildren(QCheckBox)]
        texts += [button.text() for button in page.findChildren(QPushButton) if button.text()]
        letters = [re.search("&(.)", text).group(1).lower() for text in [*texts, *buttons]]  # type: ignore[union-attr]
        assert len(set(letters)) == len(letters), (name, texts)
        every_text += texts
    assert len([t for t in every_text if "&" in t]) >= len(setting_fields())  # each one has one
    assert "&Hotkey:" in every_text
    for label in dialog.findChildren(QLabel):
        if "&" in label.text():
            assert label.buddy() is not None


def active_dialog(qtbot: QtBot) -> tuple[SettingsDialog, ShortcutField]:
    """The dialog shown and active (its shortcuts work), and its hotkey field."""
    dialog = make_dialog(qtbot)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    hotkey = dialog.editor("hotkey")
    assert isinstance(hotkey, ShortcutField)
    return dialog, hotkey


def test_tab_passes_through_the_shortcut_field_and_alt_o_still_presses_ok(qtbot: QtBot) -> None:
    # A keyboard user tabbed through the field on the way to OK: Tab armed it, and Alt+O
    # became the global hotkey. Tab now passes through; Space records.
    dialog, hotkey = active_dialog(qtbot)
    mode = dialog.editor("hotkey_mode")
    mode.setFocus()
    qtbot.waitUntil(mode.hasFocus)
    qtbot.keyClick(mode, Qt.Key.Key_Backtab, SHIFT)
    qtbot.waitUntil(hotkey.hasFocus)
    assert not hotkey.is_capturing()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(hotkey, Qt.Key.Key_O, ALT)
    assert dialog.result_settings().hotkey == CUSTOM.hotkey


def test_space_on_the_shortcut_field_records_even_its_labels_alt_letter(qtbot: QtBot) -> None:
    dialog, hotkey = active_dialog(qtbot)
    hotkey.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(hotkey.hasFocus)
    qtbot.keyClick(hotkey, Qt.Key.Key_Space)
    assert hotkey.is_capturing()
    # Alt+H is the label's mnemonic, but while capturing it is the new hotkey.
    with qtbot.waitSignal(hotkey.chord_changed):
        qtbot.keyClick(hotkey, Qt.Key.Key_H, ALT)
    assert hotkey.hasFocus()
    assert dialog.result_settings().hotkey == "alt+h"


def test_page_keys_that_land_on_the_shortcut_field_still_turn_pages(qtbot: QtBot) -> None:
    dialog, hotkey = active_dialog(qtbot)
    hotkey_page = dialog.page_holding("hotkey")
    dialog.show_page(hotkey_page)
    dialog.editor("hotkey_mode").setFocus()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_PageDown, CTRL)
    qtbot.waitUntil(lambda: dialog.current_page() != hotkey_page)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_PageUp, CTRL)
    qtbot.waitUntil(lambda: dialog.current_page() == hotkey_page)
    qtbot.waitUntil(hotkey.hasFocus)  # the page's first field: not a deliberate move here
    assert not hotkey.is_capturing()
    qtbot.keyClick(hotkey, Qt.Key.Key_Space)  # recording a new one: page keys still turn
    assert hotkey.is_capturing()
    qtbot.keyClick(hotkey, Qt.Key.Key_PageUp, CTRL)  # again: the page before
    qtbot.waitUntil(lambda: dialog.current_page() != hotkey_page)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab, CTRL)
    qtbot.waitUntil(lambda: dialog.current_page() == hotkey_page)
    assert dialog.result_settings().hotkey == CUSTOM.hotkey


def test_the_error_line_goes_once_its_field_is_mended(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    model = dialog.editor("model")
    assert isinstance(model, QComboBox)
    model.setCurrentText("large-v9")
    qtbot.mouseClick(button(dialog, QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    (error,) = [w for w in dialog.findChildren(QLabel) if w.accessibleName() == "Settings error"]
    assert error.isVisible()
    language = dialog.editor("language")
    assert isinstance(language, QLineEdit)
    qtbot.keyClicks(language, "x")  # another field: the error still holds
    assert error.isVisible()
    model.setCurrentText("tiny.en")  # mended
    assert not error.isVisible()


def test_a_language_an_english_only_model_cannot_hear_is_refused(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings())  # tiny.en, the bundled model
    language = dialog.editor("language")
    assert isinstance(language, QLineEdit)
    language.setText("fr")
    with pytest.raises(ValueError, match=r"^language: tiny.en understands English only"):
        dialog.result_settings()
    model = dialog.editor("model")
    assert isinstance(model, QComboBox)
    model.setCurrentText("small")  # multilingual, and offered (installed)
    assert dialog.result_settings().model == "small"


def test_a_code_whisper_does_not_know_is_refused_as_a_language_not_blamed_on_the_model(
    qtbot: QtBot,
) -> None:
    dialog = make_dialog(qtbot, Settings())  # tiny.en: English only
    language = dialog.editor("language")
    assert isinstance(language, QLineEdit)
    language.setText("zz")  # two letters, but no language
    with pytest.raises(ValueError, match=r"^language: 'zz' is not a language Whisper knows"):
        dialog.result_settings()
    language.setText("en")
    assert dialog.result_settings().language == "en"


def test_a_damaged_downloaded_model_is_refused_with_what_to_do(qtbot: QtBot) -> None:
    # Choosing a model whose config.json was damaged was taken without a word, and every
    # start then fell back to tiny.en with a banner.
    folder = models_dir() / "base.en"
    shutil.copytree(bundled_model_path(), folder)
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    dialog = make_dialog(qtbot, Settings())
    model = dialog.editor("model")
    assert isinstance(model, QComboBox)
    model.setCurrentText("base.en")
    with pytest.raises(ValueError, match=r"^model: Model folder ") as refused:
        dialog.result_settings()
    assert str(refused.value) == (
        f"model: Model folder {folder} has a damaged config.json; download or copy the model again."
    )
