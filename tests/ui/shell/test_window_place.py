"""The main window opens at the size and place it had when it was last hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from app.ui.shell.window_place import WindowPlace

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def _window(qtbot: QtBot, path: Path) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(600, 400)  # a default (the offscreen screen is 800 pixels wide)
    WindowPlace(window, path)
    return window


def test_the_size_the_user_gave_it_comes_back_at_the_next_start(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A new user widened the window to read the file names; each start made it small again.
    path = tmp_path / "config" / "window-geometry"
    first = _window(qtbot, path)
    first.show()
    qtbot.waitExposed(first)
    first.resize(720, 520)
    qtbot.waitUntil(lambda: first.size() == QSize(720, 520))
    first.hide()  # closed to the tray, or quitting
    assert path.stat().st_size > 0

    again = _window(qtbot, path)
    assert again.size() == QSize(720, 520)


@pytest.mark.parametrize("content", [b"", b"not a geometry", b"\x01" * 10_000])
def test_a_damaged_file_leaves_the_default_size(
    qtbot: QtBot, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "window-geometry"
    path.write_bytes(content)
    assert _window(qtbot, path).size() == QSize(600, 400)


def test_a_folder_it_cannot_write_loses_only_the_place(qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    window = _window(qtbot, blocked / "window-geometry")
    window.show()
    qtbot.waitExposed(window)
    window.hide()  # logged, never raised into Qt's event loop
    assert blocked.read_text(encoding="utf-8") == "a file where the folder should be"
