"""Pause history: dictations are still delivered, but nothing about them is written to disk.

The controller part runs the real worker thread, ring buffer and sqlite history
with the scripted pipeline (as tests/ui/dictation/test_dictation_controller.py does); the
menu part runs the whole desktop app offscreen with the real tiny.en.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.paths import data_dir
from app.core.settings import Settings
from app.core.settings_file import load_settings
from app.main import DesktopApp
from app.ui.dictation.dictation_controller import DictationController
from app.ui.shell.main_window import MainWindow
from app.ui.shell.tray import Tray
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.controller_rig import Rig, build_rig

pytestmark = pytest.mark.gui

WORDS = ["meet", "Dr", "Novak", "about", "the", "biopsy", "results"]


@pytest.fixture
def make_rig(tmp_path: Path) -> Iterator[object]:
    made: list[Rig] = []

    def make(**settings: object) -> Rig:
        made.append(build_rig(tmp_path, WORDS, **settings))
        return made[-1]

    yield make
    for rig in made:
        rig.close()


def _dictate(qtbot: QtBot, rig: Rig) -> list[object]:
    """One whole dictation; returns the ``completed`` signal's arguments."""
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
        assert rig.controller.start(source="hotkey")
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)
        rig.controller.stop()
    return list(done.args)


def _kept_recordings() -> list[Path]:
    folder = data_dir() / "audio"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_paused_history_saves_nothing_yet_the_text_is_delivered(
    qtbot: QtBot, make_rig: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = make_rig(pause_history=True, keep_audio=True)  # type: ignore[operator]
    added: list[object] = []
    rig.controller.history_added.connect(added.append)
    assert _dictate(qtbot, rig) == ["pasted", "hotkey"]
    assert rig.delivery.typed.startswith("Meet Dr Novak")
    assert rig.history.count() == 0
    assert added == []
    assert _kept_recordings() == []  # keep_audio is on, but paused wins
    assert rig.delivery.clipboard is None  # delivery worked: no clipboard fallback
    assert rig.controller.last_text  # "Copy last" still works (memory only)
    # And the words never reached the logs, at any level.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Novak" not in logged
    assert "biopsy" not in logged


def test_window_output_while_paused_is_not_copied_to_the_clipboard(
    qtbot: QtBot, make_rig: object
) -> None:
    rig = make_rig(pause_history=True, output="window")  # type: ignore[operator]
    assert _dictate(qtbot, rig) == ["window", "hotkey"]
    assert rig.delivery.clipboard is None
    assert rig.delivery.requests == []
    assert rig.history.count() == 0


def test_resuming_saves_again_from_the_next_dictation(qtbot: QtBot, make_rig: object) -> None:
    rig = make_rig(pause_history=True, keep_audio=True)  # type: ignore[operator]
    _dictate(qtbot, rig)
    rig.controller.apply_settings(rig.controller.settings.replace(pause_history=False))
    _dictate(qtbot, rig)
    entry = rig.history.latest()
    assert rig.history.count() == 1
    assert entry is not None
    assert entry.text.startswith("Meet Dr Novak")
    assert [str(path) for path in _kept_recordings()] == [entry.audio_path]


def test_the_tray_entry_reflects_the_setting_without_echoing(qtbot: QtBot) -> None:
    tray = Tray()
    asked: list[bool] = []
    tray.pause_history_toggled.connect(asked.append)
    tray.set_history_paused(True)
    assert tray.pause_history.isChecked()
    assert asked == []  # showing the state is not a request to change it
    tray.pause_history.trigger()  # the user unchecks it
    assert asked == [False]


@pytest.mark.model
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_menus_pause_and_resume_and_the_choice_is_saved(qtbot: QtBot, offscreen: None) -> None:
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        window = app.parts.window
        tray = app.parts.tray
        controller = app.parts.controller
        assert isinstance(window, MainWindow)
        assert isinstance(tray, Tray)
        assert isinstance(controller, DictationController)
        tabs = window.side_tabs
        assert tabs.tabText(0) == "&History"

        window.pause_history_action.trigger()
        assert tabs.tabText(0) == "&History (paused)"
        assert tray.pause_history.isChecked()
        assert controller.settings.pause_history
        assert load_settings().settings.pause_history  # kept across restarts

        tray.pause_history.trigger()
        assert tabs.tabText(0) == "&History"
        assert not window.pause_history_action.isChecked()
        assert not controller.settings.pause_history
        assert not load_settings().settings.pause_history
    finally:
        app.shutdown()


@pytest.mark.model
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_saved_pause_shows_at_start(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.settings_file import save_settings

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    save_settings(Settings(pause_history=True))
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        window = app.parts.window
        assert isinstance(window, MainWindow)
        assert window.side_tabs.tabText(0) == "&History (paused)"
        assert window.pause_history_action.isChecked()
    finally:
        app.shutdown()
