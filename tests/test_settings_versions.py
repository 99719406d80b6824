"""Settings files of other versions: older ones migrate, a newer one is read and kept."""

from __future__ import annotations

import json
import stat

import pytest

from app.core.settings import SCHEMA_VERSION, Settings
from app.core.settings_file import load_settings, save_settings, settings_path
from app.core.settings_migrations import MIGRATIONS, migrate, migrate_0_to_1
from tests.test_settings import write_json


def test_migration_table_covers_every_old_version() -> None:
    assert sorted(MIGRATIONS) == list(range(SCHEMA_VERSION))


def test_migration_0_to_1_renames_shortcut_and_converts_paste_flag() -> None:
    assert migrate_0_to_1(
        {"shortcut": "Ctrl+Alt+D", "paste_into_focused": False, "model": "x"}
    ) == {
        "schema_version": 1,
        "hotkey": "Ctrl+Alt+D",
        "output": "clipboard",
        "model": "x",
    }
    assert migrate_0_to_1({"paste_into_focused": True})["output"] == "focused_app"
    assert migrate_0_to_1({}) == {"schema_version": 1}
    assert migrate({"schema_version": 1, "shortcut": "kept"}) == {
        "schema_version": 2,
        "shortcut": "kept",
    }


def test_version_0_file_loads_through_the_migration() -> None:
    write_json(settings_path(), {"shortcut": "Ctrl+Alt+D", "paste_into_focused": False})
    loaded = load_settings()
    assert loaded.notice is None
    assert loaded.settings.hotkey == "ctrl+alt+d"
    assert loaded.settings.output == "clipboard"
    assert loaded.settings.schema_version == SCHEMA_VERSION


def test_the_old_default_replacement_goes_and_the_users_own_stay() -> None:
    # "say type" = "Saytype" also rewrote "when I say type it again" (decision 0057).
    write_json(settings_path(), {"schema_version": 1, "replacements": [["say type", "Saytype"]]})
    loaded = load_settings()
    assert loaded.notice is None
    assert loaded.settings.replacements == ()
    own = [["say type", "Saytype"], ["gonna", "going to"]]
    write_json(settings_path(), {"schema_version": 1, "replacements": own})
    assert load_settings().settings.replacements == (("say type", "Saytype"), ("gonna", "going to"))


def test_version_0_file_with_an_unusable_shortcut_says_so() -> None:
    write_json(settings_path(), {"shortcut": "Ctrl+", "paste_into_focused": "maybe"})
    loaded = load_settings()
    assert loaded.settings.hotkey == Settings().hotkey
    assert loaded.settings.output == Settings().output
    assert loaded.notice is not None
    assert "hotkey" in loaded.notice
    assert "output" in loaded.notice


def test_newer_file_loads_what_it_understands(caplog: pytest.LogCaptureFixture) -> None:
    write_json(
        settings_path(),
        {"schema_version": 7, "hotkey": "alt+f9", "pre_roll_ms": 500, "hologram": True},
    )
    caplog.set_level("INFO", logger="app.core.settings_file")
    loaded = load_settings()
    assert loaded.settings.hotkey == "alt+f9"
    assert loaded.settings.pre_roll_ms == 500
    assert loaded.settings.schema_version == SCHEMA_VERSION
    assert loaded.notice is not None
    assert "newer version" in loaded.notice
    assert any("hologram" in r.getMessage() and r.levelname == "INFO" for r in caplog.records)


def test_saving_over_a_newer_file_keeps_a_copy_of_it_first() -> None:
    newer = {"schema_version": 7, "hotkey": "alt+f9", "hologram": True}
    write_json(settings_path(), newer)
    loaded = load_settings()
    copy = settings_path().with_name("settings-format-7.json")
    assert loaded.notice is not None
    assert f"a copy of it is kept as {copy}" in loaded.notice
    save_settings(loaded.settings)  # this version writes its own format
    assert json.loads(copy.read_text(encoding="utf-8")) == newer  # what it alone knew is kept
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    write_json(settings_path(), {**newer, "hotkey": "alt+f10"})
    load_settings()
    assert json.loads(copy.read_text(encoding="utf-8")) == newer  # the first copy stays


def test_unknown_keys_in_a_current_file_are_ignored_quietly() -> None:
    write_json(settings_path(), {"schema_version": 1, "added_later": 1, "model": "base.en"})
    loaded = load_settings()
    assert loaded.settings.model == "base.en"
    assert loaded.notice is None
