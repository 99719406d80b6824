"""Hand files (or a show request) to the Saytype already running, before any Qt loads.

Only one Saytype runs: a second launch queues its files in the first one's Files
tab and brings its window to the front (``--hidden``, as at login, leaves the
window as it is), then exits. A file that does not exist is named on stderr
here, where a script can see it, not only in a row of the Files tab.
"""

from __future__ import annotations

import fcntl
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from app.core.control_channel import ControlError, send_command, socket_path

log = logging.getLogger(__name__)

STARTING_WAIT_S = 30.0  # how long a launch waits for one starting at the same moment
_POLL_S = 0.2
_instance_lock: IO[bytes] | None = None  # held (never closed) while this process is Saytype


def files_and_folders(paths: Sequence[str]) -> str:
    """``"2 files and 1 folder"``: what was named (a folder's media files are found there)."""
    folders = sum(1 for path in paths if Path(path).is_dir())
    counts = ((len(paths) - folders, "file"), (folders, "folder"))
    return " and ".join(f"{n} {word}{'s' * (n != 1)}" for n, word in counts if n)


def existing_files(files: Sequence[Path]) -> tuple[list[str], bool]:
    """The absolute paths of ``files`` to queue, and whether any could not be (said on stderr).

    A folder counts when it holds a media file; one without any would only add
    nothing to the Files tab while the command said it went there. A file counts
    when a tenth of a second of it decodes, as ``saytype transcribe`` checks: a
    text file went to the Files tab, only to fail there, while the command said
    all was well.
    """
    from app.core.audio.file_decoder import AudioFileError, check_has_audio
    from app.core.audio.media_files import with_folders_opened

    missing = []
    for path in map(Path, files):
        problem = None
        if not path.exists():
            problem = f"{path}: no such file or folder."
        elif path.is_dir() and with_folders_opened([path]) == [path]:
            problem = f"{path}: is a folder with no audio or video files in it."
        elif not path.is_dir():
            try:
                check_has_audio(path)
            except AudioFileError as exc:
                problem = str(exc)
        if problem is None:
            continue
        sys.stderr.write(f"saytype: error: {problem}\n")
        missing.append(path)
    return [str(Path(f).resolve()) for f in files if Path(f) not in missing], bool(missing)


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


def hand_over_or_lead(paths: Sequence[str], *, hidden: bool) -> int | None:
    """Hand ``paths`` to the Saytype that runs or is starting; None when this launch is it.

    Two launches at the same moment both found nobody listening, both ran, and the
    second took the control socket from the first. A lock taken before Qt loads
    (released by the system when the process ends, however it ends) decides which
    one runs; the other waits for its socket and hands over. Returns the exit
    status otherwise.
    """
    if hand_over(paths, hidden=hidden):
        return 0
    deadline = time.monotonic() + STARTING_WAIT_S
    while not _take_instance_lock():
        if hand_over(paths, hidden=hidden):
            return 0
        if time.monotonic() > deadline:
            sys.stderr.write(
                "saytype: error: another Saytype is starting but does not answer "
                f"(its lock is {_lock_path()}); wait for it, or end it and start again.\n"
            )
            return 1
        time.sleep(_POLL_S)  # polling another process's socket: nothing to wait on here
    return None


def _lock_path() -> Path:
    return socket_path().with_name("instance.lock")


def _take_instance_lock() -> bool:
    global _instance_lock  # noqa: PLW0603 - one per process, for its whole life
    if _instance_lock is not None:
        return True
    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    _instance_lock = handle
    return True
