"""The settings dialog's pages fit a small laptop screen and are driven from the keyboard.

One page per settings section, chosen in a sidebar; each page scrolls on its
own so OK / Cancel stay visible. Screenshots of every page go to tmp_path, or to
docs/screenshots when SAYTYPE_SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.engine.model_download import HubAccess
from app.core.engine.remote.endpoint_book import EndpointBook
from app.core.settings import Settings, setting_fields
from app.ui.settings.engine_page import EnginePage
from app.ui.settings.models_page import ModelsPage
from app.ui.settings.profiles_page import ProfilesPage
from app.ui.settings.settings_dialog import MODELS_PAGE, SettingsDialog
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    # Qt's offscreen platform warns whenever a dialog is shown; harmless, and not our message.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
# A 1280x720 laptop less a panel: what the dialog must fit at its smallest and at first.
SMALL_SCREEN = QSize(1280, 700)
LARGEST_MINIMUM = QSize(1200, 650)


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> SettingsDialog:
    models = ModelsPage(tmp_path / "models", HubAccess.from_environment(os.environ))
    made = SettingsDialog(
        Settings().replace(export_folder="/srv/transcripts", input_device="USB Headset"),
        ["Built-in Microphone", "USB Headset"],
        ["tiny.en", "base.en"],
        models_page=models,
    )
    qtbot.addWidget(made)
    return made


def shown(qtbot: QtBot, dialog: SettingsDialog) -> SettingsDialog:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def show_settled(qtbot: QtBot, dialog: SettingsDialog, name: str) -> None:
    """Show page ``name`` and wait until its layout has caught up with the dialog's size."""
    dialog.show_page(name)
    page = dialog.page_widget(name)
    if not isinstance(page, QScrollArea):  # a page made elsewhere scrolls in a holder
        qtbot.waitUntil(page.isVisible)
        holder = page.parentWidget().parentWidget() if page.parentWidget() else None
        if not isinstance(holder, QScrollArea):
            return
        page = holder
    form = page.widget()
    assert form is not None
    # Shown at the dialog's size hint, a page needs no sideways scrolling once laid out.
    qtbot.waitUntil(
        lambda: (
            form.width() == page.viewport().width() and not page.horizontalScrollBar().isVisible()
        )
    )


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_one_page_per_section_and_every_field_on_one(dialog: SettingsDialog) -> None:
    sections = list(dict.fromkeys(setting.group for setting in setting_fields()))
    assert [name for name in dialog.page_names() if name != MODELS_PAGE] == sections
    assert dialog.page_names().index(MODELS_PAGE) == dialog.page_names().index("Model") + 1
    for setting in setting_fields():
        page = dialog.page_holding(setting.name)
        assert page == setting.group
        assert dialog.page_widget(page).isAncestorOf(dialog.editor(setting.name)), setting.name
    assert dialog.page_widget(MODELS_PAGE) is dialog.models_page
    assert dialog.current_page() == sections[0]


def test_fits_a_1280_by_720_screen_with_ok_and_cancel_in_view(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    minimum, hint = dialog.minimumSizeHint(), dialog.sizeHint()
    assert minimum.width() <= LARGEST_MINIMUM.width(), minimum
    assert minimum.height() <= LARGEST_MINIMUM.height(), minimum
    assert hint.width() <= SMALL_SCREEN.width(), hint
    assert hint.height() <= SMALL_SCREEN.height(), hint
    shown(qtbot, dialog)
    dialog.resize(dialog.minimumSizeHint())
    for name in dialog.page_names():
        dialog.show_page(name)
        qtbot.waitUntil(dialog.page_widget(name).isVisible)
        for which in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel):
            button = dialog.button_box().button(which)
            top_left = button.mapTo(dialog, QPoint(0, 0))
            assert button.isVisible()
            assert dialog.rect().contains(QRect(top_left, button.size())), (name, which)


def test_every_page_scrolls_so_the_dialog_fits_a_screen_scaled_twice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A 1600x1000 screen at 2x is 800x500 for Qt: the models, profiles and engine pages
    # once made the dialog 887 px wide at the least, OK and Cancel past the screen's edge.
    made = SettingsDialog(
        Settings(),
        ["Built-in Microphone"],
        ["tiny.en"],
        models_page=ModelsPage(tmp_path / "models", HubAccess.from_environment(os.environ)),
        profiles_page=ProfilesPage(path=tmp_path / "profiles.json"),
        engine_page=EnginePage(EndpointBook()),
    )
    qtbot.addWidget(made)
    minimum = made.minimumSizeHint()
    assert minimum.width() <= 760, minimum
    assert minimum.height() <= 480, minimum
    assert made.page_widget(MODELS_PAGE) is made.models_page  # still found by its name


def test_ctrl_page_down_and_up_and_ctrl_tab_switch_pages(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    shown(qtbot, dialog)
    names = dialog.page_names()
    dialog.pages.setFocus()
    qtbot.waitUntil(dialog.pages.hasFocus)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_PageDown, CTRL)
    assert dialog.current_page() == names[1]
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Tab, CTRL)
    assert dialog.current_page() == names[2]
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert dialog.current_page() == names[1]
    qtbot.keyClick(dialog.pages, Qt.Key.Key_PageUp, CTRL)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_PageUp, CTRL)
    assert dialog.current_page() == names[-1]  # wraps round, as tabs do
    assert dialog.pages.hasFocus()  # the sidebar keeps the focus it had
    # Arrow keys in the sidebar choose pages too.
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Home)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Down)
    assert dialog.current_page() == names[1]


def test_switching_from_inside_a_page_moves_to_the_new_page_first_field(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    shown(qtbot, dialog)
    mode = dialog.editor("hotkey_mode")
    mode.setFocus()
    qtbot.waitUntil(mode.hasFocus)
    qtbot.keyClick(mode, Qt.Key.Key_PageDown, CTRL)
    assert dialog.current_page() == "Output"
    qtbot.waitUntil(dialog.editor("output").hasFocus)


def test_tab_walks_sidebar_then_the_page_fields_then_the_buttons(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    shown(qtbot, dialog)
    dialog.show_page("Files")
    dialog.pages.setFocus()
    qtbot.waitUntil(dialog.pages.hasFocus)
    walked: list[str] = []
    while focused() is not dialog.button_box().button(QDialogButtonBox.StandardButton.Cancel):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        walked.append(focused().objectName() or focused().text())  # type: ignore[attr-defined]
        assert len(walked) < 20, walked
    fields = [name for name in walked if name in {s.name for s in setting_fields()}]
    assert fields == ["file_batch_size", "export_folder", "file_spoken_commands", "export_format"]
    assert walked.index("export_folder") + 1 == walked.index("&Browse…")


def test_alt_letter_reaches_a_field_of_the_shown_page_only(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    shown(qtbot, dialog)
    dialog.show_page("Text")
    page = dialog.page_widget("Text")
    texts = [label.text() for label in page.findChildren(QLabel) if "&" in label.text()]
    texts += [box.text() for box in page.findChildren(QCheckBox)]
    letters = {re.search("&(.)", text).group(1).lower() for text in texts}  # type: ignore[union-attr]
    vocabulary = next(label for label in page.findChildren(QLabel) if "Special" in label.text())
    letter = re.search("&(.)", vocabulary.text()).group(1).upper()  # type: ignore[union-attr]
    dialog.pages.setFocus()
    qtbot.waitUntil(dialog.pages.hasFocus)
    qtbot.keyClick(dialog.pages, Qt.Key(ord(letter)), ALT)
    qtbot.waitUntil(dialog.editor("vocabulary").hasFocus)
    if "h" not in letters:  # Alt+H is the Hotkey's on the hidden Dictation page
        qtbot.keyClick(focused(), Qt.Key.Key_H, ALT)
        assert not dialog.editor("hotkey").hasFocus()
        assert dialog.current_page() == "Text"


def test_pages_and_fields_have_accessible_names(dialog: SettingsDialog) -> None:
    assert dialog.pages.accessibleName()
    assert "Page Down" in dialog.pages.accessibleDescription()
    for name in dialog.page_names():
        assert name in dialog.page_widget(name).accessibleName()
    for setting in setting_fields():
        editor = dialog.editor(setting.name)
        assert editor.accessibleName() == setting.label
        assert editor.accessibleDescription() == setting.description
    assert dialog.browse_button.accessibleName()


def test_descriptions_are_shown_and_special_numbers_read_as_words(
    dialog: SettingsDialog,
) -> None:
    for setting in setting_fields():
        page = dialog.page_widget(setting.group)
        descriptions = [label.text() for label in page.findChildren(QLabel)]
        assert setting.description in descriptions, setting.name
    words = {"file_batch_size": "Off (from start to end)", "cpu_threads": "Automatic"}
    words |= {"idle_unload_minutes": "Never", "pre_roll_ms": "None"}
    for name, text in words.items():
        spin = dialog.editor(name)
        assert isinstance(spin, QSpinBox)
        spin.setValue(spin.minimum())
        assert spin.text() == text, name
    batch = dialog.editor("file_batch_size")
    assert isinstance(batch, QSpinBox)
    batch.setValue(4)
    assert dialog.result_settings().file_batch_size == 4


def test_browse_picks_the_export_folder(
    qtbot: QtBot, dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[tuple[str, str]] = []
    answers = iter([str(tmp_path / "transcripts"), ""])  # a folder, then Cancel

    def pick(parent: QWidget, caption: str, start: str) -> str:
        assert parent is dialog
        asked.append((caption, start))
        return next(answers)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", pick)
    shown(qtbot, dialog)
    dialog.show_page(dialog.page_holding("export_folder"))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    folder = dialog.editor("export_folder")
    assert isinstance(folder, QLineEdit)
    assert folder.text() == str(tmp_path / "transcripts")
    assert asked == [("Save transcripts in", "/srv/transcripts")]
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)  # cancelled
    assert dialog.result_settings().export_folder == str(tmp_path / "transcripts")


def test_screenshots_of_every_page(qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path) -> None:
    shown(qtbot, dialog)
    dialog.resize(dialog.sizeHint())
    saved = []
    for name in dialog.page_names():
        show_settled(qtbot, dialog, name)
        slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
        saved.append(save_screenshot(dialog, f"settings-{slug}.png", tmp_path))
    assert [path.name for path in saved][:2] == ["settings-dictation.png", "settings-output.png"]


def test_the_buttons_have_alt_letters_and_ctrl_return_accepts(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    box = dialog.button_box()
    texts = [
        box.button(which).text()
        for which in (
            QDialogButtonBox.StandardButton.Ok,
            QDialogButtonBox.StandardButton.Cancel,
            QDialogButtonBox.StandardButton.RestoreDefaults,
        )
    ]
    assert texts == ["&OK", "&Cancel", "Restore &Defaults"]
    dialog.show()
    threshold = dialog.editor("hold_threshold_ms")  # not the hotkey field: it takes any chord
    threshold.setFocus()
    qtbot.waitUntil(threshold.hasFocus)
    with qtbot.waitSignal(dialog.settings_accepted) as accepted:
        qtbot.keyClick(threshold, Qt.Key.Key_Return, CTRL)
    assert accepted.args == [dialog.result_settings()]
