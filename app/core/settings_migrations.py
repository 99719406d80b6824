"""One migration per settings-file version, applied in order when an old file is loaded.

Each step takes the raw JSON object of version N and returns the object of
version N + 1. Steps only rename and convert keys; validating the values is the
loader's job (``app.core.settings``), so a step never has to guess whether an
old value is still allowed. This module imports nothing from the settings
module, so each step can be tested on plain dictionaries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

RawSettings = dict[str, Any]


def migrate_0_to_1(data: RawSettings) -> RawSettings:
    """Version 0 (no ``schema_version``): the hotkey was ``shortcut``; output a boolean.

    ``paste_into_focused: true`` meant "type into the focused application" and
    ``false`` meant "leave the text on the clipboard".
    """
    migrated = {
        key: value for key, value in data.items() if key not in ("shortcut", "paste_into_focused")
    }
    if "shortcut" in data and "hotkey" not in data:
        migrated["hotkey"] = data["shortcut"]
    if "paste_into_focused" in data and "output" not in data:
        into_focused = data["paste_into_focused"]
        # A non-boolean is passed on as is, so the loader reports it as an invalid output.
        migrated["output"] = (
            ("focused_app" if into_focused else "clipboard")
            if isinstance(into_focused, bool)
            else into_focused
        )
    migrated["schema_version"] = 1
    return migrated


# What versions 0 and 1 saved for "Replace words" until the user changed it.
_OLD_DEFAULT_REPLACEMENTS = [["say type", "Saytype"]]


def migrate_1_to_2(data: RawSettings) -> RawSettings:
    """Version 1 saved the default replacement "say type" = "Saytype", which also rewrote
    "when I say type it again" (decision 0057); a table that is only that default goes."""
    migrated = {**data, "schema_version": 2}
    if data.get("replacements") == _OLD_DEFAULT_REPLACEMENTS:
        migrated["replacements"] = []
    return migrated


MIGRATIONS: dict[int, Callable[[RawSettings], RawSettings]] = {
    0: migrate_0_to_1,
    1: migrate_1_to_2,
}


def migrate(data: RawSettings) -> RawSettings:
    """Bring ``data`` from its ``schema_version`` up to :data:`SCHEMA_VERSION`.

    A file from a newer version is returned unchanged: the loader keeps what it understands.
    """
    version = data.get("schema_version", 0)
    while version < SCHEMA_VERSION:
        log.info("migrating settings from version %d to %d", version, version + 1)
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data
