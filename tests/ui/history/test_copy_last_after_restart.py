"""Copy last copies the newest dictation the user still has: after a restart, after a delete."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.output.history import HistoryStore
from app.main import DesktopApp
from app.ui.dictation.dictation_controller import DictationController
from app.ui.shell.last_dictation import LastDictation
from app.ui.shell.main_window import MainWindow
from app.ui.shell.tray import Tray
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.controller_rig import build_rig
from tests.ui.history.test_undo_delete import delete_with_the_key

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def test_the_newest_history_entry_is_the_last_text(qtbot: QtBot, tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as before_restart:
        before_restart.add("An older dictation.", 1.0, "tiny.en")
        before_restart.add("The newest dictation.", 2.0, "tiny.en")
    rig = build_rig(tmp_path, [])  # the same history file, as after a restart
    try:
        assert rig.controller.last_text == ""
        LastDictation(rig.controller, rig.history, lambda _has: None).restore()
        assert rig.controller.last_text == "The newest dictation."
        assert rig.controller.copy_last()
        assert rig.delivery.clipboard == "The newest dictation."
    finally:
        rig.close()


def test_an_empty_or_missing_history_leaves_nothing_to_copy(qtbot: QtBot, tmp_path: Path) -> None:
    rig = build_rig(tmp_path, [])
    try:
        LastDictation(rig.controller, rig.history, lambda _has: None).restore()
        assert rig.controller.last_text == ""
        LastDictation(rig.controller, None, lambda _has: None).restore()  # no store
        assert not rig.controller.copy_last()
    finally:
        rig.close()


def test_a_dictation_of_this_run_is_not_replaced(qtbot: QtBot, tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.add("From the history.", 1.0, "tiny.en")
    rig = build_rig(tmp_path, [])
    try:
        rig.controller.last_text = "Just dictated."
        LastDictation(rig.controller, rig.history, lambda _has: None).restore()
        assert rig.controller.last_text == "Just dictated."
    finally:
        rig.close()


@pytest.mark.model
def test_the_started_app_enables_copy_last_in_the_tray(qtbot: QtBot, offscreen: None) -> None:
    with HistoryStore() as store:  # the user's (hermetic) history from an earlier run
        store.add("Dictated yesterday.", 1.5, "tiny.en")
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        window = app.parts.window
        assert isinstance(window, MainWindow)
        qtbot.waitUntil(lambda: window.model_status == "ready", timeout=30_000)
        controller = app.parts.controller
        tray = app.parts.tray
        assert isinstance(controller, DictationController)
        assert isinstance(tray, Tray)
        assert controller.last_text == "Dictated yesterday."
        assert tray.copy_last.isEnabled()
    finally:
        app.shutdown()


@pytest.mark.model
def test_a_deleted_dictation_is_never_copied_again(qtbot: QtBot, offscreen: None) -> None:
    # A new user deleted a dictation in History, then pressed Copy last: the deleted
    # text came back on the clipboard.
    with HistoryStore() as store:
        older = store.add("Kept for tomorrow.", 1.5, "tiny.en")
        newest = store.add("Something private.", 1.5, "tiny.en")
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        controller, tray, panel = app.parts.controller, app.parts.tray, app.parts.history_panel
        assert isinstance(controller, DictationController)
        assert isinstance(tray, Tray)
        assert panel is not None
        assert controller.last_text == "Something private."

        delete_with_the_key(qtbot, panel, newest.id)
        assert controller.last_text == "Kept for tomorrow."
        panel.undo_delete_action.trigger()
        qtbot.waitUntil(lambda: controller.last_text == "Something private.")

        delete_with_the_key(qtbot, panel, newest.id)
        delete_with_the_key(qtbot, panel, older.id)
        assert controller.last_text == ""
        assert not controller.copy_last()
        assert not tray.copy_last.isEnabled()
    finally:
        app.shutdown()
