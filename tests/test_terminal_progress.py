"""The command line's progress bar: the time left it guesses from the pace so far."""

from __future__ import annotations

import io

from app.commands.progress import TerminalProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Bar:
    """A progress bar on a fake terminal, with a clock the test moves."""

    def __init__(self) -> None:
        self.stream, self.clock = io.StringIO(), Clock()
        self.progress = TerminalProgress(self.stream, enabled=True, clock=self.clock)

    def at(self, seconds_later: float, label: str, fraction: float) -> str:
        """The line drawn for ``label`` at ``fraction``, ``seconds_later`` than the last."""
        self.clock.now += seconds_later
        self.progress.update(label, fraction)
        return self.stream.getvalue().rsplit("\r\x1b[2K", 1)[-1]


def test_the_time_left_follows_the_pace_once_there_is_one() -> None:
    # A 40-minute lecture on two cores runs for many minutes: the bar said how far, not how long.
    bar = Bar()
    bar.at(0.0, "lecture.mp3", 0.0)
    assert "left" not in bar.at(1.0, "lecture.mp3", 0.05)  # one second is no pace to go by
    # 10 % in 30 s: 270 s to go.
    assert bar.at(29.0, "lecture.mp3", 0.10).endswith("10%  lecture.mp3  about 4 min left")
    assert bar.at(240.0, "lecture.mp3", 0.90).endswith("about 30 s left")
    assert "left" not in bar.at(0.0, "lecture.mp3", 1.0)


def test_each_file_is_timed_from_its_own_start() -> None:
    bar = Bar()
    bar.at(0.0, "a.mp3 (1 of 2)", 0.0)
    assert bar.at(600.0, "a.mp3 (1 of 2)", 0.5).endswith("about 10 min left")
    assert "left" not in bar.at(0.0, "b.mp3 (2 of 2)", 0.01)  # a new file: a new pace
    # 40 % in 4 s, counted from its first update.
    assert bar.at(4.0, "b.mp3 (2 of 2)", 0.41).endswith("about 5 s left")


def test_off_a_terminal_nothing_is_drawn() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)  # a StringIO is no terminal
    progress.update("talk.mp3", 0.5)
    assert stream.getvalue() == ""
