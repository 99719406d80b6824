"""The end of ``saytype listen``'s input: "done" from a person, nothing from /dev/null."""

from __future__ import annotations

import os
from pathlib import Path

from app.commands.listen_mic import _end_on_enter


def ended_by(stdin_path_or_fd: str | int) -> bool:
    ended: list[bool] = []
    with open(stdin_path_or_fd, encoding="utf-8") as stdin:  # noqa: PTH123 (an fd, too)
        _end_on_enter(stdin, lambda: ended.append(True))
    return bool(ended)


def test_a_closed_pipe_ends_the_utterance() -> None:
    read_end, write_end = os.pipe()
    os.close(write_end)  # the script is done
    assert ended_by(read_end)


def test_a_line_ends_the_utterance() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"\n")
    os.close(write_end)
    assert ended_by(read_end)


def test_no_input_at_all_keeps_listening_until_a_signal() -> None:
    # A script's `saytype listen &` reads /dev/null: it stops with Ctrl+C or kill -INT.
    assert not ended_by(os.devnull)


def test_an_empty_file_keeps_listening(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    assert not ended_by(str(empty))
