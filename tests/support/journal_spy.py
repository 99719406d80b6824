"""Watches the crash journal's file operations as they run (each spy calls the real one).

Which thread each operation runs on, and when a journal holds enough audio: the
journal writes on a thread of its own, so this is what a test can wait on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from app.core.audio.recording_journal import RecordingJournal

FILE_CALLS = ("append", "sync", "close", "discard", "keep_as")


def spy_on_journal_files(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(call, thread name) for every RecordingJournal file operation from now on."""
    seen: list[tuple[str, str]] = []

    def noting(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def spy(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, threading.current_thread().name))
            return call(*args, **kwargs)

        return spy

    create = RecordingJournal.create
    monkeypatch.setattr(RecordingJournal, "create", noting("create", create))
    for name in FILE_CALLS:
        monkeypatch.setattr(RecordingJournal, name, noting(name, getattr(RecordingJournal, name)))
    return seen


def journal_holding(monkeypatch: pytest.MonkeyPatch, seconds: float) -> threading.Event:
    """An event set once a RecordingJournal's appends have written ``seconds`` of audio."""
    reached = threading.Event()
    append = RecordingJournal.append

    def appending(journal: RecordingJournal, *args: Any, **kwargs: Any) -> None:
        append(journal, *args, **kwargs)
        if journal.duration_s >= seconds:
            reached.set()

    monkeypatch.setattr(RecordingJournal, "append", appending)
    return reached
