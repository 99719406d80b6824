"""The profiles file (``profiles.json``) and the files people share: read, check, write.

The file is JSON so people can write and share profiles (the README documents
it)::

    {"format": 1,
     "default": {"settings": {"trailing_space": true}},
     "profiles": [{"name": "Terminal", "window_class": "xterm|kitty",
                   "settings": {"after_text": "enter", "style": "plain"}}]}

Reading Saytype's own file never fails, as with the settings file: a damaged
file is moved aside as ``profiles.json.bak`` (nothing is lost) and only the
Default profile applies, with one sentence for the user; a profile that is not
valid is left out, and named. A file to *import* is checked whole instead: one
sentence says what is wrong and nothing is imported. Writes are atomic.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.atomic_file import describe_os_error, write_text_atomically
from app.core.json_file import (
    exclusive_update,
    keep_copy,
    read_json,
    save_json,
    set_aside,
    tuples_from_json,
)
from app.core.paths import config_dir
from app.core.profiles.profile import (
    DEFAULT_PROFILE,
    PROFILE_CHOICES,
    Profile,
    ProfileError,
    did_you_mean,
    override_problem,
)
from app.core.profiles.profile_rules import ProfileBook

log = logging.getLogger(__name__)

FILE_FORMAT = 1


@dataclass(frozen=True)
class LoadedProfiles:
    """The result of :func:`load_profiles`: usable profiles plus anything to tell the user."""

    book: ProfileBook
    notice: str | None


def profiles_path() -> Path:
    """Where the user's profiles live, beside the settings."""
    return config_dir() / "profiles.json"


def profiles_locked() -> contextlib.AbstractContextManager[None]:
    """Hold while reading the user's profiles to change and save them (two imports at once)."""
    return exclusive_update(profiles_path())


def load_profiles(path: Path | None = None) -> LoadedProfiles:
    """Read the user's profiles, never failing: see the module docstring."""
    path = path or profiles_path()
    try:
        data = _read_json(path)
    except FileNotFoundError:
        return LoadedProfiles(ProfileBook(), None)
    except ProfileError as exc:
        log.warning("profiles file %s: %s", path, exc)
        return LoadedProfiles(ProfileBook(), _move_aside(path))
    book, problems, ignored = _book_from_data(data, strict=False)
    said = []
    if problems:
        # The next save writes only the profiles in use: keep the file as it is.
        copy = keep_copy(path)
        kept = f" The file as it was is kept as {copy}." if copy is not None else ""
        said.append(
            f"Some profiles in {path} were not valid and are not used: {' '.join(problems)}{kept}"
        )
    if ignored:
        said.append(f"In {path}: {' '.join(ignored)}")
    return LoadedProfiles(book, " ".join(said) or None)


def read_profile_file(path: Path) -> ProfileBook:
    """Read a file to import, all or nothing.

    Raises:
        ProfileError: one sentence naming the file and what is wrong with it.
    """
    try:
        data = _read_json(path)
    except FileNotFoundError:
        raise ProfileError(f"There is no file {path}.") from None
    except ProfileError as exc:
        raise ProfileError(f"{path} {exc}") from None
    return _book_to_import(data, str(path))


def read_profile_text(text: str, label: str) -> ProfileBook:
    """Read profiles to import from ``text`` (standard input, named ``label``), all or nothing.

    Raises:
        ProfileError: one sentence naming ``label`` and what is wrong.
    """
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise ProfileError(f"{label} is not valid JSON ({exc}).") from None
    return _book_to_import(data, label)


def _book_to_import(data: object, label: str) -> ProfileBook:
    try:
        return _book_from_data(data, strict=True)[0]
    except ProfileError as exc:
        raise ProfileError(f"{label}: {exc}") from None


def save_profiles(book: ProfileBook, path: Path | None = None) -> None:
    """Write ``book`` atomically to the user's own file (0600, folder 0700).

    Raises:
        ProfileError: with a sentence for the user; the previous file is left intact.
    """
    path = path or profiles_path()
    save_json(path, book_to_data(book), what="profiles", error=ProfileError)
    log.info("profiles saved to %s", path)


class ExportWouldReplace(ProfileError):
    """The export's file is there and holds something else than profiles."""


def profiles_text(book: ProfileBook) -> str:
    """``book`` as the file holds it (indented JSON)."""
    return json.dumps(book_to_data(book), indent=2, ensure_ascii=False) + "\n"


def export_profiles(book: ProfileBook, path: Path, *, replace: bool = False) -> None:
    """Write ``book`` to a file of the user's choosing, to share or keep.

    Not as Saytype's own file is written: the folder is left as it is (an export into
    a shared folder made it owner-only), the file is readable as other files the user
    makes (0644, or the mode of the file it replaces), a link is written through (the
    file it points to gets the profiles), and a device or pipe is written to in place.

    Raises:
        ExportWouldReplace: ``path`` holds something other than profiles and not ``replace``.
        ProfileError: it cannot be written; the previous file is then left intact.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        if target.exists() and not target.is_file():
            with target.open("w", encoding="utf-8") as stream:
                stream.write(profiles_text(book))
            return
        if target.exists() and not replace and not _holds_profiles(target):
            raise ExportWouldReplace(f"{path} is there already and does not hold profiles")
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        write_text_atomically(target, profiles_text(book), file_mode=mode)
    except OSError as exc:
        raise ProfileError(
            f"Could not export the profiles to {path}: {describe_os_error(exc)}."
        ) from exc
    log.info("profiles exported to %s", path)


def _holds_profiles(path: Path) -> bool:
    try:
        data = read_json(path)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("profiles"), list)


def book_to_data(book: ProfileBook) -> dict[str, Any]:
    """The JSON object of ``book`` (the file format)."""
    return {
        "format": FILE_FORMAT,
        "default": {"settings": dict(book.default.overrides)},
        "profiles": [profile_to_data(profile) for profile in book.profiles],
    }


def profile_to_data(profile: Profile) -> dict[str, Any]:
    """One profile as the file writes it (empty patterns left out)."""
    data: dict[str, Any] = {"name": profile.name}
    if profile.window_class:
        data["window_class"] = profile.window_class
    if profile.window_title:
        data["window_title"] = profile.window_title
    data["settings"] = dict(profile.overrides)
    return data


def _read_json(path: Path) -> object:
    try:
        return read_json(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProfileError(f"could not be read ({describe_os_error(exc)}).") from exc
    except ValueError as exc:
        raise ProfileError(f"is not valid JSON ({exc}).") from exc


def _book_from_data(data: object, *, strict: bool) -> tuple[ProfileBook, list[str], list[str]]:
    """The book in ``data``, the profiles left out and the keys ignored, each as a sentence.

    With ``strict``, the first of either raises instead of being listed.
    """
    if not isinstance(data, dict) or not isinstance(data.get("profiles", []), list):
        raise ProfileError('is not a profiles file (an object with a "profiles" list).')
    version = data.get("format", FILE_FORMAT)
    if strict and version != FILE_FORMAT:
        raise ProfileError(f"has format {version!r}; this Saytype reads format {FILE_FORMAT}.")
    problems: list[str] = []
    ignored: list[str] = []
    default = Profile(DEFAULT_PROFILE)
    profiles: list[Profile] = []
    entries = [("default", data["default"])] if "default" in data else []
    entries += [("profile", entry) for entry in data.get("profiles", [])]
    for kind, entry in entries:
        try:
            profile, keys_ignored = _profile_from_data(entry, default=kind == "default")
            if strict and keys_ignored:  # an import is all or nothing: say it before it counts
                refused = keys_ignored[0].replace("; it is ignored.", ".")
                raise ProfileError(refused.replace("its window rule is ignored", "it takes none"))
            ignored += keys_ignored
            if profile.is_default:
                default = profile
            elif any(p.name.casefold() == profile.name.casefold() for p in profiles):
                raise ProfileError(f"Two profiles are called {profile.name!r}; names must differ.")
            else:
                profiles.append(profile)
        except ProfileError as exc:
            if strict:
                raise
            problems.append(str(exc))
    book = ProfileBook(default, tuple(profiles), default_given="default" in data)
    return book, problems, ignored


_PROFILE_KEYS = ("name", "window_class", "window_title", "settings")


def _profile_from_data(entry: object, *, default: bool) -> tuple[Profile, list[str]]:
    """The profile in ``entry``, and a sentence for each key of it that is ignored.

    A key Saytype does not know (a misspelling, a "comment") is named, not dropped in
    silence, and the profile still applies: refusing it made the next save of the list
    delete a profile that had worked.
    """
    if not isinstance(entry, dict):
        raise ProfileError(f"A profile must be an object, not {json.dumps(entry)[:40]}.")
    whose = DEFAULT_PROFILE if default else entry.get("name")
    ignored = [
        f"Profile {whose!r}: {key!r} is not a key Saytype knows"
        f"{did_you_mean(str(key), _PROFILE_KEYS)}; it is ignored."
        for key in entry
        if key not in _PROFILE_KEYS
    ]
    if default and ("window_class" in entry or "window_title" in entry):
        ignored.append(
            f"The {DEFAULT_PROFILE} profile applies everywhere, so its window rule is ignored."
        )
    settings = entry.get("settings", {})
    if not isinstance(settings, dict):
        raise ProfileError(f'The "settings" of profile {entry.get("name")!r} must be an object.')
    overrides = {}
    for key, raw in settings.items():  # a wrong setting is named; the profile still applies
        value = tuples_from_json(raw)
        if key in PROFILE_CHOICES and isinstance(value, str):
            value = value.strip().lower()  # "Enter" as the docs write it is "enter"
        problem = override_problem(str(key), value)
        if problem:
            ignored.append(f"Profile {whose!r}: {key}: {problem}; it is ignored.")
        else:
            overrides[key] = value
    if default:
        return Profile(DEFAULT_PROFILE, overrides=overrides), ignored
    profile = Profile(
        name=entry.get("name", ""),
        window_class=entry.get("window_class", ""),
        window_title=entry.get("window_title", ""),
        overrides=overrides,
    )
    return profile, ignored


def _move_aside(path: Path) -> str:
    backup = set_aside(path)
    if backup is None:
        return f"Your profiles file {path} is damaged, so only the Default profile applies."
    return (
        f"Your profiles file was damaged and was moved to {backup}; "
        "only the Default profile applies until you import it again or add profiles."
    )
