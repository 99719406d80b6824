"""Settings' page keys pressed on a real X server, as xdotool types them.

Ctrl+Shift+Tab did nothing on X11: one press matched two of the dialog's shortcuts
(Ctrl+Shift+Tab and Ctrl+Backtab), and Qt fires neither of an ambiguous pair. Qt's
test key events match only one, so the offscreen tests never saw it.
"""

from __future__ import annotations

import select
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration, pytest.mark.gui]

_DIALOG = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.core.settings import Settings
from app.ui.settings.settings_dialog import SettingsDialog
app = QApplication([])
dialog = SettingsDialog(Settings(), [], ["tiny.en"])
dialog.pages.currentRowChanged.connect(lambda row: print(row, flush=True))
dialog.show()
def ready():  # once mapped: the X server refuses the focus to a window it does not show
    handle = dialog.windowHandle()
    if handle is not None and handle.isExposed():
        print("ready", int(dialog.winId()), flush=True)
    else:
        QTimer.singleShot(20, ready)
QTimer.singleShot(0, ready)
app.exec()
"""


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    with running_xvfb() as server:
        yield server


def _line(process: subprocess.Popen[str], timeout_s: float = 20.0) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    assert ready, "the dialog said nothing"
    return process.stdout.readline().strip()


def test_ctrl_tab_and_ctrl_shift_tab_turn_the_pages(xserver: XServer) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", _DIALOG],
        env=xserver.env(QT_QPA_PLATFORM="xcb"),
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            word, window = _line(process).split()
            assert word == "ready"
            keys = ["xdotool", "windowfocus", "--sync", window, "key", "--delay", "50"]
            subprocess.run([*keys, "ctrl+Tab"], env=xserver.env(), check=True, timeout=20)
            assert _line(process) == "1"
            subprocess.run([*keys, "ctrl+shift+Tab"], env=xserver.env(), check=True, timeout=20)
            assert _line(process) == "0"
        finally:
            process.kill()
