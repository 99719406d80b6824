"""Saytype's own JSON files (settings, profiles, saved endpoints): read, set aside, save.

The three files follow one set of rules, kept here so that they cannot drift
apart: they are strict UTF-8 JSON; a damaged one is moved aside as
``NAME.bak`` (never deleted, and never over an older backup: what the user had
stays recoverable) before the defaults are used; and a save is atomic and
owner-only (0600, folder 0700), so a crash or a full disk leaves the previous
file whole. What the data means and the sentences for the user stay with each
file's own module.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from collections.abc import Iterator
from pathlib import Path

from app.core.atomic_file import describe_os_error, write_bytes_atomically, write_text_atomically
from app.core.private_files import PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE

log = logging.getLogger(__name__)


def read_json(path: Path) -> object:
    """The JSON value in ``path``, decoded as strict UTF-8 (a leading BOM, as some editors
    write, is allowed).

    Raises:
        FileNotFoundError: there is no such file.
        OSError: the file cannot be read.
        ValueError: it is not UTF-8 or not JSON (``UnicodeDecodeError`` or
            ``json.JSONDecodeError``; both are ``ValueError``), or nested too deeply to read.
    """
    text = path.read_bytes().decode("utf-8-sig")
    try:
        return json.loads(text)
    except RecursionError:  # 100 000 "[" crashed the import with a traceback
        raise ValueError("its values are nested too deeply") from None


BACKUPS_KEPT = 10  # damaged copies of one file: NAME.bak, NAME.bak.2 … NAME.bak.10


def set_aside(path: Path) -> Path | None:
    """Move a damaged ``path`` to ``NAME.bak`` (or the first free ``NAME.bak.N``).

    An older backup is never replaced: it may be the only copy of what the user
    had, and a file damaged again would otherwise take its place.

    Returns:
        The backup's path, or None when the file could not be moved (logged).
    """
    for backup in backup_paths(path):
        if backup.exists() or backup.is_symlink():
            continue
        try:
            path.replace(backup)
        except OSError as exc:
            log.warning("could not move %s to %s: %s", path, backup, exc)
            return None
        return backup
    log.warning("could not move %s aside: %d backups of it are kept already", path, BACKUPS_KEPT)
    return None


def keep_copy(path: Path) -> Path | None:
    """Copy ``path`` to the first free ``NAME.bak`` name (owner-only), as it is now.

    For a file Saytype read only in part: its next save would drop what it could not
    use. A backup already holding the same bytes is the copy (nothing is written).

    Returns:
        The copy's path, or None when no copy could be made (logged).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("could not read %s to keep a copy: %s", path, exc)
        return None
    for backup in backup_paths(path):
        if backup.is_symlink():
            continue
        if backup.exists():
            with contextlib.suppress(OSError):
                if backup.read_bytes() == data:
                    return backup
            continue
        try:
            write_bytes_atomically(backup, data, file_mode=PRIVATE_FILE_MODE)
        except OSError as exc:
            log.warning("could not copy %s to %s: %s", path, backup, exc)
            return None
        return backup
    log.warning(
        "could not keep a copy of %s: %d backups of it are kept already", path, BACKUPS_KEPT
    )
    return None


def backup_paths(path: Path) -> list[Path]:
    """Where :func:`set_aside` may put ``path``, in the order it tries them."""
    first = path.with_name(path.name + ".bak")
    return [first] + [path.with_name(f"{first.name}.{n}") for n in range(2, BACKUPS_KEPT + 1)]


def salvage_object(data: bytes) -> dict[str, object]:
    """The members of a damaged JSON object that come whole before the damage.

    A file cut short (a full disk, a crash while another program wrote it) still
    holds its first members intact. A member counts only when a comma or the
    closing brace follows it, so a number cut in the middle ("5" of "50") is not
    taken for a value.
    """
    text = data.decode("utf-8-sig", errors="replace")
    decoder = json.JSONDecoder()
    found: dict[str, object] = {}
    index = _after_blanks(text, 0)
    if not text.startswith("{", index):
        return found
    index += 1
    while True:
        try:
            key, index = decoder.raw_decode(text, _after_blanks(text, index))
            index = _after_blanks(text, index)
            if not isinstance(key, str) or not text.startswith(":", index):
                return found
            value, index = decoder.raw_decode(text, _after_blanks(text, index + 1))
        except (ValueError, RecursionError):
            return found
        index = _after_blanks(text, index)
        if not text.startswith((",", "}"), index):
            return found
        found[key] = value
        if text.startswith("}", index):
            return found
        index += 1


def _after_blanks(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def save_json(path: Path, data: object, *, what: str, error: type[Exception]) -> None:
    """Write ``data`` to ``path`` as indented JSON, atomically and owner-only.

    Args:
        path: the file to replace.
        data: a JSON-serialisable value.
        what: what the file holds, for the message ("settings", "the endpoints").
        error: the caller's exception type, raised with one sentence for the user.

    Raises:
        error: "Could not save WHAT to PATH: REASON."; the previous file is left intact.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        write_text_atomically(
            path, text, file_mode=PRIVATE_FILE_MODE, folder_mode=PRIVATE_FOLDER_MODE
        )
    except OSError as exc:
        raise error(f"Could not save {what} to {path}: {describe_os_error(exc)}.") from exc


def tuples_from_json(value: object) -> object:
    """JSON has no tuples: lists (of lists) become the tuples the list settings hold."""
    return tuple(tuples_from_json(item) for item in value) if isinstance(value, list) else value


@contextlib.contextmanager
def exclusive_update(path: Path) -> Iterator[None]:
    """Within the block no other Saytype process reads ``path`` to change it.

    Two ``saytype profiles import`` run at once each read the file, added their own
    and saved: the later save dropped the other's profiles. The lock is a file beside
    ``path`` (``.NAME.lock``), held with ``flock``, so a process that dies lets it go.
    Where it cannot be made (a read-only folder) the update goes on unlocked; the save
    then says what is wrong.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER_MODE)
    try:
        lock = (path.parent / f".{path.name}.lock").open("a")
    except OSError as exc:
        log.warning("no lock for %s: %s", path, exc)
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield
