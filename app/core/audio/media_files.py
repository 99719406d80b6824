"""Which dropped paths are audio or video: files by extension, folders searched recursively.

Dropping a folder of recordings is common, and so is a folder that also holds
notes, images and subtitles; only media files join the queue. A file named
explicitly is always kept, whatever its extension, so that a bad or oddly named
file gets a clear "cannot decode" reason in the queue instead of vanishing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

MEDIA_EXTENSIONS = frozenset({
    # audio
    ".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma", ".aif", ".aiff",
    ".amr", ".mka", ".webm", ".caf", ".ac3",
    # video
    ".mp4", ".m4v", ".mkv", ".mov", ".avi", ".wmv", ".flv", ".mpg", ".mpeg", ".ts", ".3gp",
})  # fmt: skip


def is_media_file(path: Path) -> bool:
    """Whether ``path``'s extension is one of :data:`MEDIA_EXTENSIONS` (case-insensitive)."""
    return path.suffix.lower() in MEDIA_EXTENSIONS


def collect_media_files(paths: Iterable[Path]) -> list[Path]:
    """Expand dropped ``paths`` into files to queue, in a stable order, without duplicates.

    Folders contribute their media files (recursively, sorted; hidden entries
    skipped); files given directly are kept as they are.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        candidates = _media_in(path) if path.is_dir() else [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def with_folders_opened(paths: Iterable[Path]) -> list[Path]:
    """``paths`` with each folder replaced by its media files, found as
    :func:`collect_media_files` finds them.

    A folder with none stays in its place, so that a command line reports it in turn
    (the decoder names a folder as one). Nothing is dropped as a duplicate: a file
    named twice on a command line is transcribed twice, as asked.
    """
    found: list[Path] = []
    for path in paths:
        inside = _media_in(path) if path.is_dir() else []
        found += inside or [path]
    return found


def _media_in(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.rglob("*"))
    except OSError as exc:
        log.warning("cannot read %s: %s", folder, exc)
        return []
    return [
        entry
        for entry in entries
        if not any(part.startswith(".") for part in entry.relative_to(folder).parts)
        and entry.is_file()
        and is_media_file(entry)
    ]
