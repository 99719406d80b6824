"""The inference worker: signals in order, prompt cancel, no leaked events, clean shutdown."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.audio.file_source import FileSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.ui.dictation.inference_worker import InferenceWorker
from saytype_bench.accuracy import word_error_rate
from tests.fakes.scripted_pipeline import ScriptedPipeline
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.gui

WORDS = ["please", "remind", "me", "to", "water", "the", "plants", "on", "friday", "morning"]


class AudioFeeder:
    """Writes silence blocks into the ring from a thread, like an open microphone."""

    def __init__(self, ring: RingBuffer, new_audio: threading.Event) -> None:
        self._ring = ring
        self._new_audio = new_audio
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        block = np.zeros(512, dtype=np.float32)
        while not self._stop.wait(0.004):  # paces the fake microphone at ~4 ms per block
            self._ring.write(block)
            self._new_audio.set()

    def __enter__(self) -> AudioFeeder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def scripted_worker(qtbot: QtBot) -> Iterator[tuple[InferenceWorker, RingBuffer, threading.Event]]:
    ring = RingBuffer(capacity_seconds=30)
    new_audio = threading.Event()
    worker = InferenceWorker(ScriptedPipeline(WORDS), ring, new_audio)
    yield worker, ring, new_audio
    assert worker.shutdown(timeout_ms=5000)


def test_job_emits_partials_commits_then_final(
    qtbot: QtBot, scripted_worker: tuple[InferenceWorker, RingBuffer, threading.Event]
) -> None:
    worker, ring, new_audio = scripted_worker
    seen: list[tuple[str, int, str]] = []
    worker.partial.connect(lambda j, t: seen.append(("partial", j, t)))
    worker.committed.connect(lambda j, t: seen.append(("commit", j, t)))
    worker.final.connect(lambda j, t: seen.append(("final", j, t)))
    with AudioFeeder(ring, new_audio):
        job = worker.start()
        qtbot.waitUntil(lambda: sum(kind == "partial" for kind, _, _ in seen) >= 4, timeout=5000)
        with qtbot.waitSignal(worker.final, timeout=5000) as final:
            worker.finish(job)
    assert final.args is not None
    assert final.args[0] == job
    assert final.args[1].split() == WORDS[: len(final.args[1].split())]
    assert {j for _, j, _ in seen} == {job}
    assert [kind for kind, _, _ in seen].count("commit") >= 1
    qtbot.waitUntil(lambda: not worker.is_running, timeout=5000)


def test_two_hundred_random_cancels_leak_no_events(
    qtbot: QtBot, scripted_worker: tuple[InferenceWorker, RingBuffer, threading.Event]
) -> None:
    worker, ring, new_audio = scripted_worker
    log: list[tuple[str, int]] = []
    for signal, name in (
        (worker.partial, "partial"),
        (worker.committed, "commit"),
        (worker.final, "final"),
        (worker.failed, "failed"),
    ):
        signal.connect(lambda j, _t, name=name: log.append((name, j)))
    worker.cancelled.connect(lambda j: log.append(("cancelled", j)))
    chooser = random.Random(20261124)
    jobs = []
    with AudioFeeder(ring, new_audio):
        for _ in range(200):
            job = worker.start()
            jobs.append(job)
            wait_for = chooser.randint(0, 3)  # cancel before any event, or after a few
            qtbot.waitUntil(
                lambda job=job, n=wait_for: sum(j == job for _, j in log) >= n, timeout=5000
            )
            worker.cancel(job)
        qtbot.waitUntil(lambda: not worker.is_running, timeout=10_000)
    leaked = []
    for job in jobs:
        entries = [name for name, j in log if j == job]
        assert entries.count("cancelled") == 1
        after = entries[entries.index("cancelled") + 1 :]
        leaked.extend(after)
        assert "final" not in entries
    assert leaked == []


def test_cancel_makes_the_worker_idle_promptly(
    qtbot: QtBot, scripted_worker: tuple[InferenceWorker, RingBuffer, threading.Event]
) -> None:
    worker, ring, new_audio = scripted_worker
    with AudioFeeder(ring, new_audio):
        job = worker.start()
        qtbot.waitSignal(worker.partial, timeout=5000).wait()
        with qtbot.waitSignals([worker.cancelled, worker.idle], order="strict", timeout=5000):
            worker.cancel(job)
    assert not worker.is_running


def test_shutdown_during_a_job_returns(qtbot: QtBot) -> None:
    ring = RingBuffer(capacity_seconds=30)
    new_audio = threading.Event()
    worker = InferenceWorker(ScriptedPipeline(WORDS, pass_seconds=0.05), ring, new_audio)
    with AudioFeeder(ring, new_audio):
        worker.start()
        qtbot.waitSignal(worker.partial, timeout=5000).wait()
        assert worker.shutdown(timeout_ms=5000)


@pytest.mark.model
def test_real_model_dictation_through_the_worker(
    qtbot: QtBot, tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path
) -> None:
    sentence = "Remember to buy milk and fresh bread on the way home tonight."
    wav = speech.wav(sentence, tmp_path / "errand.wav")
    ring = RingBuffer(capacity_seconds=30)
    new_audio = threading.Event()
    worker = InferenceWorker(LivePipeline(tiny_en), ring, new_audio)
    try:
        with qtbot.waitSignal(worker.model_ready, timeout=60_000):
            worker.load_model()
        job = worker.start(0)
        done = threading.Event()
        source = FileSource(wav, ring, speed=3.0, on_block=new_audio.set, on_end=done.set)
        source.start()
        qtbot.waitUntil(done.is_set, timeout=30_000)
        with qtbot.waitSignal(worker.final, timeout=30_000) as final:
            worker.finish(job)
        source.stop()
        assert final.args is not None
        assert word_error_rate([sentence], [final.args[1]]) <= 0.1, final.args[1]
    finally:
        assert worker.shutdown()


@pytest.mark.model
def test_dictation_started_right_after_a_cancel_hears_all_its_words(
    qtbot: QtBot, tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path
) -> None:
    dropped = speech.wav("Please forget this whole sentence about the old car.", tmp_path / "a.wav")
    kept = "Schedule the dentist appointment for next Tuesday afternoon."
    ring = RingBuffer(capacity_seconds=30)
    new_audio = threading.Event()
    worker = InferenceWorker(LivePipeline(tiny_en), ring, new_audio)
    finals: list[tuple[int, str]] = []
    worker.final.connect(lambda job_id, text: finals.append((job_id, text)))
    try:
        with qtbot.waitSignal(worker.model_ready, timeout=60_000):
            worker.load_model()
        first = worker.start(0)
        source = FileSource(dropped, ring, speed=1.0, on_block=new_audio.set)
        source.start()
        qtbot.waitSignal(worker.partial, timeout=30_000).wait()
        source.stop()
        # Cancel and start again at once: the new job queues behind the cancelled
        # pass, and its audio waits in the ring meanwhile.
        worker.cancel(first)
        second = worker.start()
        done = threading.Event()
        source = FileSource(
            speech.wav(kept, tmp_path / "b.wav"), ring, on_block=new_audio.set, on_end=done.set
        )
        source.start()
        qtbot.waitUntil(done.is_set, timeout=30_000)
        with qtbot.waitSignal(worker.final, timeout=30_000):
            worker.finish(second)
        source.stop()
        assert [job_id for job_id, _ in finals] == [second]
        assert word_error_rate([kept], [finals[0][1]]) <= 0.1, finals[0][1]
    finally:
        assert worker.shutdown()
