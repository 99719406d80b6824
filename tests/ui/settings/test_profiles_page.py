"""Settings → Profiles as a user drives it: add, edit, order, delete, import, export.

The page writes the same profiles.json the hotkey press reads, at each action, so
each test checks the file (what the next dictation will use) as well as the list.
A screenshot of the page goes to tmp_path, or docs/screenshots with
SAYTYPE_SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QPushButton, QScrollArea
from pytestqt.qtbot import QtBot

from app.core.profiles.profile_file import load_profiles, profiles_path
from app.core.profiles.profile_rules import WindowIdentity
from app.core.settings import Settings
from app.ui.settings.profiles_page import PROFILES_PAGE, ProfilesPage
from app.ui.settings.settings_dialog import SettingsDialog
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

XTERM = WindowIdentity("xterm", "XTerm", "user@host: ~")


def page_for(qtbot: QtBot, window: WindowIdentity | None = XTERM) -> ProfilesPage:
    page = ProfilesPage(last_window=lambda: window)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def listed(page: ProfilesPage) -> list[str]:
    return [page.list.item(row).text() for row in range(page.list.count())]


def saved_names() -> list[str]:
    return [profile.name for profile in load_profiles().book.all()]


def choose(combo: object, text: str) -> None:
    assert isinstance(combo, QComboBox)
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def test_the_last_app_dictated_into_becomes_a_profile_edited_in_the_form(qtbot: QtBot) -> None:
    page = page_for(qtbot)
    assert listed(page) == ["Default — everywhere else"]
    assert not page.buttons["delete"].isEnabled()  # the Default profile always applies

    click(qtbot, page.buttons["last_app"])

    assert listed(page)[1] == "XTerm — class ^xterm$"
    assert saved_names() == ["Default", "XTerm"]
    assert page.form.name_edit.text() == "XTerm"
    choose(page.form.inputs["after_text"], "Enter")
    choose(page.form.inputs["style"], "Code / plain: no automatic capitals or final full stop")
    choose(page.form.inputs["trailing_space"], "Off")
    page.form.name_edit.setText("Terminal")
    click(qtbot, page.buttons["save"])

    (terminal,) = load_profiles().book.profiles
    assert terminal.name == "Terminal"
    assert dict(terminal.overrides) == {
        "after_text": "enter",
        "style": "plain",
        "trailing_space": False,
    }
    assert page.message.text() == "Saved Terminal."


def test_a_profile_for_the_last_app_that_another_matches_first_says_so(qtbot: QtBot) -> None:
    # With "Terminals" (xterm among them) in the list, the new XTerm profile never applied.
    page = page_for(qtbot)
    choose(page.suggestions, "Terminals")
    click(qtbot, page.buttons["suggestion"])
    click(qtbot, page.buttons["last_app"])
    assert page.message.text() == (
        "Added XTerm, but Terminals comes first and matches this app too: move XTerm up to "
        "use it there."
    )
    click(qtbot, page.buttons["up"])
    assert saved_names() == ["Default", "XTerm", "Terminals"]


def test_a_mistake_is_one_sentence_and_saves_nothing(qtbot: QtBot) -> None:
    page = page_for(qtbot)
    click(qtbot, page.buttons["last_app"])
    before = profiles_path().read_bytes()
    page.form.class_edit.setText("([a-")

    click(qtbot, page.buttons["save"])

    assert page.message.text().startswith(
        "Profile 'XTerm': the window class pattern '([a-' is not valid ("
    )
    assert profiles_path().read_bytes() == before
    page.form.class_edit.setText("xterm")
    page.form.inputs["replacements"].setText("no equals sign")  # type: ignore[attr-defined]
    click(qtbot, page.buttons["save"])
    assert page.message.text() == (
        "replacements: write each replacement as heard = written ('no equals sign')"
    )
    assert profiles_path().read_bytes() == before


def test_alt_letters_reach_the_rule_fields(qtbot: QtBot) -> None:
    # A keyboard-only user had no Alt+letter on the form: only Tab, through every field.
    page = page_for(qtbot)
    click(qtbot, page.buttons["last_app"])
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    for letter, field in (
        (Qt.Key.Key_A, page.form.class_edit),
        (Qt.Key.Key_H, page.form.title_edit),
        (Qt.Key.Key_N, page.form.name_edit),
    ):
        qtbot.keyClick(page.list, letter, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(field.hasFocus)


def test_without_a_dictation_yet_the_page_says_what_to_do(qtbot: QtBot) -> None:
    page = page_for(qtbot, window=None)
    click(qtbot, page.buttons["last_app"])
    assert page.message.text() == (
        "Dictate into the app once (press the hotkey there), then add it here."
    )
    assert not profiles_path().exists()


def test_suggestions_are_added_on_request_then_ordered_and_deleted(qtbot: QtBot) -> None:
    page = page_for(qtbot)
    assert not profiles_path().exists()  # suggestions are off until added
    for name in ("Terminals", "Chat apps"):
        choose(page.suggestions, name)
        click(qtbot, page.buttons["suggestion"])
    click(qtbot, page.buttons["suggestion"])
    assert page.message.text() == "Chat apps is in the list already."
    click(qtbot, page.buttons["last_app"])
    assert saved_names() == ["Default", "Terminals", "Chat apps", "XTerm"]

    assert not page.buttons["down"].isEnabled()  # XTerm is last
    click(qtbot, page.buttons["up"])
    click(qtbot, page.buttons["up"])
    assert saved_names() == ["Default", "XTerm", "Terminals", "Chat apps"]
    assert not page.buttons["up"].isEnabled()  # first after the Default one
    click(qtbot, page.buttons["down"])
    assert saved_names() == ["Default", "Terminals", "XTerm", "Chat apps"]

    click(qtbot, page.buttons["delete"])
    assert saved_names() == ["Default", "Terminals", "Chat apps"]
    assert page.message.text() == "Deleted XTerm. Ctrl+Z brings it back."

    page.list.setFocus()
    qtbot.waitUntil(page.list.hasFocus)
    qtbot.keyClick(page.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved_names() == ["Default", "Terminals", "XTerm", "Chat apps"]  # where it was
    assert page.message.text() == "Brought back XTerm."
    assert page.list.currentItem().text().startswith("XTerm")


def test_the_delete_key_on_the_list_deletes_the_selected_profile(qtbot: QtBot) -> None:
    page = page_for(qtbot)
    click(qtbot, page.buttons["last_app"])
    page.list.setFocus()
    qtbot.waitUntil(page.list.hasFocus)
    page.list.setCurrentRow(1)

    qtbot.keyClick(page.list, Qt.Key.Key_Delete)

    assert saved_names() == ["Default"]
    assert page.message.text() == "Deleted XTerm. Ctrl+Z brings it back."
    qtbot.keyClick(page.list, Qt.Key.Key_Delete)  # the Default profile stays
    assert saved_names() == ["Default"]
    assert page.message.text().startswith("The Default profile always applies")


def test_a_change_made_elsewhere_while_the_page_is_open_is_not_written_over(
    qtbot: QtBot,
) -> None:
    # A user ran `saytype profiles import` with Settings open, then moved a profile in the
    # page: the page wrote back its old list and the imported profile was gone.
    page = page_for(qtbot)
    choose(page.suggestions, "Terminals")
    click(qtbot, page.buttons["suggestion"])
    elsewhere = page_for(qtbot)  # another writer of the same file
    choose(elsewhere.suggestions, "Chat apps")
    click(qtbot, elsewhere.buttons["suggestion"])
    assert saved_names() == ["Default", "Terminals", "Chat apps"]

    click(qtbot, page.buttons["delete"])  # Terminals, chosen in the stale list
    assert saved_names() == ["Default", "Terminals", "Chat apps"]  # nothing lost
    assert page.message.text().startswith("The profiles file was changed outside this window")
    assert [line.split(" — ")[0] for line in listed(page)] == ["Default", "Terminals", "Chat apps"]
    page.list.setCurrentRow(1)
    click(qtbot, page.buttons["delete"])  # now from the list as the file has it
    assert saved_names() == ["Default", "Chat apps"]


def test_export_then_import_on_another_machine(qtbot: QtBot, tmp_path: Path) -> None:
    page = page_for(qtbot)
    click(qtbot, page.buttons["last_app"])
    choose(page.form.inputs["after_text"], "Ctrl+Enter")
    click(qtbot, page.buttons["save"])
    shared = tmp_path / "shared.json"
    assert page.export_file(shared)
    exported = json.loads(shared.read_text(encoding="utf-8"))
    profiles_path().unlink()  # another machine: no profiles yet

    fresh = page_for(qtbot)
    assert fresh.import_file(shared)

    assert listed(fresh) == ["Default — everywhere else", "XTerm — class ^xterm$"]
    assert fresh.message.text() == "Imported Default, XTerm."
    assert json.loads(profiles_path().read_text(encoding="utf-8")) == exported
    shared.write_text("{", encoding="utf-8")
    assert not fresh.import_file(shared)
    assert fresh.message.text().startswith(f"{shared} is not valid JSON (")


def test_screenshot_of_the_profiles_page(qtbot: QtBot, tmp_path: Path) -> None:
    page = ProfilesPage(last_window=lambda: XTERM)
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], profiles_page=page)
    qtbot.addWidget(dialog)
    assert dialog.page_names().index(PROFILES_PAGE) == dialog.page_names().index("Text") + 1
    choose(page.suggestions, "Terminals")
    click_later = page.buttons["suggestion"]
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.sizeHint())
    dialog.show_page(PROFILES_PAGE)
    qtbot.waitUntil(page.isVisible)
    click(qtbot, click_later)
    click(qtbot, page.buttons["last_app"])
    choose(page.form.inputs["after_text"], "Enter")
    click(qtbot, page.buttons["save"])
    holder = dialog.stack.currentWidget()  # the page scrolls in a holder: laid out first
    assert isinstance(holder, QScrollArea)
    qtbot.waitUntil(lambda: page.width() == holder.viewport().width())
    path = save_screenshot(dialog, "settings-profiles.png", tmp_path)
    assert path.stat().st_size > 0


def test_the_page_fits_a_dialog_narrower_than_it_opens(qtbot: QtBot) -> None:
    # Two new users saw the form cut off ("Save pro") and a sideways scroll bar at the
    # dialog's opening width: long labels now go above their fields when space is short.
    dialog, page = dialog_on_profiles(qtbot)
    click(qtbot, page.buttons["last_app"])
    dialog.resize(800, 533)
    holder = dialog.stack.currentWidget()
    assert isinstance(holder, QScrollArea)
    qtbot.waitUntil(lambda: dialog.width() == 800)
    qtbot.waitUntil(lambda: page.width() == holder.viewport().width())
    sideways = holder.horizontalScrollBar()
    qtbot.waitUntil(lambda: not sideways.isVisible(), timeout=5_000)  # hidden once laid out
    save = page.buttons["save"]
    right_edge = save.mapTo(page, save.rect().topRight()).x()
    assert right_edge < page.width()
    for key, combo in page.form.inputs.items():  # each choice whole ("The usual keys o…")
        if isinstance(combo, QComboBox):
            width = combo.fontMetrics().horizontalAdvance
            longest = max((combo.itemText(i) for i in range(combo.count())), key=width)
            assert width(longest) < combo.width() - 30, (key, longest)


def dialog_on_profiles(qtbot: QtBot) -> tuple[SettingsDialog, ProfilesPage]:
    page = ProfilesPage(last_window=lambda: XTERM)
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], profiles_page=page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.show_page(PROFILES_PAGE)
    return dialog, page


def test_an_untouched_profile_has_no_unsaved_edits(qtbot: QtBot) -> None:
    dialog, page = dialog_on_profiles(qtbot)
    assert not page.unsaved_edits()
    for name in ("Terminals", "Chat apps"):
        choose(page.suggestions, name)
        click(qtbot, page.buttons["suggestion"])
        assert not page.unsaved_edits(), name
    click(qtbot, page.buttons["last_app"])
    assert not page.unsaved_edits()
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        dialog.reject()  # nothing to ask


def test_ok_saves_the_profile_form_it_was_not_saved_with_save_profile(qtbot: QtBot) -> None:
    # A new user chose "Enter" in a profile's form and pressed OK: it was lost without a word.
    dialog, page = dialog_on_profiles(qtbot)
    click(qtbot, page.buttons["last_app"])
    choose(page.form.inputs["after_text"], "Enter")
    assert page.unsaved_edits()
    with qtbot.waitSignal(dialog.settings_accepted, timeout=2000):
        dialog.accept()
    (xterm,) = load_profiles().book.profiles
    assert dict(xterm.overrides)["after_text"] == "enter"


def test_ok_with_a_bad_profile_form_stays_on_the_page_and_says_why(qtbot: QtBot) -> None:
    dialog, page = dialog_on_profiles(qtbot)
    click(qtbot, page.buttons["last_app"])
    page.form.class_edit.setText("(unclosed")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.current_page() == PROFILES_PAGE
    assert page.message.text()


def test_cancel_with_profile_edits_asks_and_discard_keeps_the_file(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMessageBox

    dialog, page = dialog_on_profiles(qtbot)
    click(qtbot, page.buttons["last_app"])
    choose(page.form.inputs["after_text"], "Enter")
    dialog.reject()
    qtbot.waitUntil(lambda: page.findChild(QMessageBox) is not None, timeout=2000)
    box = page.findChild(QMessageBox)
    assert isinstance(box, QMessageBox)
    assert "XTerm" in box.text()
    assert dialog.isVisible()  # waits for the answer
    discard = next(b for b in box.buttons() if b.text() == "&Discard")
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        discard.click()
    (xterm,) = load_profiles().book.profiles
    assert "after_text" not in dict(xterm.overrides)


def the_question(qtbot: QtBot, page: ProfilesPage) -> QMessageBox:
    qtbot.waitUntil(lambda: page.findChild(QMessageBox) is not None, timeout=2000)
    box = page.findChild(QMessageBox)
    assert isinstance(box, QMessageBox)
    return box


def answer(box: QMessageBox, text: str) -> None:
    next(button for button in box.buttons() if button.text() == text).click()


@pytest.mark.parametrize("reply", ["&Save", "&Discard", "Cancel"])
def test_choosing_another_profile_asks_about_the_forms_edits(qtbot: QtBot, reply: str) -> None:
    # A new user set a profile's paste keys, then chose another profile: the edit was lost.
    _dialog, page = dialog_on_profiles(qtbot)
    click(qtbot, page.buttons["last_app"])  # XTerm, row 1 after the Default profile
    choose(page.form.inputs["after_text"], "Enter")
    page.list.setCurrentRow(0)
    box = the_question(qtbot, page)
    assert "XTerm" in box.text()
    assert page.list.currentRow() == 1  # the question is about the profile shown
    answer(box, reply)
    qtbot.waitUntil(lambda: page.findChild(QMessageBox) is None or not box.isVisible())
    (xterm,) = load_profiles().book.profiles
    saved = dict(xterm.overrides).get("after_text")
    if reply == "Cancel":  # back to the form, the edit still in it
        assert page.list.currentRow() == 1
        assert page.unsaved_edits()
        assert saved is None
    else:
        assert page.list.currentRow() == 0
        assert not page.unsaved_edits()
        assert saved == ("enter" if reply == "&Save" else None)


def test_cancel_in_the_question_at_close_keeps_settings_open_with_the_edits(qtbot: QtBot) -> None:
    dialog, page = dialog_on_profiles(qtbot)
    click(qtbot, page.buttons["last_app"])
    choose(page.form.inputs["after_text"], "Enter")
    dialog.reject()
    box = the_question(qtbot, page)
    with qtbot.assertNotEmitted(dialog.finished):
        answer(box, "Cancel")
    assert dialog.isVisible()
    assert page.unsaved_edits()


def test_undo_brings_back_only_a_delete_that_nothing_followed(qtbot: QtBot) -> None:
    page = page_for(qtbot)
    for name in ("Terminals", "Chat apps"):
        choose(page.suggestions, name)
        click(qtbot, page.buttons["suggestion"])
    page.list.setCurrentRow(1)
    click(qtbot, page.buttons["delete"])
    choose(page.suggestions, "Terminals")
    click(qtbot, page.buttons["suggestion"])  # a change after the delete
    page.list.setFocus()
    qtbot.waitUntil(page.list.hasFocus)

    qtbot.keyClick(page.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert saved_names() == ["Default", "Chat apps", "Terminals"]  # not the list before it
