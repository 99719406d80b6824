"""Every Settings page walked with Tab alone: each stop is named, and Tab always gets out.

A helper using only the keyboard pressed Tab 72 times in the models table and never reached
Download or OK (a table moves between its cells on Tab), and met unnamed stops (the pages'
scroll areas) that a screen reader announces as nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.core.engine.model_download import HubAccess
from app.core.engine.remote.endpoint_book import EndpointBook
from app.core.settings import Settings
from app.ui.settings.engine_page import EnginePage
from app.ui.settings.models_page import ModelsPage
from app.ui.settings.profiles_page import ProfilesPage
from app.ui.settings.settings_dialog import SettingsDialog

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

MOST_STOPS = 80  # more than any page has: a walk this long is stuck


def spoken_name(widget: QWidget) -> str:
    """What a screen reader says for ``widget``: its accessible name, or a button's text."""
    if widget.accessibleName():
        return widget.accessibleName()
    return widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else ""


def walk(qtbot: QtBot, start: QWidget, until: QWidget) -> list[QWidget]:
    """Tab from ``start`` until ``until`` has the focus; every widget met on the way."""
    met: list[QWidget] = []
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    for _ in range(MOST_STOPS):
        focused = QApplication.focusWidget()
        assert focused is not None
        if focused is until:
            return met
        met.append(focused)
        qtbot.keyClick(focused, "\t")
    names = [f"{type(w).__name__} {spoken_name(w)!r}" for w in met[-12:]]
    raise AssertionError(f"Tab never reached {spoken_name(until)!r}; last stops: {names}")


def test_tab_walks_every_page_to_ok_and_names_each_stop(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(
        Settings(),
        [],
        ["tiny.en"],
        profiles_page=ProfilesPage(),
        models_page=ModelsPage(tmp_path / "models", HubAccess.from_environment({})),
        engine_page=EnginePage(EndpointBook()),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    ok = dialog.button_box().button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    for name in dialog.page_names():
        dialog.show_page(name)
        met = walk(qtbot, dialog.pages, ok)
        unnamed = [type(widget).__name__ for widget in met if not spoken_name(widget)]
        assert unnamed == [], name
        assert len(met) > 1, name  # the page's own fields were on the way


def test_tab_on_the_profiles_page_follows_the_screen(qtbot: QtBot) -> None:
    # Tab went from the list through the whole form, then back to the list's buttons, with
    # Save profile (under the form) among them: a keyboard user pressed Import… by mistake.
    page = ProfilesPage(last_window=lambda: None)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    met = walk(qtbot, page.list, page.buttons["save"])
    buttons = ("last_app", "suggestion", "up", "down", "delete", "import", "export")
    column = [page.list, *(page.buttons[name] for name in buttons)]
    column.insert(2, page.suggestions)
    column = [widget for widget in column if widget.isEnabled()]  # Tab passes disabled ones
    assert [spoken_name(w) for w in met[: len(column)]] == [spoken_name(w) for w in column]
    assert all(page.form.isAncestorOf(widget) for widget in met[len(column) :])
