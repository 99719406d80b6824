"""Where the keyboard is in Settings stays in sight.

A keyboard-only user scrolled Settings → Profiles to the bottom and pressed Alt+N: the
focus went to the Name field, out of sight at the top, and they typed on blind. Tabbing
onto the sidebar or the profiles list showed no mark at all.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.core.profiles.profile_rules import WindowIdentity
from app.core.settings import Settings
from app.ui.settings.profiles_page import PROFILES_PAGE, ProfilesPage
from app.ui.settings.settings_dialog import SettingsDialog

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def _in_sight(widget: QWidget, scroll: QScrollArea) -> bool:
    viewport = scroll.viewport()
    corner = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(corner, widget.size()))


def test_alt_n_at_the_bottom_of_the_profile_form_scrolls_up_to_the_name(qtbot: QtBot) -> None:
    page = ProfilesPage(last_window=lambda: WindowIdentity("xterm", "XTerm", "user@host: ~"))
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], profiles_page=page)
    qtbot.addWidget(dialog)
    dialog.resize(760, 420)  # a small screen: the form scrolls
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.show_page(PROFILES_PAGE)
    qtbot.mouseClick(page.buttons["last_app"], Qt.MouseButton.LeftButton)
    form_scroll = next(s for s in page.findChildren(QScrollArea) if s.widget() is page.form)
    bar = form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    assert not _in_sight(page.form.name_edit, form_scroll)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(page.list, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.form.name_edit.hasFocus)
    assert _in_sight(page.form.name_edit, form_scroll)


def test_the_sidebar_and_the_profiles_list_are_framed_while_they_have_the_focus(
    qtbot: QtBot,
) -> None:
    page = ProfilesPage(last_window=lambda: None)
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], profiles_page=page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.show_page(PROFILES_PAGE)
    elsewhere = page.buttons["last_app"]
    for pane in (dialog.pages, page.list):
        elsewhere.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(elsewhere.hasFocus)
        assert pane.foregroundRole() != QPalette.ColorRole.Highlight
        pane.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(pane.hasFocus)
        assert pane.foregroundRole() == QPalette.ColorRole.Highlight
