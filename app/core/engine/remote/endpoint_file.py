"""The saved endpoints' file, beside ``settings.json``: read without ever failing, saved atomically.

It is its own versioned file rather than fields of :class:`~app.core.settings.Settings`
because it holds a list of records, which the flat settings schema has no
type for; it follows the settings file's rules all the same: a
``schema_version`` with a migration per version, a damaged file moved aside as
``endpoints.json.bak`` with one sentence for the user, a bad entry dropped
alone, and writes that are atomic and owner-only. It never holds an API key.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook, EndpointError
from app.core.json_file import read_json, save_json, set_aside
from app.core.paths import config_dir
from app.core.settings_error import SettingsError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2


def migrate_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 adds ``fallback``; version 1 always fell back to the local model."""
    return {**data, "fallback": True, "schema_version": 2}


# One step per version, N -> N + 1, on the raw JSON object.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: migrate_1_to_2}
_FIELDS = {spec.name for spec in dataclasses.fields(Endpoint)}


@dataclass(frozen=True)
class LoadedEndpoints:
    """The saved endpoints and, when something had to be repaired, a sentence for the user."""

    book: EndpointBook
    notice: str | None


def endpoints_path() -> Path:
    """Where the saved endpoints live: beside the settings file."""
    return config_dir() / "endpoints.json"


def load_endpoints(path: Path | None = None) -> LoadedEndpoints:
    """Read the saved endpoints; a missing file is an empty book, a damaged one is set aside."""
    path = path or endpoints_path()
    try:
        data = read_json(path)
    except FileNotFoundError:
        return LoadedEndpoints(EndpointBook(), None)
    except (OSError, ValueError) as exc:
        log.warning("endpoints file %s is unreadable: %s", path, exc)
        return LoadedEndpoints(EndpointBook(), _move_aside(path))
    if not isinstance(data, dict) or not isinstance(data.get("endpoints", []), list):
        log.warning("endpoints file %s does not hold a list of endpoints", path)
        return LoadedEndpoints(EndpointBook(), _move_aside(path))
    return _book_from(_migrated(data), path)


def _migrated(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version", SCHEMA_VERSION)
    while isinstance(version, int) and version in MIGRATIONS:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


def _book_from(data: dict[str, Any], path: Path) -> LoadedEndpoints:
    endpoints: list[Endpoint] = []
    dropped: list[str] = []
    for entry in data.get("endpoints", []):
        name = str(entry.get("name", "?")) if isinstance(entry, dict) else "?"
        try:
            if not isinstance(entry, dict):
                raise EndpointError("not an object")
            endpoint = Endpoint(**{key: entry[key] for key in entry if key in _FIELDS})
            if any(e.name == endpoint.name for e in endpoints):
                raise EndpointError("a second endpoint of that name")
        except (TypeError, EndpointError) as exc:
            log.warning("dropping saved endpoint %r from %s: %s", name, path, exc)
            dropped.append(name)
            continue
        endpoints.append(endpoint)
    active = data.get("active", "")
    if not isinstance(active, str) or not any(e.name == active for e in endpoints):
        active = ""  # never remote by accident: an unknown active endpoint means local
    fallback = data.get("fallback", True)
    if not isinstance(fallback, bool):
        fallback = True  # never lose a dictation by accident
    notice = None
    if dropped:
        notice = (
            f"Some saved endpoints in {path} were invalid and were left out: "
            f"{', '.join(dropped)}; add them again with 'saytype engines add'."
        )
    return LoadedEndpoints(EndpointBook(tuple(endpoints), active, fallback), notice)


def _move_aside(path: Path) -> str:
    backup = set_aside(path)
    if backup is None:
        return f"Your saved endpoints file {path} was damaged; Saytype uses the local engine."
    return (
        f"Your saved endpoints file was damaged and was moved to {backup}; Saytype uses the "
        "local engine."
    )


def save_endpoints(book: EndpointBook, path: Path | None = None) -> None:
    """Write ``book`` as JSON atomically, readable by the user alone.

    Raises:
        SettingsError: with a sentence for the user; the previous file is left intact.
    """
    path = path or endpoints_path()
    data = {
        "schema_version": SCHEMA_VERSION,
        "active": book.active,
        "fallback": book.fallback,
        "endpoints": [dataclasses.asdict(endpoint) for endpoint in book.endpoints],
    }
    save_json(path, data, what="the endpoints", error=SettingsError)
    log.info("saved %d endpoint(s) to %s", len(book.endpoints), path)
