"""Dictated words never reach the log file, even at DEBUG.

Real ``saytype -vv`` processes hear hibari-tts speech, once through the live
pipeline (``listen``: ring buffer, VAD, passes, commits, text shaping) and once
through the file transcriber (``transcribe``), with the log file at DEBUG. The
words must come out on stdout, and none of them may be in the log. The GUI's
side (worker, controller, type-as-I-speak, history) hears the same words from a
scripted pipeline, with Saytype's logging and its Qt part installed.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.log_file import log_dir, start_logging
from tests.support.controller_rig import build_rig
from tests.support.speech import SpeechMaker

SENTENCES = [
    "Marmalade sandwiches taste wonderful on Sunday mornings.",
    "Please remind Gregory about the violin lesson tomorrow.",
]
# Words unlikely in any log line, so finding one means a transcript leaked.
SPOKEN = {
    "marmalade",
    "sandwiches",
    "wonderful",
    "sunday",
    "mornings",
    "remind",
    "gregory",
    "violin",
    "lesson",
    "tomorrow",
}


def _saytype(*args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "app", "-vv", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def _heard(text: str) -> set[str]:
    return {word.strip(".,!?").lower() for word in text.split()} & SPOKEN


def _log_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in log_dir().glob("saytype.log*"))


def _assert_no_word_leaked(text: str) -> None:
    leaked = {word for word in SPOKEN if word in text.lower()}
    assert leaked == set(), [line for line in text.splitlines() if _heard(line)]


@pytest.mark.model
def test_no_dictated_word_reaches_the_debug_log(tmp_path: Path, speech: SpeechMaker) -> None:
    spoken = speech.wav(SENTENCES, tmp_path / "private.wav", pause_s=0.8)

    events = [
        json.loads(line)
        for line in _saytype(
            "listen", "--input", str(spoken), "--push-to-talk", "--jsonl", "--speed", "1"
        ).splitlines()
    ]
    transcribed = json.loads(_saytype("transcribe", str(spoken), "--format", "json"))

    # The words went through the code that logs: the outputs hold them.
    assert len(_heard(events[-1]["text"])) >= 7, events[-1]
    assert len(_heard(transcribed["text"])) >= 7, transcribed["text"]
    assert any(event["type"] == "commit" for event in events)
    text = _log_text()
    assert " DEBUG [" in text  # the file really logged at DEBUG
    _assert_no_word_leaked(text)


@pytest.fixture
def debug_log(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> Iterator[None]:
    """Saytype's logging at DEBUG with its Qt part, in a root logger emptied for the test."""
    from app.ui.shell.qt_log import install_qt_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    logs = start_logging(logging.CRITICAL, logging.DEBUG)
    assert logs is not None
    install_qt_logging(logs)
    yield
    logs.close()


@pytest.mark.gui
def test_the_gui_dictation_path_logs_no_dictated_word(
    qtbot: QtBot, tmp_path: Path, debug_log: None
) -> None:
    assert logging.getLogger("app").isEnabledFor(logging.DEBUG)
    words = " ".join(SENTENCES).split()
    rig = build_rig(tmp_path, words, type_as_i_speak=True)
    try:
        commits: list[str] = []
        rig.worker.committed.connect(lambda _job, text: commits.append(text))
        with qtbot.waitSignal(rig.controller.completed, timeout=20_000):
            assert rig.controller.start(source="hotkey")
            qtbot.waitUntil(lambda: len(_heard(" ".join(commits))) >= 3, timeout=20_000)
            rig.controller.stop()
        entry = rig.history.latest()
        assert entry is not None
        assert len(_heard(entry.text)) >= 3  # saved, typed and logged about
        assert rig.delivery.typed == entry.text + " "
    finally:
        rig.close()
    _assert_no_word_leaked(_log_text())
