"""The command line's progress bar: the time left it guesses from the pace so far."""

from __future__ import annotations

import io

from app.commands.progress import TerminalProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _line(stream: io.StringIO) -> str:
    return stream.getvalue().rsplit("\r\x1b[2K", 1)[-1]


def test_the_time_left_follows_the_pace_once_there_is_one() -> None:
    # A 40-minute lecture on two cores runs for many minutes: the bar said how far, not how long.
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, enabled=True, clock=clock)
    progress.update("lecture.mp3", 0.0)
    clock.now += 1.0
    progress.update("lecture.mp3", 0.05)
    assert "left" not in _line(stream)  # one second is no pace to go by
    clock.now += 29.0
    progress.update("lecture.mp3", 0.10)  # 10 % in 30 s: 270 s to go
    assert _line(stream).endswith("10%  lecture.mp3  about 4 min left")
    clock.now += 240.0
    progress.update("lecture.mp3", 0.90)
    assert _line(stream).endswith("about 30 s left")
    progress.update("lecture.mp3", 1.0)
    assert "left" not in _line(stream)


def test_each_file_is_timed_from_its_own_start() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = TerminalProgress(stream, enabled=True, clock=clock)
    progress.update("a.mp3 (1 of 2)", 0.0)
    clock.now += 600.0
    progress.update("a.mp3 (1 of 2)", 0.5)
    assert _line(stream).endswith("about 10 min left")
    progress.update("b.mp3 (2 of 2)", 0.01)  # a new file: a new pace
    assert "left" not in _line(stream)
    clock.now += 4.0
    progress.update("b.mp3 (2 of 2)", 0.41)  # 40 % in 4 s, counted from its first update
    assert _line(stream).endswith("about 5 s left")


def test_off_a_terminal_nothing_is_drawn() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)  # a StringIO is no terminal
    progress.update("talk.mp3", 0.5)
    assert stream.getvalue() == ""
