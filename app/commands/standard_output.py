"""Writing to standard output, where a full disk or a closed descriptor is one sentence.

``saytype transcribe > /dev/full`` and ``saytype listen --jsonl >&-`` ended in a traceback.
A reader that left (``| head``) is not an error: :class:`BrokenPipeError` passes through
to the command line's quiet ending.
"""

from __future__ import annotations

import io
import os
import sys
from typing import TextIO

from app.core.atomic_file import describe_os_error

_CLOSED = "standard output is closed; nothing can be printed"


class OutputError(Exception):
    """Standard output cannot be written; ``str()`` is a sentence for the user."""


def write_out(stream: TextIO | io.TextIOBase | None, text: str) -> None:
    """Write ``text`` to ``stream`` and flush it.

    Raises:
        OutputError: the stream is closed (``None``: the process began without one) or
            the write failed (full disk, I/O error).
        BrokenPipeError: the reader left.
    """
    if stream is None:
        raise OutputError(_CLOSED)
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed in this process
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise OutputError(f"could not write to standard output ({reason})") from exc


class ClosedOutput(io.TextIOBase):
    """Standard output for a process started without one (``>&-``): writing says so."""

    def write(self, text: str) -> int:
        raise OutputError(_CLOSED)

    def flush(self) -> None:
        """Nothing was written, so there is nothing to flush."""


def drop_stdout() -> None:
    """Point standard output at /dev/null, for a command that ends because it cannot write.

    Python's exit flushes stdout once more: with the reader gone or the disk full, what
    is left in its buffer fails again, and the process ends with status 120 and an
    "Exception ignored" line (the Python docs' "Note on SIGPIPE" gives this recipe).
    """
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # no descriptor (closed from the start)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
