"""A downloaded model whose files changed since their hashes last matched is checked again.

A byte flipped in a downloaded ``model.bin`` (a failing disk, an edit) loaded without a
word and wrote "Cindy Cindy Cindy…" with exit status 0; only ``saytype models verify``
found it. Hashing hundreds of megabytes at every load is too slow, so the folder keeps a
stamp: each file's size and modification time when its hashes last matched. A load whose
files all still match the stamp costs one ``stat`` per file; any other load checks the
hashes first, and refuses a damaged model with what mends it. The check runs where the
model loads (the inference worker, never the GUI thread); a download, which has just
checked every hash, writes the stamp.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from app.core.atomic_file import write_text_atomically
from app.core.engine.model_folder import ModelError
from app.core.engine.model_integrity import (
    BUNDLED_REPAIR,
    MANIFEST_NAME,
    bundled_problems,
    verify_installed,
)

log = logging.getLogger(__name__)

STAMP_NAME = "saytype-checked.json"


def check_unchanged(folder: Path, name: str) -> None:
    """Check a downloaded model's files against their hashes unless the stamp vouches for them.

    The bundled model is checked against its package's record at every load; a folder
    copied by hand is left to :func:`check_model_folder`'s structural check and
    ``saytype models verify``.

    Raises:
        ModelError: a file differs from what the hub described; says how to mend it.
    """
    files = _recorded_files(folder)
    if not files:
        # Bundled: hashed at every load (0.13 s), since a flipped byte made ")))))…".
        problems = bundled_problems(folder)
        if problems:
            raise ModelError(
                f"Model '{name}' is damaged ({problems[0].rstrip('.')}); {BUNDLED_REPAIR}."
            )
        return
    stats = _stats(folder, files)
    if stats is not None and stats == _read_stamp(folder):
        return
    problems = verify_installed(folder)
    if problems:
        raise ModelError(
            f"Model '{name}' is damaged ({problems[0].rstrip('.')}); 'saytype models "
            f"download {name}' repairs it, or choose another model."
        )
    if stats is not None:
        _write_stamp(folder, stats)


def stamp_checked(folder: Path) -> None:
    """Record that ``folder``'s files match their hashes now (a download just checked them)."""
    stats = _stats(folder, _recorded_files(folder))
    if stats:
        _write_stamp(folder, stats)


def _write_stamp(folder: Path, stats: dict[str, list[int]]) -> None:
    try:
        write_text_atomically(folder / STAMP_NAME, json.dumps(stats) + "\n")
    except OSError as exc:  # checked again next time: slower, never wrong
        log.info("could not stamp the model check in %s: %s", folder, exc)


def changed_since_checked(folder: Path) -> bool:
    """Whether a downloaded model's files changed since their hashes last matched (a stat
    per file; a model never loaded since its download has no stamp and has not)."""
    files = _recorded_files(folder)
    stamp = _read_stamp(folder)
    return bool(files) and stamp is not None and _stats(folder, files) != stamp


def _recorded_files(folder: Path) -> list[str]:
    try:
        record = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return sorted(str(item["name"]) for item in record["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no record (or a damaged one, which verify_installed names at load)


def _stats(folder: Path, files: list[str]) -> dict[str, list[int]] | None:
    try:
        return {
            name: [(stat := (folder / name).stat()).st_size, stat.st_mtime_ns] for name in files
        }
    except OSError:
        return None  # a file is missing: verify_installed says which


def _read_stamp(folder: Path) -> object:
    try:
        return json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
