"""Snippets are added, edited and removed on the Text page, and in a profile's form.

Driven as a person would: typing into the trigger and text fields and clicking
the buttons; OK hands back settings holding the snippets exactly as typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.core.profiles.profile import Profile
from app.core.settings import Settings
from app.ui.settings.profile_form import ProfileForm
from app.ui.settings.settings_dialog import SettingsDialog
from app.ui.settings.snippets_editor import SnippetsEditor
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

ADDRESS = "Ada Lovelace\n12 St James's Square\nLondon"


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_snippet(qtbot: QtBot, editor: SnippetsEditor, trigger: str, text: str) -> None:
    click(qtbot, editor.new_button)
    qtbot.keyClicks(editor.trigger_edit, trigger)
    editor.text_edit.setFocus()
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.text_edit, line)
    click(qtbot, editor.save_button)


def shown_dialog(qtbot: QtBot, settings: Settings) -> tuple[SettingsDialog, SnippetsEditor]:
    dialog = SettingsDialog(settings, [], ["tiny.en"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.show_page(dialog.page_holding("snippets"))
    editor = dialog.editor("snippets")
    assert isinstance(editor, SnippetsEditor)
    qtbot.waitUntil(editor.isVisible)
    return dialog, editor


def test_a_snippet_typed_on_the_text_page_is_saved_exactly(qtbot: QtBot, tmp_path: Path) -> None:
    dialog, editor = shown_dialog(qtbot, Settings())
    assert dialog.page_holding("snippets") == "Text"
    type_snippet(qtbot, editor, "insert my address", ADDRESS)
    type_snippet(qtbot, editor, "sign off", "Cheers,\nAda")
    assert [editor.list.item(row).text() for row in range(editor.list.count())] == [
        "insert my address",
        "sign off",
    ]
    editor.list.setCurrentRow(0)  # shows it again for editing
    assert editor.text_edit.toPlainText() == ADDRESS
    dialog.resize(dialog.sizeHint())
    page = dialog.page_widget("Text")
    assert isinstance(page, QScrollArea)
    page.ensureWidgetVisible(editor.save_button)
    path = save_screenshot(dialog, "settings-snippets.png", tmp_path)
    assert path.stat().st_size > 0
    ok = dialog.button_box().button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.settings_accepted) as accepted:
        click(qtbot, ok)
    assert accepted.args[0].snippets == (
        ("insert my address", ADDRESS),
        ("sign off", "Cheers,\nAda"),
    )


def test_a_snippet_still_in_the_fields_at_ok_is_kept(qtbot: QtBot) -> None:
    dialog, editor = shown_dialog(qtbot, Settings(snippets=(("sign off", "Cheers"),)))
    click(qtbot, editor.new_button)
    qtbot.keyClicks(editor.trigger_edit, "insert my signature")
    editor.text_edit.setFocus()
    qtbot.keyClicks(editor.text_edit, "Best regards, Ann")  # and no Save snippet
    ok = dialog.button_box().button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.settings_accepted) as accepted:
        click(qtbot, ok)
    assert accepted.args[0].snippets == (
        ("sign off", "Cheers"),
        ("insert my signature", "Best regards, Ann"),
    )


def test_a_snippet_is_renamed_and_removed(qtbot: QtBot) -> None:
    settings = Settings(snippets=(("insert my address", "home"), ("sign off", "Cheers")))
    dialog, editor = shown_dialog(qtbot, settings)
    editor.list.setCurrentRow(0)
    editor.trigger_edit.clear()
    qtbot.keyClicks(editor.trigger_edit, "insert home address")
    click(qtbot, editor.save_button)
    editor.list.setCurrentRow(1)
    assert editor.trigger_edit.text() == "sign off"
    click(qtbot, editor.remove_button)
    assert dialog.result_settings().snippets == (("insert home address", "home"),)


def ok_is_refused(qtbot: QtBot, dialog: SettingsDialog, editor: SnippetsEditor) -> QWidget:
    """Save snippet, then OK: the dialog stays open with its error line; the OK button."""
    click(qtbot, editor.save_button)
    ok = dialog.button_box().button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    with qtbot.assertNotEmitted(dialog.settings_accepted):
        click(qtbot, ok)
    assert dialog.isVisible()
    return ok


def test_a_snippet_without_text_is_one_sentence_and_keeps_the_dialog_open(qtbot: QtBot) -> None:
    dialog, editor = shown_dialog(qtbot, Settings())
    qtbot.keyClicks(editor.trigger_edit, "sign off")
    ok_is_refused(qtbot, dialog, editor)
    assert "Snippets: the snippet 'sign off' has no text" in dialog._error.text()


def test_a_snippet_without_a_trigger_is_one_sentence_not_dropped(qtbot: QtBot) -> None:
    dialog, editor = shown_dialog(qtbot, Settings())
    editor.text_edit.setFocus()
    qtbot.keyClicks(editor.text_edit, "Jane Doe, 12 Main Street")
    ok = ok_is_refused(qtbot, dialog, editor)
    assert "a snippet has text but no trigger" in dialog._error.text()
    qtbot.keyClicks(editor.trigger_edit, "insert my address")
    click(qtbot, ok)
    assert dialog.result_settings().snippets == (("insert my address", "Jane Doe, 12 Main Street"),)


def test_a_profile_form_edits_the_profiles_own_snippets(qtbot: QtBot) -> None:
    form = ProfileForm()
    qtbot.addWidget(form)
    form.show()
    form.show_profile(Profile("Mail", window_class="thunderbird"))
    editor = form.inputs["snippets"]
    assert isinstance(editor, SnippetsEditor)
    assert form.profile().overrides == {}  # no snippets: as in Settings
    type_snippet(qtbot, editor, "insert my address", "Office\nFloor 2")
    assert form.profile().overrides == {"snippets": (("insert my address", "Office\nFloor 2"),)}


def test_the_snippets_label_s_alt_letter_reaches_the_list(qtbot: QtBot) -> None:
    # A keyboard user pressed Alt+N ("S&nippets") and the focus stayed where it was.
    dialog, editor = shown_dialog(qtbot, Settings(snippets=(("sign off", "Cheers"),)))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    replacements = dialog.editor("replacements")
    replacements.setFocus()
    qtbot.waitUntil(replacements.hasFocus)
    qtbot.keyClick(replacements, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(editor.list.hasFocus)


def test_a_snippet_is_added_with_the_keyboard_alone(qtbot: QtBot) -> None:
    # A keyboard user pressed Alt+E (New snippet) and typed: the letters went to the page
    # list's type-ahead, the spaces toggled a check box, and Enter saved that instead.
    dialog, editor = shown_dialog(qtbot, Settings())
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    spoken = dialog.editor("spoken_commands")
    spoken.setFocus()
    qtbot.waitUntil(spoken.hasFocus)
    alt = Qt.KeyboardModifier.AltModifier

    qtbot.keyClick(spoken, Qt.Key.Key_E, alt)
    qtbot.waitUntil(editor.trigger_edit.hasFocus)
    qtbot.keyClicks(editor.trigger_edit, "insert my sig")
    qtbot.keyClick(editor.trigger_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(editor.text_edit.hasFocus)
    qtbot.keyClicks(editor.text_edit, "Best regards")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(editor.save_button.hasFocus)
    qtbot.keyClick(editor.save_button, Qt.Key.Key_Space)
    assert editor.list.count() == 1
    with qtbot.waitSignal(dialog.settings_accepted) as accepted:
        qtbot.keyClick(editor.save_button, Qt.Key.Key_O, alt)  # &OK

    assert accepted.args[0].snippets == (("insert my sig", "Best regards"),)
    assert accepted.args[0].spoken_commands == Settings().spoken_commands
