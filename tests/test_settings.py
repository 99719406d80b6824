"""Settings load whatever is on disk, repair what they must, and save atomically.

Loading must never stop the app from starting: each way a file can be broken
(not JSON, not an object, unreadable, a bad value) falls back to defaults and
says so in one sentence. Saving must never leave a half-written file.
"""

from __future__ import annotations

import configparser
import dataclasses
import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from app.core.hotkeys.chord import canonical_chord
from app.core.settings import (
    SCHEMA_VERSION,
    Settings,
    SettingsError,
    apply_start_at_login,
    autostart_entry_path,
    desktop_exec_command,
    setting_fields,
)
from app.core.settings_file import LoadedSettings, load_settings, save_settings, settings_path
from app.core.settings_rules import export_folder_problem


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_settings_live_in_the_config_folder(hermetic_user_dirs: Path) -> None:
    assert settings_path() == hermetic_user_dirs / ".config" / "saytype" / "settings.json"


def test_missing_file_gives_defaults_and_no_notice() -> None:
    loaded = load_settings()
    assert loaded.settings == Settings()
    assert loaded.notice is None


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings()
    assert settings.schema_version == SCHEMA_VERSION == 2
    assert settings.hotkey == "ctrl+shift+space"
    assert (settings.hotkey_mode, settings.hold_threshold_ms) == ("auto", 300)
    assert (settings.output, settings.delivery, settings.paste_restore_delay_ms) == (
        "focused_app",
        "paste",
        500,
    )
    assert (settings.input_device, settings.keep_mic_open, settings.pre_roll_ms) == ("", True, 300)
    assert (settings.model, settings.language, settings.idle_unload_minutes) == ("tiny.en", "en", 5)
    assert not settings.type_as_i_speak
    assert not settings.keep_audio
    assert not settings.start_at_login
    assert settings.notifications
    assert settings.vocabulary == ()
    assert settings.replacements == ()  # none: a default rewrote plain English (0057)


def test_round_trip_keeps_every_value() -> None:
    changed = Settings().replace(
        hotkey="alt+f9",
        hotkey_mode="toggle",
        hold_threshold_ms=2000,
        output="window",
        delivery="type",
        paste_restore_delay_ms=0,
        type_as_i_speak=True,
        input_device="USB Mic: Audio (hw:2,0)",
        keep_mic_open=False,
        pre_roll_ms=0,
        model="/models/small é",
        language="",
        keep_audio=True,
        idle_unload_minutes=-1,
        start_at_login=True,
        notifications=False,
    )
    save_settings(changed)
    loaded = load_settings()
    assert loaded.settings == changed
    assert loaded.notice is None


def test_every_field_has_a_label_description_and_valid_default() -> None:
    fields = setting_fields()
    assert fields[0].name == "hotkey"
    assert "schema_version" not in {f.name for f in fields}
    for setting in fields:
        assert setting.label
        assert setting.description.endswith(".")
        assert setting.problem_with(setting.default) is None
        if setting.choices:
            assert all(setting.choices.values())
    ranges = {f.name: f.value_range for f in fields if f.value_range}
    assert ranges == {
        "hold_threshold_ms": (100, 2000),
        "paste_restore_delay_ms": (0, 10000),
        "pre_roll_ms": (0, 2000),
        "idle_unload_minutes": (-1, 1440),
        "cpu_threads": (0, 256),
        "file_batch_size": (0, 32),
        "cue_volume": (0, 100),
    }


def test_what_the_user_reads_is_in_plain_words() -> None:
    """Labels, descriptions and choices avoid engine terms, JSON keys and bare numbers."""
    jargon = ("batch", "threshold", "pre-roll", "weight", "cuda", "-1", "faster-whisper", "jargon")
    for setting in setting_fields():
        shown = [setting.label, setting.description, *(setting.choices or {}).values()]
        for text in shown:
            if "_" in setting.name:  # a key such as cpu_threads is for the file, not the user
                assert setting.name not in text, text
            for term in jargon:
                assert term not in text.lower(), (setting.name, text)
        assert not setting.label.startswith("0"), setting.label


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"{not json", "damaged"),
        (b"\xff\xfe\x00garbage", "damaged"),
        (b"[1, 2, 3]", "damaged"),
        (b'"a string"', "damaged"),
        (b"", "damaged"),
    ],
)
def test_corrupt_file_is_backed_up_and_defaults_used(content: bytes, what: str) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    older = path.with_name("settings.json.bak")
    older.write_text("an older backup", encoding="utf-8")
    path.write_bytes(content)

    loaded = load_settings()

    assert loaded.settings == Settings()
    assert not path.exists()
    assert older.read_text(encoding="utf-8") == "an older backup"  # never replaced
    backup = path.with_name("settings.json.bak.2")
    assert backup.read_bytes() == content
    assert loaded.notice is not None
    assert str(backup) in loaded.notice
    assert what in loaded.notice
    assert loaded.notice.count(". ") == 0  # one sentence


def test_a_file_cut_short_keeps_the_settings_before_the_cut() -> None:
    # A full disk or a crash in another program left half a file: the special words
    # the user typed in must not go with the damaged half.
    default = Settings()
    chosen = Settings(
        vocabulary=("Maria", "Saytype"),
        cue_volume=40,
        capitalize_first=not default.capitalize_first,
    )
    path = settings_path()
    save_settings(chosen)
    whole = path.read_bytes()
    cut = whole.index(b'"capitalize_first"') + len(b'"capitalize_first": f')
    path.write_bytes(whole[:cut])

    loaded = load_settings()

    assert loaded.settings.vocabulary == ("Maria", "Saytype")
    assert loaded.settings.cue_volume == 40
    assert loaded.settings.capitalize_first == default.capitalize_first  # its value was cut
    assert loaded.notice is not None
    assert str(path.with_name("settings.json.bak")) in loaded.notice
    assert "kept the " in loaded.notice
    assert loaded.notice.count(". ") == 0  # one sentence
    assert path.with_name("settings.json.bak").read_bytes() == whole[:cut]
    # Saved again at once: the next start has them even if nothing else changes.
    assert load_settings() == LoadedSettings(loaded.settings, None)


def test_a_file_cut_after_its_version_keeps_no_settings_and_says_no_number() -> None:
    """A new user read "Saytype kept the 0 settings it could read before the damage"."""
    path = settings_path()
    save_settings(Settings())
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.index(b'"schema_version": 2') + len(b'"schema_version": 2,')])
    loaded = load_settings()
    assert loaded.settings == Settings()
    assert loaded.notice is not None
    assert "was damaged" in loaded.notice
    assert "0 settings" not in loaded.notice
    assert "kept" not in loaded.notice


def test_unreadable_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()  # reading a folder fails with IsADirectoryError, whoever runs the test
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.notice is not None
    assert "could not be read" in loaded.notice
    assert (tmp_path / "settings.json.bak").is_dir()


@pytest.mark.parametrize(
    ("name", "bad_value"),
    [
        ("hotkey", "ctrl+shift"),
        ("hotkey", 42),
        # Grabbed globally, these would stop copying and pasting in every app.
        ("hotkey", "ctrl+c"),
        ("hotkey", "Control+V"),
        ("hotkey", "alt+tab"),
        ("hotkey_mode", "sometimes"),
        ("hold_threshold_ms", 99),
        ("hold_threshold_ms", 2001),
        ("hold_threshold_ms", "300"),
        ("hold_threshold_ms", 300.0),
        ("hold_threshold_ms", True),
        ("output", "printer"),
        ("delivery", None),
        ("paste_restore_delay_ms", -1),
        ("paste_restore_delay_ms", 10001),
        ("type_as_i_speak", 1),
        ("type_as_i_speak", "yes"),
        ("input_device", 3),
        ("keep_mic_open", None),
        ("pre_roll_ms", 2001),
        ("model", ""),
        ("language", "English"),
        ("language", "xx"),  # shaped like a code, but no language Whisper knows
        ("keep_audio", "false"),
        ("idle_unload_minutes", -2),
        ("idle_unload_minutes", 1441),
        ("start_at_login", [True]),
        ("notifications", {}),
    ],
)
def test_invalid_value_falls_back_to_its_default_only(name: str, bad_value: object) -> None:
    good = "hold_threshold_ms" if name == "pre_roll_ms" else "pre_roll_ms"
    data: dict[str, Any] = {"schema_version": 1, good: 1000, name: bad_value}
    write_json(settings_path(), data)

    loaded = load_settings()

    assert getattr(loaded.settings, name) == getattr(Settings(), name)
    assert getattr(loaded.settings, good) == 1000
    assert loaded.notice is not None
    assert name in loaded.notice
    assert settings_path().exists(), "a file with a bad value is kept, not moved aside"


@pytest.mark.parametrize("name", [s.name for s in setting_fields() if s.name != "schema_version"])
def test_every_setting_of_the_wrong_type_falls_back_to_its_default(name: str) -> None:
    write_json(settings_path(), {"schema_version": 1, name: {"not": "valid"}})
    loaded = load_settings()
    assert getattr(loaded.settings, name) == getattr(Settings(), name)
    assert loaded.notice is not None
    assert name in loaded.notice


def test_notice_names_every_invalid_field() -> None:
    write_json(settings_path(), {"schema_version": 1, "output": "x", "pre_roll_ms": -5})
    notice = load_settings().notice
    assert notice is not None
    assert "output" in notice
    assert "pre_roll_ms" in notice


@pytest.mark.parametrize("name", ["hold_threshold_ms", "pre_roll_ms", "idle_unload_minutes"])
def test_range_ends_are_allowed(name: str) -> None:
    setting = next(f for f in setting_fields() if f.name == name)
    assert setting.value_range is not None
    low, high = setting.value_range
    for value in (low, high):
        assert getattr(Settings().replace(**{name: value}), name) == value
    for value in (low - 1, high + 1):
        with pytest.raises(ValueError, match=name):
            Settings().replace(**{name: value})


def test_replace_rejects_unknown_fields_and_bad_values_naming_the_field() -> None:
    with pytest.raises(ValueError, match="volume"):
        Settings().replace(volume=3)
    with pytest.raises(ValueError, match="output"):
        Settings().replace(output="printer")
    with pytest.raises(ValueError, match="hotkey"):
        Settings().replace(hotkey="Ctrl+Shift+Space")  # must be canonical in memory
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().hotkey = "alt+f1"  # type: ignore[misc]


def test_the_transcripts_folder_cannot_be_a_file(tmp_path: Path) -> None:
    # A file's path was saved: every transcript then ended "Done (not saved)". The dialog
    # asks; the settings themselves never look at the disk (a folder that becomes a file
    # later must not make loading or changing the other settings fail).
    audio = tmp_path / "d1.wav"
    audio.write_bytes(b"RIFF")
    assert export_folder_problem(str(audio)) == (
        f"{audio} is a file: choose a folder to save transcripts in"
    )
    assert export_folder_problem(str(tmp_path)) is None
    assert export_folder_problem(str(tmp_path / "new")) is None  # made at the first save
    assert export_folder_problem("") is None
    assert export_folder_problem("x" * 5000) is None  # too long to ask: the save will say
    kept = Settings(export_folder=str(audio))
    assert kept.replace(pause_history=True).export_folder == str(audio)


def test_a_shortcut_other_apps_need_is_refused_with_what_to_do() -> None:
    write_json(settings_path(), {"schema_version": 1, "hotkey": "ctrl+c"})
    loaded = load_settings()
    assert loaded.settings.hotkey == Settings().hotkey
    with pytest.raises(ValueError, match="Ctrl\\+C is a shortcut other apps need; choose another"):
        Settings().replace(hotkey="ctrl+c")
    assert Settings().replace(hotkey="ctrl+alt+c").hotkey == "ctrl+alt+c"


def test_hand_edited_hotkey_is_read_back_canonical() -> None:
    write_json(settings_path(), {"schema_version": 1, "hotkey": " Shift + Control + Space "})
    loaded = load_settings()
    assert loaded.settings.hotkey == "ctrl+shift+space"
    assert loaded.notice is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ctrl+shift+space", "ctrl+shift+space"),
        ("Super+Alt+Ctrl+Shift+F24", "ctrl+alt+shift+super+f24"),
        ("Meta+A", "super+a"),
        ("ctrl+Page Up", "ctrl+page_up"),
        ("ctrl+escape", "ctrl+esc"),
        ("ctrl++", "ctrl++"),
        ("pause", "pause"),
        ("ctrl+alt+é", "ctrl+alt+é"),
    ],
)
def test_canonical_chord(text: str, canonical: str) -> None:
    assert canonical_chord(text) == canonical


@pytest.mark.parametrize("text", ["", "ctrl+", "ctrl+shift", "hyper+a", "ctrl+ctrl+a", "ctrl+ab"])
def test_canonical_chord_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        canonical_chord(text)


def test_saved_file_is_private_json() -> None:
    save_settings(Settings().replace(model="base.en"))
    path = settings_path()
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    assert data["model"] == "base.en"
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


def test_disk_full_keeps_the_old_file(monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(Settings().replace(model="base.en"))
    before = settings_path().read_bytes()

    def full_disk(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    newer = Settings().replace(model="small.en")
    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", full_disk)
        with pytest.raises(SettingsError, match="disk") as raised:
            save_settings(newer)

    assert str(settings_path()) in str(raised.value)
    assert settings_path().read_bytes() == before
    assert [p.name for p in settings_path().parent.iterdir()] == ["settings.json"]
    assert load_settings().settings.model == "base.en"


def test_unwritable_location_raises_settings_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(SettingsError, match="Could not save settings"):
        save_settings(Settings(), blocker / "settings.json")


def test_autostart_entry_is_written_and_removed(hermetic_user_dirs: Path) -> None:
    path = autostart_entry_path()
    assert path == hermetic_user_dirs / ".config" / "autostart" / "saytype.desktop"
    command = desktop_exec_command(["/opt/say type/python", "-m", "app", "100%"])

    apply_start_at_login(True, command)

    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    assert parser.read(path, encoding="utf-8") == [str(path)]
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Saytype"
    assert entry["Exec"] == '"/opt/say type/python" -m app 100%%'
    assert entry["X-GNOME-Autostart-enabled"] == "true"

    apply_start_at_login(True, command)  # idempotent
    apply_start_at_login(False, command)
    assert not path.exists()
    apply_start_at_login(False, command)  # removing twice is fine


def test_autostart_ignores_a_relative_xdg_config_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    monkeypatch.setenv("HOME", "/home/someone")
    assert autostart_entry_path() == Path("/home/someone/.config/autostart/saytype.desktop")


def test_autostart_rejects_a_multiline_command() -> None:
    with pytest.raises(ValueError, match="autostart command"):
        apply_start_at_login(True, "saytype\nExec=evil")
    assert not autostart_entry_path().exists()


def test_autostart_failure_raises_settings_error(hermetic_user_dirs: Path) -> None:
    (hermetic_user_dirs / ".config" / "autostart").write_text("a file", encoding="utf-8")
    with pytest.raises(SettingsError, match="start-at-login"):
        apply_start_at_login(True, "saytype")


def test_the_language_codes_settings_accept_are_faster_whispers() -> None:
    from app.core.engine.whisper_internals import language_codes
    from app.core.settings_rules import WHISPER_LANGUAGES

    assert set(language_codes()) == WHISPER_LANGUAGES
