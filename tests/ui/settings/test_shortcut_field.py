"""The shortcut field records a chord by having the user press it, and refuses unusable ones.

Driven the way a person drives it: key presses into the field.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.settings import Settings
from app.ui.settings.settings_dialog import SettingsDialog
from app.ui.settings.shortcut_field import PROMPT, ShortcutField, chord_display_text

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
META = Qt.KeyboardModifier.MetaModifier


@pytest.fixture
def field(qtbot: QtBot) -> ShortcutField:
    widget = ShortcutField("ctrl+shift+space")
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize(
    ("key", "modifiers", "chord"),
    [
        (Qt.Key.Key_Space, CTRL | SHIFT, "ctrl+shift+space"),
        (Qt.Key.Key_F9, ALT, "alt+f9"),
        (Qt.Key.Key_A, META, "super+a"),
        (Qt.Key.Key_D, CTRL | ALT | SHIFT | META, "ctrl+alt+shift+super+d"),
        (Qt.Key.Key_Exclam, CTRL | SHIFT, "ctrl+shift+1"),
        (Qt.Key.Key_PageDown, ALT, "alt+page_down"),
        (Qt.Key.Key_Return, CTRL | ALT, "ctrl+alt+enter"),
        (Qt.Key.Key_Print, ALT, "alt+print_screen"),
        (Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier, "f5"),
        (Qt.Key.Key_Pause, Qt.KeyboardModifier.NoModifier, "pause"),
    ],
)
def test_key_press_becomes_the_chord(
    qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier, chord: str
) -> None:
    field = ShortcutField("ctrl+alt+x")
    qtbot.addWidget(field)
    field.start_capture()
    with qtbot.waitSignal(field.chord_changed) as changed:
        qtbot.keyClick(field, key, modifiers)
    assert changed.args == [chord]
    assert field.chord() == chord
    assert field.text() == chord_display_text(chord)
    assert not field.is_capturing()


def test_display_text() -> None:
    assert chord_display_text("ctrl+shift+space") == "Ctrl+Shift+Space"
    assert chord_display_text("alt+page_up") == "Alt+Page Up"
    assert chord_display_text("super+a") == "Super+A"
    assert chord_display_text("ctrl++") == "Ctrl++"
    assert chord_display_text("") == ""


def test_capture_shows_the_prompt(field: ShortcutField) -> None:
    assert field.text() == "Ctrl+Shift+Space"
    field.start_capture()
    assert field.text() == ""
    assert field.placeholderText() == PROMPT
    assert field.chord() == "ctrl+shift+space"


def test_escape_cancels_capture_and_keeps_the_old_chord(qtbot: QtBot, field: ShortcutField) -> None:
    field.start_capture()
    with qtbot.assertNotEmitted(field.chord_changed):
        qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert not field.is_capturing()
    assert field.chord() == "ctrl+shift+space"
    assert field.text() == "Ctrl+Shift+Space"


def test_modifier_only_presses_do_not_finish(qtbot: QtBot, field: ShortcutField) -> None:
    field.start_capture()
    with qtbot.assertNotEmitted(field.chord_changed):
        qtbot.keyPress(field, Qt.Key.Key_Control, CTRL)
        qtbot.keyPress(field, Qt.Key.Key_Shift, CTRL | SHIFT)
        assert field.text() == "Ctrl+Shift+…"
        qtbot.keyRelease(field, Qt.Key.Key_Shift, CTRL)
        qtbot.keyRelease(field, Qt.Key.Key_Control, Qt.KeyboardModifier.NoModifier)
    assert field.is_capturing()
    assert field.text() == ""
    assert field.chord() == "ctrl+shift+space"
    with qtbot.waitSignal(field.chord_changed):
        qtbot.keyClick(field, Qt.Key.Key_K, CTRL)
    assert field.chord() == "ctrl+k"


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [
        (Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_A, SHIFT),  # Shift alone would block typing capital letters
        (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
    ],
)
def test_key_without_a_modifier_is_rejected_with_a_hint(
    qtbot: QtBot, field: ShortcutField, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    field.start_capture()
    with qtbot.assertNotEmitted(field.chord_changed), qtbot.waitSignal(field.hint_changed):
        qtbot.keyClick(field, key, modifiers)
    assert field.chord() == "ctrl+shift+space"
    assert "Ctrl, Alt or Super" in field.hint()
    assert field.hint() in field.placeholderText()
    assert field.is_capturing()


@pytest.mark.parametrize(
    ("key", "modifiers", "shown"),
    [
        (Qt.Key.Key_C, CTRL, "Ctrl+C"),  # once set, copying broke in every app
        (Qt.Key.Key_V, CTRL | SHIFT, "Ctrl+Shift+V"),  # a terminal's paste
        (Qt.Key.Key_Tab, Qt.KeyboardModifier.AltModifier, "Alt+Tab"),
        (Qt.Key.Key_W, CTRL, "Ctrl+W"),  # closes a tab or a window
        (Qt.Key.Key_Return, CTRL, "Ctrl+Enter"),  # sends the message in chat apps
    ],
)
def test_a_shortcut_other_apps_need_is_refused(
    qtbot: QtBot, field: ShortcutField, key: Qt.Key, modifiers: Qt.KeyboardModifier, shown: str
) -> None:
    field.start_capture()
    with qtbot.assertNotEmitted(field.chord_changed), qtbot.waitSignal(field.hint_changed):
        qtbot.keyClick(field, key, modifiers)
    assert field.chord() == "ctrl+shift+space"
    assert field.hint() == f"{shown} is a shortcut other apps need; choose another."
    qtbot.keyClick(field, Qt.Key.Key_K, CTRL | Qt.KeyboardModifier.AltModifier)
    assert field.chord() == "ctrl+alt+k"


def test_the_dialogs_page_keys_end_the_capture_and_are_not_recorded(
    qtbot: QtBot, field: ShortcutField
) -> None:
    field.start_capture()
    with qtbot.assertNotEmitted(field.chord_changed):
        qtbot.keyClick(field, Qt.Key.Key_PageDown, CTRL)
    assert not field.is_capturing()  # the key goes on to the dialog: the next page
    assert field.chord() == "ctrl+shift+space"


def test_space_starts_capture_and_other_keys_wait_for_it(
    qtbot: QtBot, field: ShortcutField
) -> None:
    with qtbot.assertNotEmitted(field.chord_changed):
        qtbot.keyClick(field, Qt.Key.Key_O, ALT)  # the dialog's OK, not a new hotkey
    assert not field.is_capturing()
    qtbot.keyClick(field, Qt.Key.Key_Space)
    assert field.is_capturing()
    with qtbot.waitSignal(field.chord_changed):
        qtbot.keyClick(field, Qt.Key.Key_O, ALT)
    assert field.chord() == "alt+o"


def test_same_chord_again_emits_nothing(qtbot: QtBot, field: ShortcutField) -> None:
    with qtbot.assertNotEmitted(field.chord_changed):
        qtbot.keyClick(field, Qt.Key.Key_Space, CTRL | SHIFT)
    assert not field.is_capturing()


def test_field_is_accessible(field: ShortcutField) -> None:
    assert field.accessibleName()
    assert "press" in field.accessibleDescription().lower()


def test_a_refused_key_is_said_under_the_field_in_settings(qtbot: QtBot) -> None:
    # It was only the field's grey placeholder: hard to read, and no screen reader said it.
    dialog = SettingsDialog(Settings(), [], ["tiny.en"])
    qtbot.addWidget(dialog)
    field = dialog.editor("hotkey")
    assert isinstance(field, ShortcutField)
    hint = dialog.findChild(QLabel, "hotkey_hint")
    assert isinstance(hint, QLabel)
    assert hint.isHidden()
    field.start_capture()
    qtbot.keyClick(field, Qt.Key.Key_C, CTRL)
    assert hint.text() == "Ctrl+C is a shortcut other apps need; choose another."
    assert not hint.isHidden()
    said = hint.text()
    assert said in field.accessibleDescription()
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert hint.isHidden()
    assert said not in field.accessibleDescription()
