"""``saytype listen`` on a terminal shows the words as they come, then the final.

A scripter read "partial, committed and final text as you speak" in the help, ran
``saytype listen`` and saw a blank screen until the end. Piped, only finals are printed.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli_interrupt import _drain
from tests.test_listen_cli import SENTENCES, spoken

__all__ = ["spoken"]  # the fixture, shared with the listen tests

CLEAR = "\r\x1b[2K"


@pytest.mark.model
def test_the_words_show_on_one_line_that_the_final_replaces(spoken: Path) -> None:
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", "listen", "--input", str(spoken), "--speed", "4"],
            stdout=follower,
            stderr=subprocess.DEVNULL,
        )
        os.close(follower)
        child.wait(timeout=300)
        screen = _drain(leader).decode("utf-8", "replace")
    finally:
        os.close(leader)
    assert child.returncode == 0, screen
    updates = screen.split(CLEAR)
    assert len(updates) >= 4, screen  # words shown while it listened, then the final
    shown_early = updates[1].strip()
    assert shown_early, screen
    assert SENTENCES[0].lower().startswith(shown_early.lower()[:3]), screen
    final = updates[-1]
    assert final.endswith("\r\n")  # the terminal's newline for the final's
    assert "airport" in final
    assert "plants" in final


@pytest.mark.model
def test_piped_only_finals_are_printed(spoken: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "listen", "--input", str(spoken), "--speed", "4"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    assert done.stdout.count("\n") == 1
