"""Driving Settings → Engine as a user does: the page, its Add… and Edit… form, typed keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.core.engine.remote.endpoint_book import EndpointBook
from app.core.engine.remote.endpoint_file import load_endpoints, save_endpoints
from app.ui.settings.endpoint_dialog import EndpointDialog
from app.ui.settings.engine_page import EnginePage


def make_page(qtbot: QtBot, book: EndpointBook) -> EnginePage:
    save_endpoints(book)
    page = EnginePage(load_endpoints().book)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def open_add(qtbot: QtBot, page: EnginePage) -> EndpointDialog:
    """Add…: the empty form."""
    return _open_form(qtbot, page, page.add_button)


def open_edit(qtbot: QtBot, page: EnginePage) -> EndpointDialog:
    """Edit… on the selected server: the form, filled with it."""
    return _open_form(qtbot, page, page.edit_button)


def _open_form(qtbot: QtBot, page: EnginePage, button: QPushButton) -> EndpointDialog:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.add_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def fill(qtbot: QtBot, dialog: EndpointDialog, **fields: str) -> None:
    for name, text in fields.items():
        line = getattr(dialog, name)
        assert isinstance(line, QLineEdit)
        line.clear()
        qtbot.keyClicks(line, text)


def press_ok(qtbot: QtBot, dialog: EndpointDialog) -> None:
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
