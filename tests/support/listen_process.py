"""Driving a real ``saytype listen --jsonl`` process: Ctrl+C once its first words show."""

from __future__ import annotations

import json
import signal
import subprocess
from typing import Any


def interrupt_once_words_show(
    listen: subprocess.Popen[str], words: int = 3, timeout_s: float = 120
) -> tuple[list[dict[str, Any]], str]:
    """Read events until a partial or commit has ``words`` words, send SIGINT, then finish.

    Returns every event printed (before and after the signal) and the standard error.
    """
    assert listen.stdout is not None
    lines = []
    while True:  # passes are running on the speech once words show
        line = listen.stdout.readline()
        if not line:
            _, err = listen.communicate(timeout=timeout_s)
            raise AssertionError(f"listen ended before any words: {err}")
        lines.append(line)
        event = json.loads(line)
        if event["type"] in {"partial", "commit"} and len(event["text"].split()) >= words:
            break
    listen.send_signal(signal.SIGINT)
    # Read to the end before closing stdin: a closed pipe is itself the end of the
    # utterance, so communicate() could finish it first and make the signal a second Ctrl+C.
    assert listen.stderr is not None
    out = listen.stdout.read()
    err = listen.stderr.read()
    listen.wait(timeout=timeout_s)
    listen.communicate(timeout=timeout_s)  # closes the pipes
    return [json.loads(line) for line in [*lines, *out.splitlines()]], err
