"""Enter on a focused button presses it, as Space does; elsewhere Enter is left alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.ui.shell.enter_key import EnterClicksButtons


@pytest.fixture
def enter_clicks(qapp: QApplication) -> Iterator[EnterClicksButtons]:
    installed = EnterClicksButtons(qapp)
    yield installed
    qapp.removeEventFilter(installed)
    installed.deleteLater()


def window_with(qtbot: QtBot) -> tuple[QWidget, QPushButton, QPushButton, QLineEdit]:
    window = QWidget()
    qtbot.addWidget(window)
    record, disabled, field = QPushButton("Record"), QPushButton("Re-type"), QLineEdit()
    disabled.setEnabled(False)
    for row, widget in enumerate((record, disabled, field)):
        widget.setParent(window)
        widget.setGeometry(10, 10 + 40 * row, 200, 30)
    window.resize(220, 130)
    window.show()
    qtbot.waitExposed(window)
    return window, record, disabled, field


@pytest.mark.usefixtures("enter_clicks")
@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_on_a_focused_button_presses_it(qtbot: QtBot, key: Qt.Key) -> None:
    _window, record, _disabled, _field = window_with(qtbot)
    pressed: list[bool] = []
    record.clicked.connect(lambda: pressed.append(True))
    record.setFocus()
    qtbot.waitUntil(record.hasFocus)
    qtbot.keyClick(record, key)
    qtbot.waitUntil(lambda: pressed == [True])  # animateClick: clicked a moment later


@pytest.mark.usefixtures("enter_clicks")
def test_enter_elsewhere_and_with_modifiers_is_left_alone(qtbot: QtBot) -> None:
    _window, record, disabled, field = window_with(qtbot)
    pressed: list[bool] = []
    record.clicked.connect(lambda: pressed.append(True))
    entered: list[bool] = []
    field.returnPressed.connect(lambda: entered.append(True))
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert entered == [True]  # the field's own Enter
    record.setFocus()
    qtbot.waitUntil(record.hasFocus)
    qtbot.keyClick(record, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(record, Qt.Key.Key_Space)  # Space still presses it: the one click
    qtbot.waitUntil(lambda: pressed == [True])
    disabled.setFocus()  # a disabled button takes no focus: Enter stays where it was
    qtbot.keyClick(record, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: pressed == [True, True])
