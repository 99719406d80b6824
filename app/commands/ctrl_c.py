"""A first Ctrl+C stops a long command's work and keeps what is done; a second quits at once.

Ctrl+C during ``saytype transcribe`` of a long recording ended the run with nothing:
minutes of transcript, decoded and correct, were thrown away with the process. A
``kill`` or ``timeout`` (SIGTERM) and a closed terminal (SIGHUP) stop it the same way.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from app.core.engine.cancellation import CancellationToken

INTERRUPTED = 130  # the exit status of a command stopped with Ctrl+C
STOPPING = "stopping: what is done so far is kept. Press Ctrl+C again to quit at once."
_STOPPED_BY = "stopping ({}): what is done so far is kept."
FINISHING = "finishing: the final text follows. Press Ctrl+C again to quit at once."


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class CtrlC:
    """Ctrl+C as "stop and keep what is done": it cancels ``cancel`` and says so on ``stderr``.

    SIGTERM and SIGHUP count as a Ctrl+C; :attr:`exit_status` is the shell's for the
    first signal that came (130 for Ctrl+C, 143 for SIGTERM, 129 for SIGHUP).
    """

    def __init__(self, cancel: CancellationToken, stderr: TextIO, *, clear_line: bool) -> None:
        self._cancel = cancel
        self._stderr = stderr
        self._clear_line = clear_line  # a progress bar is drawn on that line
        self.pressed = False
        self.exit_status = INTERRUPTED

    @contextmanager
    def cancels(self) -> Iterator[None]:
        """Within the block a first Ctrl+C cancels; a second one interrupts at once.

        Only the main thread can take signals; elsewhere Ctrl+C keeps its usual meaning.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {number: signal.signal(number, self._on_signal) for number in _STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True
        self.exit_status = 128 + signum
        self._cancel.cancel()
        said = STOPPING if signum == signal.SIGINT else _STOPPED_BY.format(signal.strsignal(signum))
        say_from_a_signal(
            self._stderr, ("\r\x1b[2K" if self._clear_line else "") + f"saytype: {said}\n"
        )


def say_from_a_signal(stderr: TextIO, line: str) -> None:
    """Write ``line`` from a signal handler: straight to the descriptor, as the handler may
    run inside one of stderr's own writes (a progress bar), where a write into it raises."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation, AttributeError):
        os.write(stderr.fileno(), line.encode())


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """Within the block SIGTERM is a Ctrl+C: a script's ``kill`` (a background job ignores
    SIGINT) ends ``saytype listen`` with its final text, not with its words lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
