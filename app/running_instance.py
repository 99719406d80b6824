"""Hand files (or a show request) to the Saytype already running, before any Qt loads.

Only one Saytype runs: a second launch queues its files in the first one's Files
tab and brings its window to the front (``--hidden``, as at login, leaves the
window as it is), then exits. A file that does not exist is named on stderr
here, where a script can see it, not only in a row of the Files tab.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app.core.control_channel import ControlError, send_command

log = logging.getLogger(__name__)


def files_and_folders(paths: Sequence[str]) -> str:
    """``"2 files and 1 folder"``: what was named (a folder's media files are found there)."""
    folders = sum(1 for path in paths if Path(path).is_dir())
    counts = ((len(paths) - folders, "file"), (folders, "folder"))
    return " and ".join(f"{n} {word}{'s' * (n != 1)}" for n, word in counts if n)


def existing_files(files: Sequence[Path]) -> tuple[list[str], bool]:
    """The absolute paths of ``files`` that exist, and whether any was missing (said on stderr)."""
    missing = [f for f in files if not Path(f).exists()]
    for path in missing:
        sys.stderr.write(f"saytype: error: {path}: no such file or folder.\n")
    return [str(Path(f).resolve()) for f in files if f not in missing], bool(missing)


def hand_over(paths: Sequence[str], *, hidden: bool) -> bool:
    """Give ``paths`` to the running Saytype and raise its window; False when none runs."""
    try:
        if paths:
            send_command("queue", list(paths), timeout_s=5.0)
        reply = send_command("status" if hidden else "show", timeout_s=2.0)
    except ControlError:
        return False  # nobody is running: the caller is the instance
    log.info("Saytype is already running (%s)", reply.state)
    queued = f" {files_and_folders(paths)} went to its Files tab." if paths else ""
    raised = "" if hidden else "; its window was brought to the front"
    sys.stdout.write(f"Saytype is already running{raised}.{queued}\n")
    return True
