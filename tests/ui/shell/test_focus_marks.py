"""The keyboard focus is seen on lists and text panes, and follows a tab chosen by its letter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.shell.focus_marks import focus_page_on_switch, mark_focus

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def _page(parent: QWidget) -> tuple[QWidget, QTreeWidget]:
    page = QWidget(parent)
    tree = QTreeWidget(page)
    QVBoxLayout(page).addWidget(tree)
    page.focus_home = tree  # type: ignore[attr-defined]
    return page, tree


def test_a_tab_chosen_by_its_letter_takes_the_focus_into_its_page(qtbot: QtBot) -> None:
    # Alt+I showed the Files tab while the focus stayed on "Copy last": the next Delete
    # or Enter went to the button, not to the list the user was looking at.
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("Copy last", window)
    tabs = QTabWidget(window)
    history, history_list = _page(tabs)
    files, files_list = _page(tabs)
    tabs.addTab(history, "&History")
    tabs.addTab(files, "F&iles")
    layout = QVBoxLayout(window)
    layout.addWidget(button)
    layout.addWidget(tabs)
    focus_page_on_switch(tabs)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)

    qtbot.keyClick(button, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(files_list.hasFocus)
    qtbot.keyClick(files_list, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(history_list.hasFocus)


def test_a_focused_pane_is_framed_in_the_highlight_colour(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    pane = QPlainTextEdit(window)
    other = QPushButton("Elsewhere", window)
    layout = QVBoxLayout(window)
    layout.addWidget(pane)
    layout.addWidget(other)
    mark_focus(pane)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    highlight = pane.palette().color(QPalette.ColorRole.Highlight)

    def left_edge() -> tuple[int, int, int]:
        color = pane.grab().toImage().pixelColor(0, pane.height() // 2)
        return color.red(), color.green(), color.blue()

    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    assert left_edge() != (highlight.red(), highlight.green(), highlight.blue())
    pane.setFocus()
    qtbot.waitUntil(pane.hasFocus)
    assert left_edge() == (highlight.red(), highlight.green(), highlight.blue())
