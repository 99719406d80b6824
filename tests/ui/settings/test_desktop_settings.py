"""Settings in the running desktop app: bad values at start, and changes that apply themselves.

In-process and offscreen, with a fake sound device and the real tiny.en model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.model_registry import bundled_model_path
from app.core.hotkeys.chord import parse_chord
from app.core.paths import models_dir
from app.core.settings import setting_fields
from app.core.settings_file import load_settings, settings_path
from app.main import DesktopApp
from app.ui.settings.settings_applier import (
    AFTER_RESTART,
    APPLIED_AT_ONCE,
    READ_WHEN_USED,
    open_settings,
)
from tests.fakes.fake_sounddevice import FakeSoundDevice

pytestmark = [
    pytest.mark.gui,
    pytest.mark.model,
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
]


def _write_settings(values: dict[str, object]) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema_version": 1, **values}), encoding="utf-8")


@pytest.fixture
def desktop(qtbot: QtBot, offscreen: None) -> Iterator[DesktopApp]:
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(16_000, np.float32)))
    qtbot.waitUntil(lambda: app.parts.window.model_status == "ready", timeout=30_000)
    yield app
    app.shutdown()


def test_every_setting_says_when_it_takes_effect() -> None:
    groups = [set(APPLIED_AT_ONCE), set(AFTER_RESTART), set(READ_WHEN_USED)]
    assert sum(len(group) for group in groups) == len(set().union(*groups))  # disjoint
    assert set().union(*groups) == {setting.name for setting in setting_fields()}


# Values of the right type that validation accepted, or that fail only later, at use.
BAD_BUT_PLAUSIBLE = [
    {"hotkey": "shift+a"},  # once accepted by settings, then crashed the hotkey listener
    {"hotkey": "ctrl+ctrl+a"},
    {"model": "no-such-model"},
    {"model": "/nonexistent/model/folder"},
    {"input_device": "A microphone that is not there"},
    {"export_folder": "/nonexistent/folder"},
    {"language": "zz"},
    {"device": "cuda"},  # no GPU on this machine
    {"compute_type": "float16"},  # a GPU type on the CPU
]
# Every setting of the wrong type at once: each one is refused alone by the loader's own
# tests (tests/test_settings_file.py); here the app must start with all of them.
WRONG_TYPE = [
    {"schema_version": {"not": "valid"}},  # alone: it decides how the rest is read
    {s.name: {"not": "valid"} for s in setting_fields() if s.name != "schema_version"},
]


@pytest.mark.parametrize(
    "values",
    BAD_BUT_PLAUSIBLE + WRONG_TYPE,
    ids=lambda values: f"{next(iter(values))}" if len(values) == 1 else "every-setting-wrong",
)
def test_a_bad_setting_at_start_shows_a_notice_and_the_app_runs(
    qtbot: QtBot, offscreen: None, values: dict[str, object]
) -> None:
    _write_settings(values)
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        window = app.parts.window
        assert window.isVisible()
        assert app.handle_command("status", []).ok
        if values in WRONG_TYPE or "hotkey" in values or "model" in values:
            assert window.notice.isVisible()
            assert window.notice.label.text()
        if len(values) > 1:  # the notice names what it replaced
            assert all(name in window.notice.label.text() for name in ("hotkey", "language"))
        assert app.parts.hotkeys.chord == parse_chord(app.parts.settings.hotkey)
    finally:
        app.shutdown()


def test_changed_settings_take_effect_without_a_restart(qtbot: QtBot, desktop: DesktopApp) -> None:
    parts = desktop.parts
    old = parts.settings
    qtbot.waitUntil(lambda: parts.microphone.is_open)  # keep_mic_open is on by default
    new = old.replace(
        hotkey="ctrl+alt+f9",
        hotkey_mode="hold",
        hold_threshold_ms=700,
        show_indicator=False,
        keep_mic_open=False,
        idle_unload_minutes=-1,
        vocabulary=("Saytype", "Kubernetes"),
        language="fr",
    )
    parts.settings_store.update(new)
    assert parts.settings is new
    assert load_settings().settings == new  # saved
    assert parts.hotkeys.chord == parse_chord("ctrl+alt+f9")
    assert parts.hotkeys.hold_threshold_s == pytest.approx(0.7)
    assert "Ctrl+Alt+F9" in parts.window.record.toolTip()
    assert parts.indicator.enabled is False
    live = parts.window.live
    assert live.placeholderText() == "Hold Ctrl+Alt+F9, or press Record, and speak."
    parts.settings_store.update(new.replace(hotkey_mode="toggle"))
    assert live.placeholderText() == "Tap Ctrl+Alt+F9, or press Record, and speak."
    parts.settings_store.update(new)
    # Nobody needs the pre-roll: the device is freed (in the microphone's lane).
    qtbot.waitUntil(lambda: not parts.microphone.is_open)
    assert parts.idle_unloader is not None
    assert not parts.idle_unloader.pending
    assert parts.controller.settings is new
    assert parts.pipeline.language == "fr"  # the next dictation's
    assert not parts.window.notice.isVisible() or "restart" not in parts.window.notice.label.text()


def test_a_failed_save_is_shown_and_the_settings_still_apply(
    desktop: DesktopApp,
) -> None:
    parts = desktop.parts
    settings_path().unlink(missing_ok=True)
    settings_path().mkdir(parents=True)  # a folder where the file goes: the rename fails
    parts.settings_store.update(parts.settings.replace(show_indicator=False))
    assert parts.indicator.enabled is False
    assert "Could not save settings to " in parts.window.notice.label.text()


def test_a_setting_that_needs_a_restart_says_so(desktop: DesktopApp) -> None:
    parts = desktop.parts
    running = parts.settings
    parts.settings_store.update(running.replace(model="base.en"))
    assert parts.window.notice.isVisible()
    assert "after Saytype restarts" in parts.window.notice.label.text()
    # Back to the model that runs: nothing waits for a restart any more.
    parts.settings_store.update(running.replace(model="base.en", language="de"))
    assert "after Saytype restarts" in " ".join(parts.window.notice.messages)
    parts.settings_store.update(running.replace(language="de"))
    assert not any("after Saytype restarts" in m for m in parts.window.notice.messages)


def test_the_missing_model_notice_goes_once_another_model_is_chosen(
    qtbot: QtBot, offscreen: None
) -> None:
    _write_settings({"model": "small.en"})  # never downloaded here
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        notice = app.parts.window.notice
        assert (
            "The model small.en is not on this computer, so Saytype uses the bundled tiny.en. "
            "Download it again in Settings → Downloaded models, or choose another in Settings → "
            "Model."
        ) in notice.messages
        parts = app.parts
        parts.settings_store.update(parts.settings.replace(model="tiny.en"))
        assert not any("small.en" in message for message in notice.messages)  # stale now
    finally:
        app.shutdown()


@pytest.mark.model
def test_removing_the_model_in_use_chooses_the_bundled_one_and_says_so(
    qtbot: QtBot, offscreen: None
) -> None:
    # A new user removed the model Settings used; OK saved it, and the next start failed.
    installed = models_dir() / "base.en"
    shutil.copytree(bundled_model_path(), installed)  # a model folder as a download leaves it
    _write_settings({"model": "base.en"})
    app = DesktopApp.build(sounddevice_backend=FakeSoundDevice(np.zeros(1600, np.float32)))
    try:
        parts = app.parts
        open_settings(parts)
        qtbot.waitUntil(lambda: parts.settings_dialog is not None, timeout=30_000)
        dialog = parts.settings_dialog
        assert dialog is not None
        page = dialog.models_page
        assert page is not None
        page.select("base.en")
        box = page.ask_to_remove()
        assert box is not None
        assert box.text().endswith("It is the model in use: the bundled one will take its place.")
        (remove,) = [button for button in box.buttons() if button.text() == "&Remove"]
        with qtbot.waitSignal(box.finished):
            remove.click()
        assert not installed.exists()
        assert page.message.text() == (
            "Removed base.en, the model in use: Settings → Model now says tiny.en; press OK to "
            "keep that."
        )
        dialog.accept()
        assert load_settings().settings.model == "tiny.en"
    finally:
        app.shutdown()


def test_settings_opens_again_on_the_page_it_was_closed_on(
    qtbot: QtBot, desktop: DesktopApp
) -> None:
    # OK from Audio reopened Settings on its first page; the user had to find Audio again.
    parts = desktop.parts
    for close in ("accept", "reject"):
        open_settings(parts)
        qtbot.waitUntil(lambda: parts.settings_dialog is not None, timeout=30_000)
        dialog = parts.settings_dialog
        assert dialog is not None
        pages = dialog.page_names()
        wanted = pages[2] if close == "accept" else pages[4]
        dialog.show_page(wanted)
        with qtbot.waitSignal(dialog.finished):
            getattr(dialog, close)()
        qtbot.waitUntil(lambda: parts.settings_dialog is None)
        open_settings(parts)
        qtbot.waitUntil(lambda: parts.settings_dialog is not None, timeout=30_000)
        reopened = parts.settings_dialog
        assert reopened is not None
        assert reopened.current_page() == wanted
        with qtbot.waitSignal(reopened.finished):
            reopened.reject()
        qtbot.waitUntil(lambda: parts.settings_dialog is None)
