"""The first Ctrl+C of a long command: it cancels, says so, and never fails inside a write.

The handler runs wherever the main thread is, also in the middle of one of stderr's own
writes (the progress bar); a write into stderr from there raises, and the file under way
failed. A real pipe stands for the terminal.
"""

from __future__ import annotations

import io
import os
import signal

import pytest

from app.commands.ctrl_c import STOPPING, CtrlC
from app.core.engine.cancellation import CancellationToken


class _StderrMidWrite(io.TextIOWrapper):
    """stderr while a write of its own is under way: another write raises."""

    def write(self, text: str) -> int:
        raise RuntimeError("reentrant call inside <_io.BufferedWriter name='<stderr>'>")


def test_the_first_ctrl_c_cancels_and_says_so_the_second_interrupts() -> None:
    read_end, write_end = os.pipe()
    stderr = _StderrMidWrite(os.fdopen(write_end, "wb"))
    cancel = CancellationToken()
    ctrl_c = CtrlC(cancel, stderr, clear_line=True)
    try:
        ctrl_c._on_signal(signal.SIGINT, None)  # as the signal module calls it
        assert cancel.cancelled
        assert ctrl_c.pressed
        assert os.read(read_end, 4096).decode() == f"\r\x1b[2Ksaytype: {STOPPING}\n"
        with pytest.raises(KeyboardInterrupt):
            ctrl_c._on_signal(signal.SIGINT, None)
    finally:
        stderr.detach().close()
        os.close(read_end)


def test_a_closed_terminal_stops_as_a_ctrl_c_does_with_the_shells_status() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as stderr:
        cancel = CancellationToken()
        ctrl_c = CtrlC(cancel, stderr, clear_line=False)
        ctrl_c._on_signal(signal.SIGHUP, None)
        assert cancel.cancelled
        assert ctrl_c.exit_status == 129
    said = os.read(read_end, 4096).decode()
    os.close(read_end)
    assert said == "saytype: stopping (Hangup): what is done so far is kept.\n"
