"""The one crash-journal writer: exact spans, ordered requests, all file I/O on its own thread."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from app.core.audio import recording_journal
from app.core.audio.crash_journal import CrashJournal
from app.core.audio.journal_recovery import find_unfinished_journals
from app.core.audio.recording_journal import RecordingJournal, journals_dir, sidecar_path
from app.core.audio.ring_buffer import RingBuffer
from tests.support.journal_spy import spy_on_journal_files

RATE = 16_000


def _tone(seconds: float) -> np.ndarray:
    tone: np.ndarray = (
        np.random.default_rng(0).uniform(-0.5, 0.5, int(seconds * RATE)).astype(np.float32)
    )
    return tone


def _pcm16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").astype(np.float32) / 32767


@pytest.fixture
def file_threads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    return spy_on_journal_files(monkeypatch)


def test_kept_audio_is_exactly_the_dictation_span() -> None:
    ring = RingBuffer(capacity_seconds=10)
    audio = _tone(3.0)
    ring.write(audio[:RATE])
    start = ring.position_before(0.3)  # a pre-roll reaching back before "now"
    journal = CrashJournal(source="test", pump_interval_s=0.01)
    journal.begin(ring, start, model="tiny.en", pause_history=False)
    ring.write(audio[RATE:])
    end = ring.position - RATE // 2  # released half a second before the newest sample
    journal.end_at(end)
    target = journals_dir().parent / "audio" / "kept.wav"
    assert journal.keep_as(target).result(10) == target
    journal.discard()  # after a keep: nothing left to delete
    assert journal.wait_idle(10)
    with wave.open(str(target)) as handle:
        frames = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    assert np.array_equal(frames.astype(np.float32) / 32767, _pcm16(audio[start:end]))
    assert not sidecar_path(journals_dir() / target.name).exists()
    assert list(journals_dir().iterdir()) == []


def test_paused_history_writes_no_journal() -> None:
    journal = CrashJournal(source="test")
    journal.begin(RingBuffer(capacity_seconds=2), 0, model="m", pause_history=True)
    assert journal.keep_as(journals_dir() / "x.wav").result(10) is None
    journal.discard()
    assert journal.wait_idle(10)
    assert not journals_dir().exists()


def test_every_file_operation_runs_on_the_journal_thread(
    file_threads: list[tuple[str, str]],
) -> None:
    ring = RingBuffer(capacity_seconds=10)
    journal = CrashJournal(source="test", pump_interval_s=0.01)
    for ending in ("discard", "abandon", "keep"):
        journal.begin(ring, ring.position, model="m", pause_history=False)
        ring.write(_tone(0.5))
        journal.end_at(ring.position)
        if ending == "discard":
            journal.discard()
        elif ending == "abandon":
            journal.abandon()
        else:
            journal.keep_as(journals_dir().parent / "audio" / "kept.wav")
            journal.discard()
    assert journal.wait_idle(10)
    calls = {call for call, _thread in file_threads}
    assert {"create", "append", "close", "discard", "keep_as"} <= calls
    assert {thread for _call, thread in file_threads} == {"crash-journal"}
    assert len(find_unfinished_journals()) == 1  # the abandoned one, left to recover


def test_a_journal_that_cannot_be_created_is_reported_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(**_kwargs: object) -> RecordingJournal:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recording_journal.RecordingJournal, "create", refuse)
    reports: list[tuple[OSError, str]] = []
    journal = CrashJournal(
        source="test",
        on_error=lambda exc: reports.append((exc, threading.current_thread().name)),
    )
    ring = RingBuffer(capacity_seconds=2)
    journal.begin(ring, 0, model="m", pause_history=False)
    journal.end_at(ring.position)
    assert journal.keep_as(journals_dir() / "x.wav").result(10) is None
    journal.discard()
    assert journal.wait_idle(10)
    ((error, thread),) = reports
    assert error.errno == 28
    assert thread == "crash-journal"


def test_requests_keep_their_order_across_dictations(tmp_path: Path) -> None:
    ring = RingBuffer(capacity_seconds=10)
    journal = CrashJournal(source="test", pump_interval_s=0.01, folder=tmp_path)
    for _ in range(5):
        journal.begin(ring, ring.position, model="m", pause_history=False)
        ring.write(_tone(0.1))
    journal.abandon()  # only the last one is still recording: it stays
    assert journal.wait_idle(10)
    assert len(list(tmp_path.glob("*.wav"))) == 1


def test_a_dictation_that_failed_before_any_sound_leaves_nothing_to_recover(
    tmp_path: Path,
) -> None:
    # A damaged model failed the dictation 0.14 s after the press, before the microphone
    # opened: "Recover unfinished dictation (0 s)" was offered at the next start.
    ring = RingBuffer(capacity_seconds=10)
    journal = CrashJournal(source="test", pump_interval_s=0.01, folder=tmp_path)
    journal.begin(ring, ring.position, model="m", pause_history=False)
    assert journal.abandon() is False  # nothing kept, so the notice offers nothing
    assert journal.wait_idle(10)
    assert list(tmp_path.glob("*.wav")) == []
    journal.begin(ring, ring.position, model="m", pause_history=False)
    ring.write(_tone(0.1))
    assert journal.abandon() is True
    assert journal.wait_idle(10)
    assert len(list(tmp_path.glob("*.wav"))) == 1
