"""Owner-only files and folders for what Saytype keeps about the user.

Settings, the history (with its sqlite side files and kept recordings) and
recording journals hold what people said. They are created readable by their
owner alone, 0600 for files and 0700 for folders, whatever the process umask,
and files left wider by older versions are tightened when next used. Files the
user exports to a place of their choosing are not private: they follow the
exporters' own mode.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create ``path`` (with missing parents) if needed and make it owner-only; return it.

    Only ``path`` itself is tightened: parents such as ``~/.local/share`` are not ours.

    Raises:
        OSError: when it cannot be created or its mode cannot be set.
    """
    path.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    path.chmod(PRIVATE_FOLDER_MODE)  # mkdir's mode passes through the umask; old folders too
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, owner-only from the first byte, and return it.

    An existing file keeps its content and is tightened to 0600.

    Raises:
        OSError: when it cannot be created or its mode cannot be set.
    """
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def tighten(path: Path) -> bool:
    """Make an existing file owner-only; return whether it existed."""
    try:
        path.chmod(PRIVATE_FILE_MODE)
    except FileNotFoundError:
        return False
    return True
