"""Wait for another process's state by its change notifications, never by sleeping.

What the tests wait for in other processes shows up as a change the kernel or a
server reports: a file created or written in a folder (inotify), a stream of
events (``swaymsg -t subscribe``), the process itself exiting (a pidfd). The
condition is checked once after subscribing, then again after each change, so
none is missed, and the wait ends at once when the process it depends on dies.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from inotify_simple import INotify, flags

_CHANGES = (
    flags.CREATE | flags.MODIFY | flags.CLOSE_WRITE | flags.MOVED_TO | flags.DELETE | flags.ATTRIB
)


class ProcessExited(RuntimeError):
    """The process a wait depended on exited before the condition held."""


def wait_for_changes(
    condition: Callable[[], bool],
    what: str,
    *,
    timeout_s: float,
    folders: Sequence[Path] = (),
    streams: Sequence[IO[bytes] | socket.socket] = (),
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Return once ``condition()`` holds, re-checking it after each change.

    Args:
        condition: what to wait for (may be called many times).
        what: named in the errors.
        timeout_s: how long at most.
        folders: folders whose entries' creation, writes and removal are changes.
        streams: pipes or sockets whose every new output is a change (an event stream).
        process: the process it depends on; its exit raises :class:`ProcessExited`.

    Raises:
        ProcessExited: ``process`` exited first.
        TimeoutError: ``timeout_s`` passed first.
    """
    deadline = time.monotonic() + timeout_s
    with _watching(folders) as inotify, ExitStack() as stack:
        pidfd = -1
        if process is not None:
            pidfd = os.pidfd_open(process.pid)
            stack.callback(os.close, pidfd)
        open_streams = {stream.fileno(): stream for stream in streams}
        while not condition():
            if process is not None and process.poll() is not None:
                raise ProcessExited(f"{what}: the process exited with {process.returncode}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for {what}")
            sources = [inotify.fileno(), *open_streams, *([pidfd] if pidfd >= 0 else [])]
            ready, _, _ = select.select(sources, [], [], left)
            if inotify.fileno() in ready:
                inotify.read(timeout=0)
            for fd in set(ready) & set(open_streams):
                if not os.read(fd, 65536):  # the event itself does not matter; EOF: no more
                    del open_streams[fd]


@contextmanager
def _watching(folders: Sequence[Path]) -> Iterator[INotify]:
    inotify = INotify()
    try:
        for folder in folders:
            inotify.add_watch(folder, _CHANGES)
        yield inotify
    finally:
        inotify.close()
