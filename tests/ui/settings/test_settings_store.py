"""Saving settings from the app keeps what was changed in the file meanwhile.

The app writes its whole copy of the settings on every change (OK in Settings, pausing
history). A setting edited in the file by hand while Saytype ran was thrown away by the
next such save. Real files here: the store reads and writes a settings file on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.settings import Settings
from app.core.settings_file import load_settings, peek_settings, save_settings
from app.ui.settings.settings_store import SettingsStore

pytestmark = pytest.mark.gui


def _store(path: Path) -> SettingsStore:
    return SettingsStore(
        load_settings(path).settings,
        save=lambda settings: save_settings(settings, path),
        peek=lambda: peek_settings(path),
    )


def _edit_by_hand(path: Path, **values: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, **values}, indent=2), encoding="utf-8")


def test_a_hand_edit_survives_the_next_save_from_the_app(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(sound_cues=False), path)
    store = _store(path)
    _edit_by_hand(path, hotkey_mode="toggle", language="de")

    with qtbot.waitSignal(store.changed) as changed:  # OK in a Settings window opened before
        store.update(store.current.replace(language="fr", pause_history=True))

    saved = load_settings(path).settings
    assert saved.hotkey_mode == "toggle"  # changed in the file only: kept
    assert saved.language == "fr"  # changed in both: the newer choice, the window's, wins
    assert (saved.pause_history, saved.sound_cues) == (True, False)
    assert store.current == saved
    old, new = changed.args
    assert (old.hotkey_mode, new.hotkey_mode) == ("auto", "toggle")  # the app applies it too


def test_nothing_from_a_damaged_file_is_taken(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(sound_cues=False), path)
    store = _store(path)
    path.write_text('{"hotkey_mode": "toggle", ', encoding="utf-8")  # an edit half saved

    store.update(store.current.replace(show_indicator=False))

    saved = load_settings(path).settings
    assert (saved.hotkey_mode, saved.show_indicator, saved.sound_cues) == ("auto", False, False)
