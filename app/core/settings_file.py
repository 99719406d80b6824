"""The settings file: read it without ever failing, save it atomically.

Settings are declared once in :mod:`app.core.settings`; this module is the file
side. A damaged file is moved aside as ``settings.json.bak`` and the settings
that come whole before the damage are kept (the defaults for the rest), with a
sentence for the user; a single bad value falls back to its default alone.
Saving writes a temporary file and renames it, owner-only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.hotkeys.chord import canonical_chord
from app.core.json_file import (
    read_json,
    salvage_object,
    save_json,
    set_aside,
    tuples_from_json,
)
from app.core.paths import config_dir
from app.core.settings import (
    SCHEMA_VERSION,
    Settings,
    SettingsError,
    setting_fields,
)
from app.core.settings_migrations import migrate
from app.core.text.counted import counted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedSettings:
    """The result of :func:`load_settings`: usable settings plus anything to tell the user."""

    settings: Settings
    notice: str | None


def settings_path() -> Path:
    """Where the settings file lives."""
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> LoadedSettings:
    """Read settings, never failing: damaged files and bad values fall back to defaults.

    Args:
        path: the settings file; :func:`settings_path` when omitted.

    Returns:
        The settings and, when something had to be repaired, a sentence for the user.
    """
    path = path or settings_path()
    try:
        data = read_json(path)
    except FileNotFoundError:
        return LoadedSettings(Settings(), None)
    except OSError as exc:
        log.warning("settings file %s is unreadable: %s", path, exc)
        return LoadedSettings(Settings(), _move_aside(path, "could not be read"))
    except ValueError as exc:
        log.warning("settings file %s is not valid JSON: %s", path, exc)
        return _salvaged(path)
    if not isinstance(data, dict):
        log.warning("settings file %s holds a %s, not an object", path, type(data).__name__)
        return LoadedSettings(Settings(), _move_aside(path, "was damaged"))
    return _settings_from_data(data, path)


def peek_settings(path: Path | None = None) -> Settings | None:
    """The settings the file holds now, read without repairing or moving anything.

    None when it cannot be read whole (missing, damaged, or from a newer Saytype):
    the running app then keeps what it has. Invalid values read as their defaults.
    """
    path = path or settings_path()
    try:
        data = read_json(path)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    version = data.get("schema_version", 0)
    if type(version) is not int or not 0 <= version <= SCHEMA_VERSION:
        return None
    values, _ = _values_from(migrate({**data, "schema_version": version}), path)
    return Settings(**values)  # type: ignore[arg-type]


def _salvaged(path: Path) -> LoadedSettings:
    """A damaged file's settings that come whole before the damage, saved again at once.

    A file cut short keeps the user's first settings (the special words among them);
    losing them all for one damaged line would be worse than the damage. They are
    saved at once, so the next start finds them even if nothing else is changed.
    """
    try:
        members = salvage_object(path.read_bytes())
    except OSError:
        members = {}
    known = {s.name for s in setting_fields(include_internal=True)}
    if not known.intersection(members):
        return LoadedSettings(Settings(), _move_aside(path, "was damaged"))
    version = members.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or not 0 <= version <= SCHEMA_VERSION:
        version = SCHEMA_VERSION
    values, _ = _values_from(migrate({**members, "schema_version": version}), path)
    if not values:  # only its version number was readable: nothing of the user's to keep
        return LoadedSettings(Settings(), _move_aside(path, "was damaged"))
    kept = f"the {counted(len(values), 'setting')}"
    notice = _move_aside(
        path,
        "was damaged",
        f"Saytype kept {kept} it could read before the damage and uses the defaults for the others",
    )
    settings = Settings(**values)  # type: ignore[arg-type]
    try:
        save_settings(settings, path)
    except SettingsError as exc:
        log.warning("could not save the settings kept from the damaged file: %s", exc)
    return LoadedSettings(settings, notice)


def _settings_from_data(data: dict[str, Any], path: Path) -> LoadedSettings:
    notices = []
    version = data.get("schema_version", 0)
    if type(version) is not int or version < 0:
        log.warning("settings file %s has an invalid schema_version %r", path, version)
        version = SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        notices.append(
            f"Your settings file {path} was written by a newer version of Saytype "
            f"(format {version}); settings this version does not know are ignored"
            f"{_keep_newer(path, version)}."
        )
    data = migrate({**data, "schema_version": version})
    values, invalid = _values_from(data, path)
    unknown = sorted(set(data) - {s.name for s in setting_fields(include_internal=True)})
    if unknown:
        log.info("ignoring unknown settings in %s: %s", path, ", ".join(unknown))
    if invalid:
        notices.append(
            f"Some settings in {path} were invalid and were reset to their defaults: "
            f"{', '.join(invalid)}."
        )
    return LoadedSettings(Settings(**values), " ".join(notices) or None)  # type: ignore[arg-type]


def _values_from(data: dict[str, Any], path: Path) -> tuple[dict[str, object], list[str]]:
    """The valid settings in ``data``, and the invalid ones named as the Settings window does."""
    values: dict[str, object] = {}
    invalid = []
    for setting in setting_fields():
        if setting.name not in data:
            continue
        value = data[setting.name]
        if setting.value_type is tuple:
            value = tuples_from_json(value)
        if setting.name == "hotkey" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = canonical_chord(value)
        problem = setting.problem_with(value)
        if problem:
            log.warning(
                "setting %s in %s is invalid (%s); using the default", setting.name, path, problem
            )
            invalid.append(f"“{setting.label}” ({setting.name})")
        else:
            values[setting.name] = value
    return values, invalid


def _move_aside(
    path: Path, what_happened: str, using: str = "Saytype is using default settings"
) -> str:
    backup = set_aside(path)
    if backup is None:
        return f"Your settings file {path} {what_happened}, so {using}."
    return f"Your settings file {what_happened} and was moved to {backup}; {using}."


def _keep_newer(path: Path, version: int) -> str:
    """Copy a newer version's file aside once, as saving here would drop what it alone knows."""
    copy = path.with_name(f"{path.stem}-format-{version}{path.suffix}")
    try:
        if not copy.exists():
            shutil.copyfile(path, copy)
            copy.chmod(0o600)  # settings are the user's alone
    except OSError as exc:
        log.warning("could not keep a copy of %s: %s", path, exc)
        return ""
    return f", and a copy of it is kept as {copy}"


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write ``settings`` as JSON atomically, readable by the user alone (0600, folder 0700).

    Raises:
        SettingsError: with a message for the user; the previous file is left intact.
    """
    path = path or settings_path()
    save_json(path, dataclasses.asdict(settings), what="settings", error=SettingsError)
    log.info("settings saved to %s", path)
