"""Atomic file replacement: readers see the old file or the new one, never a mix.

Settings and the autostart entry are small files that must survive a crash or a
full disk mid-write. Writing a temporary file in the same folder, syncing it and
renaming it over the target gives exactly that on POSIX file systems.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def describe_os_error(exc: OSError) -> str:
    """Say in words what a failed file operation means for the user."""
    reasons = {
        errno.ENOSPC: "there is no space left on the disk",
        errno.EDQUOT: "your disk quota is used up (no disk space left for you)",
        errno.EROFS: "the disk is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def _temp_prefix(path: Path) -> str:
    """``.NAME.``, cut so that the temporary name fits where a name near the limit does."""
    name = path.name.encode("utf-8")[:_TEMP_NAME_BYTES].decode("utf-8", "ignore")
    return f".{name}."


_TEMP_NAME_BYTES = 200  # + ".", ".", mkstemp's 8 letters and ".tmp": within 255


def write_text_atomically(
    path: Path, text: str, *, file_mode: int = 0o600, folder_mode: int | None = None
) -> None:
    """Replace ``path`` with ``text`` (UTF-8); see :func:`write_bytes_atomically`."""
    write_bytes_atomically(path, text.encode("utf-8"), file_mode=file_mode, folder_mode=folder_mode)


def write_bytes_atomically(
    path: Path, data: bytes, *, file_mode: int = 0o600, folder_mode: int | None = None
) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.

    Args:
        path: the file to write.
        data: its new contents.
        file_mode: permissions of the new file.
        folder_mode: when given, the folder is created and chmod-ed to this mode.

    Raises:
        OSError: on any failure; the old file is then untouched and no temp file remains.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if folder_mode is not None:
        folder.chmod(folder_mode)
    descriptor, temp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), file_mode)
            os.fsync(handle.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp_name).unlink()
        raise
    # Persist the rename itself; a failure here leaves a complete file, so it is not fatal.
    try:
        folder_descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_descriptor)
        finally:
            os.close(folder_descriptor)
    except OSError as exc:
        log.debug("could not fsync folder %s: %s", folder, exc)
