"""The crash journal: appends, fsync cadence, locks, permissions, repair after a kill."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.journal_recovery import (
    ClaimedJournal,
    JournalError,
    find_unfinished_journals,
    save_recovered,
)
from app.core.audio.recording_journal import (
    RecordingJournal,
    journals_dir,
    sidecar_path,
    wav_header,
)
from app.core.output.history import HistoryStore

RATE = 16_000


def _tone(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tone: np.ndarray = rng.uniform(-0.5, 0.5, int(seconds * RATE)).astype(np.float32)
    return tone


def _pcm16(samples: np.ndarray) -> np.ndarray:
    """What the journal stores: the same 16-bit rounding as app.core.audio.wav_file."""
    stored: np.ndarray = (np.clip(samples, -1, 1) * 32767).astype("<i2").astype(np.float32)
    return stored / 32767


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_journal_is_private_and_described_by_its_sidecar() -> None:
    journal = RecordingJournal.create(model="tiny.en", source="test")
    try:
        assert journal.path.parent == journals_dir()
        assert stat.S_IMODE(journals_dir().stat().st_mode) == 0o700
        assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(sidecar_path(journal.path).stat().st_mode) == 0o600
        info = json.loads(sidecar_path(journal.path).read_text())
        assert info["model"] == "tiny.en"
        assert info["source"] == "test"
        assert info["sample_rate"] == RATE
        assert info["pid"] == os.getpid()
        assert journal.path.read_bytes() == wav_header(0)
        assert not [p for p in journals_dir().iterdir() if p.name.startswith(".")]
    finally:
        journal.discard()
    assert list(journals_dir().iterdir()) == []


def test_fsync_runs_at_most_once_per_interval_and_makes_the_header_true() -> None:
    clock = FakeClock()
    journal = RecordingJournal.create(clock=clock, sync_interval_s=1.0)
    try:
        for _ in range(4):  # at 0.0, 0.3, 0.6 and 0.9 s: written, not yet synced
            journal.append(_tone(0.25))
            clock.now += 0.3
        assert journal.syncs == 0
        journal.append(_tone(0.25))  # 1.2 s after the start
        assert journal.syncs == 1
        clock.now += 0.1
        journal.append(_tone(0.25))
        assert journal.syncs == 1  # 0.1 s after the last sync
        with wave.open(str(journal.path)) as handle:  # a valid WAV up to the last sync
            assert handle.getnframes() == 5 * RATE // 4
        clock.now += 1.0
        journal.append(_tone(0.25))
        assert journal.syncs == 2
        assert journal.duration_s == pytest.approx(1.75)
        with wave.open(str(journal.path)) as handle:
            assert handle.getnframes() == 7 * RATE // 4
            assert handle.getframerate() == RATE
    finally:
        journal.discard()


def test_a_journal_still_being_recorded_is_never_offered() -> None:
    journal = RecordingJournal.create()
    journal.append(_tone(0.5))
    try:
        assert find_unfinished_journals() == []  # our own lock: a live recorder
        assert ClaimedJournal.claim(journal.path) is None
    finally:
        journal.close()  # the recorder stops without a normal end (a failed dictation)
    (found,) = find_unfinished_journals()
    assert found.path == journal.path
    assert found.duration_s == pytest.approx(0.5)


_CHILD = textwrap.dedent(
    """
    import sys, numpy as np
    from app.core.audio.recording_journal import RecordingJournal
    journal = RecordingJournal.create(model="tiny.en", source="child")
    audio = np.load(sys.argv[1])
    for start in range(0, len(audio), 4000):
        journal.append(audio[start:start + 4000])
    print(journal.path, flush=True)
    sys.stdin.read()  # wait to be killed
    """
)


def test_a_killed_recorder_leaves_a_journal_that_repairs_to_every_whole_sample(
    tmp_path: Path,
) -> None:
    audio = _tone(1.5, seed=3)
    np.save(tmp_path / "audio.npy", audio)
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path / "audio.npy")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        path = Path(child.stdout.readline().strip())
        assert find_unfinished_journals() == []  # alive: its lock is held
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    with path.open("ab") as handle:
        handle.write(b"\x01")  # half a sample: the write the kill tore
    (found,) = find_unfinished_journals()
    assert (found.path, found.model, found.source) == (path, "tiny.en", "child")
    claim = ClaimedJournal.claim(path)
    assert claim is not None
    with claim:
        assert claim.repair() == pytest.approx(1.5)
        assert np.array_equal(claim.read_audio(), _pcm16(audio))
    assert path.stat().st_size == 44 + 2 * len(audio)
    with wave.open(str(path)) as handle:  # the header now tells the truth
        assert handle.getnframes() == len(audio)


def test_empty_and_foreign_journals() -> None:
    folder = journals_dir()
    folder.mkdir(parents=True)
    (folder / "20260101-000000-1.wav").write_bytes(b"RIFF")  # died before its header
    (folder / "20260101-000001-1.wav").write_bytes(b"x" * 100)
    claim = ClaimedJournal.claim(folder / "20260101-000000-1.wav")
    assert claim is not None
    assert claim.repair() == 0.0
    claim.discard()
    assert not (folder / "20260101-000000-1.wav").exists()
    claim = ClaimedJournal.claim(folder / "20260101-000001-1.wav")
    assert claim is not None
    with claim, pytest.raises(JournalError, match="not a Saytype recording journal"):
        claim.repair()
    assert (folder / "20260101-000001-1.wav").exists()  # never deleted: not ours to judge


def test_a_journal_whose_header_was_damaged_is_rebuilt_from_what_it_is() -> None:
    audio = _tone(2.0)
    journal = RecordingJournal.create(model="small")
    journal.append(audio)
    journal.close()
    with journal.path.open("r+b") as damaged:
        damaged.write(b"\0" * 30)  # the header's first bytes, as a failing disk leaves them
    claim = ClaimedJournal.claim(journal.path)
    assert claim is not None
    with claim:
        assert claim.repair() == pytest.approx(2.0)
        np.testing.assert_allclose(claim.read_audio(), _pcm16(audio), atol=1e-4)
    with wave.open(str(journal.path)) as readable:  # a valid WAV again
        assert (readable.getframerate(), readable.getnframes()) == (RATE, 2 * RATE)


def _crashed_journal(seconds: float) -> Path:
    journal = RecordingJournal.create(model="small")
    journal.append(_tone(seconds))
    journal.close()
    return journal.path


@pytest.mark.parametrize("keep_audio", [False, True])
def test_recovered_text_goes_to_history_then_the_journal_goes(
    keep_audio: bool, tmp_path: Path
) -> None:
    path = _crashed_journal(2.0)
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        claim = ClaimedJournal.claim(path)
        assert claim is not None
        claim.repair()
        entry = save_recovered(
            claim, "hello there", history, model="tiny.en", keep_audio=keep_audio
        )
        assert entry is not None
        assert history.get(entry.id) == entry
        assert entry.created_at == claim.started_at  # dated when it was said
    assert entry.text == "hello there"
    assert entry.duration_s == pytest.approx(2.0)
    assert not path.exists()
    assert not sidecar_path(path).exists()
    if keep_audio:
        assert entry.audio_path is not None
        kept = Path(entry.audio_path)
        assert kept.name.endswith("-recovered.wav")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        with wave.open(str(kept)) as handle:
            assert handle.getnframes() == 2 * RATE
    else:
        assert entry.audio_path is None


def test_nothing_heard_saves_nothing(tmp_path: Path) -> None:
    path = _crashed_journal(0.5)
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        claim = ClaimedJournal.claim(path)
        assert claim is not None
        claim.repair()
        assert save_recovered(claim, "", history, model="tiny.en", keep_audio=True) is None
        assert history.count() == 0
    assert not path.exists()
