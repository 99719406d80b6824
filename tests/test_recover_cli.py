"""``saytype recover``: kill -9 in the middle of ``saytype listen``, then get the words back.

The acceptance test of the crash journal: a real ``saytype listen`` process is
fed hibari-tts speech at real time, killed with SIGKILL mid-sentence, and
``saytype recover --jsonl`` must give back the sentences spoken up to about a
second before the kill, into history, and nothing spoken after it.
"""

from __future__ import annotations

import functools
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from app.cli import build_parser
from app.core.audio.file_decoder import decode_file
from app.core.audio.journal_recovery import find_unfinished_journals
from app.core.audio.mic_source import MicSource
from app.core.audio.recording_journal import RecordingJournal, journals_dir
from app.core.output.history import HistoryStore
from app.core.settings import Settings
from app.core.settings_file import save_settings
from saytype_bench.accuracy import word_error_rate
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.journal_spy import journal_holding
from tests.support.speech import SpeechMaker

SENTENCES = [
    "Please book a table for four people at seven tonight.",
    "The museum is closed on Mondays.",
    "My sister bought a new bicycle last week.",
    "We should leave early to avoid the traffic.",
    "The library opens at nine in the morning.",
    "Could you send me the report before lunch?",
]
PAUSE_S = 0.6
KILL_AFTER_S = 8.0  # inside the third sentence
JOURNAL_LAG_S = 1.0  # the promise: the words up to about a second before the kill


def _saytype(*args: str | Path, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "app", *map(str, args)],
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        **popen,
    )


@pytest.fixture(scope="module")
def spoken(
    tmp_path_factory: pytest.TempPathFactory, speech: SpeechMaker
) -> tuple[Path, list[tuple[float, float]]]:
    """The sentences in one WAV, and each sentence's (start, end) in seconds."""
    parts, spans, t = [], [], 0.0
    for sentence in SENTENCES:
        audio = speech.samples(sentence, PAUSE_S)
        seconds = len(audio) / speech.sample_rate
        parts.append(audio)
        spans.append((t, t + seconds - PAUSE_S))
        t += seconds
    path = tmp_path_factory.mktemp("speech") / "sentences.wav"
    from app.core.audio.wav_file import write_wav

    write_wav(path, np.concatenate(parts), speech.sample_rate)
    return path, spans


@pytest.mark.model
def test_kill_9_mid_dictation_then_recover_gives_back_the_words_spoken(
    spoken: tuple[Path, list[tuple[float, float]]],
) -> None:
    wav, spans = spoken
    listen = _saytype("listen", "--input", wav, "--speed", "1", "--jsonl", stdout=subprocess.PIPE)
    with listen:
        assert listen.stdout is not None
        fed_s = 0.0
        deadline = time.monotonic() + 120
        while fed_s < KILL_AFTER_S and time.monotonic() < deadline:
            line = listen.stdout.readline()
            if not line:
                break
            fed_s = json.loads(line)["audio_t"]
        assert fed_s >= KILL_AFTER_S, "listen ended before the kill point"
        listen.send_signal(signal.SIGKILL)
        assert listen.wait(timeout=30) == -signal.SIGKILL
    assert len(list(journals_dir().glob("*.wav"))) == 1  # left behind by the killed process

    recover = _saytype("recover", "--jsonl", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = recover.communicate(timeout=300)
    assert recover.returncode == 0, err
    (line,) = out.splitlines()
    result = json.loads(line)
    assert set(result) == {"text", "duration", "journal", "history_id"}
    # The audio reaches the journal within a second of being heard.
    assert result["duration"] >= fed_s - JOURNAL_LAG_S
    assert result["duration"] <= spans[-1][1] + PAUSE_S
    # The sentences finished a second before the kill are all there, in order.
    spoken_by = fed_s - JOURNAL_LAG_S
    finished = [s for s, (_, end) in zip(SENTENCES, spans, strict=True) if end <= spoken_by]
    assert len(finished) == 2
    reference = " ".join(finished)
    words = result["text"].split()
    heard = " ".join(words[: len(reference.split())])
    assert word_error_rate([reference], [heard]) <= 0.25, result["text"]
    # Nothing from after the kill: the sentences that started later are not there.
    later = [s for s, (start, _end) in zip(SENTENCES, spans, strict=True) if start > fed_s]
    assert len(later) >= 2
    later_words = {w.strip("?.,").lower() for s in later for w in s.split() if len(w) > 3}
    assert not later_words & {w.strip("?.,").lower() for w in words}, result["text"]
    assert not Path(result["journal"]).exists()
    with HistoryStore() as history:
        entry = history.get(result["history_id"])
    assert entry is not None
    assert entry.text == result["text"]
    assert entry.duration_s == pytest.approx(result["duration"], abs=0.001)

    again = _saytype("recover", stdout=subprocess.PIPE)
    assert again.communicate(timeout=120)[0] == "Nothing to recover.\n"


def _run(argv: list[str]) -> tuple[int, str, str]:
    args = build_parser().parse_args(argv)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = args.run(args, stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def one_sentence(tmp_path_factory: pytest.TempPathFactory, speech: SpeechMaker) -> Path:
    return speech.wav(SENTENCES[1], tmp_path_factory.mktemp("speech") / "one.wav")


@pytest.mark.model
def test_a_normal_listen_leaves_no_journal(one_sentence: Path) -> None:
    status, out, _err = _run(["listen", "--input", str(one_sentence), "--speed", "0", "--jsonl"])
    assert status == 0
    assert json.loads(out.splitlines()[-1])["type"] == "final"
    assert journals_dir().is_dir()  # it was written…
    assert list(journals_dir().iterdir()) == []  # …and deleted at the normal end


@pytest.mark.model
def test_paused_history_writes_no_journal_in_listen(one_sentence: Path) -> None:
    save_settings(Settings(pause_history=True))
    status, _out, _err = _run(["listen", "--input", str(one_sentence), "--speed", "0"])
    assert status == 0
    assert not journals_dir().exists()


def test_nothing_to_recover() -> None:
    assert _run(["recover"]) == (0, "Nothing to recover.\n", "")
    assert _run(["recover", "--jsonl"]) == (0, "", "Nothing to recover.\n")


def test_empty_journals_are_cleaned_with_a_note_and_live_ones_left_alone() -> None:
    empty = RecordingJournal.create()
    empty.close()  # a crash before any audio arrived
    live = RecordingJournal.create()  # still recording (this process holds its lock)
    live.append(np.zeros(16_000, np.float32))
    try:
        status, out, err = _run(["recover", "--jsonl"])
        assert (status, out) == (0, "")
        assert "removed an empty recording journal" in err
        assert not empty.path.exists()
        assert live.path.exists()
    finally:
        live.discard()


@pytest.mark.model
def test_recover_prints_a_sentence_and_keeps_audio_when_asked(one_sentence: Path) -> None:
    save_settings(Settings(keep_audio=True))
    audio = decode_file(one_sentence).samples
    journal = RecordingJournal.create(model="tiny.en")
    journal.append(audio)
    journal.close()
    status, out, _err = _run(["recover"])
    assert status == 0
    first, text = out.splitlines()
    assert first.startswith(f"Recovered {len(audio) / 16_000:.1f} s dictated at ")
    assert first.endswith("(saved to history as #1):")
    assert word_error_rate([SENTENCES[1]], [text.strip()]) == 0
    with HistoryStore() as history:
        entry = history.get(1)
    assert entry is not None
    assert entry.audio_path is not None
    assert decode_file(Path(entry.audio_path)).samples.shape == audio.shape
    assert list(journals_dir().iterdir()) == []


@pytest.mark.model
def test_listen_from_the_microphone_journals_until_enter(
    one_sentence: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.commands import listen_mic

    fake = FakeSoundDevice(decode_file(one_sentence).samples, realtime=True)
    monkeypatch.setattr(listen_mic, "MicSource", functools.partial(MicSource, backend=fake))
    args = build_parser().parse_args(["listen", "--jsonl"])
    journaled = journal_holding(monkeypatch, 1.0)
    ready = threading.Event()
    stdout, stderr = io.StringIO(), io.StringIO()
    result: list[int] = []
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stdin, os.fdopen(write_end, "w") as enter:
        worker = threading.Thread(
            target=lambda: result.append(
                listen_mic.run_mic(args, stdout, stderr, stdin, on_listening=ready.set)
            )
        )
        worker.start()
        try:
            assert ready.wait(120), stderr.getvalue()
            assert journaled.wait(30), stderr.getvalue()  # the journal's thread wrote 1 s
            assert _journal_holds(1.0)  # and it is on disk, where `saytype recover` looks
            assert find_unfinished_journals() == []  # locked: a live recording
        finally:
            enter.write("\n")
            enter.flush()
            worker.join(120)
    assert result == [0], stderr.getvalue()
    assert list(journals_dir().iterdir()) == []


def _journal_holds(seconds: float) -> bool:
    files = list(journals_dir().glob("*.wav")) if journals_dir().exists() else []
    return len(files) == 1 and files[0].stat().st_size >= 44 + seconds * 32_000
