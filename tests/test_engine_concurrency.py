"""One model, many threads: live dictations and file jobs at once, no errors, no crossed results.

CTranslate2 documents its models as callable from several Python threads (the
calls release the GIL and queue for the model's workers), and faster-whisper
keeps per-call state in locals, so the engine shares one ModelHost without a
lock. This test holds the engine to that: dictation threads (each closing the
dictation gate while it talks, as the app does) and file-job threads (waiting at
the gate) run together for several rounds, every job with its own sentence, and
each result must be its own sentence and no other's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.audio.file_decoder import AudioArray, decode_file
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from saytype_bench.accuracy import word_error_rate
from saytype_bench.live import dictate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

DICTATION_THREADS = 2
FILE_THREADS = 2
ROUNDS = 3
# One sentence per job: (DICTATION_THREADS + FILE_THREADS) * ROUNDS of them.
SENTENCES = [
    "The orange cat sleeps on the warm windowsill.",
    "Turn left at the church and park behind the bank.",
    "Our flight to Lisbon departs at half past six.",
    "He forgot his umbrella on the crowded tram.",
    "The soup needs more salt and a little pepper.",
    "Grandmother knitted a scarf for every grandchild.",
    "The printer on the third floor is out of paper.",
    "Lightning struck the old oak tree last night.",
    "Please lock the garage door before you leave.",
    "The orchestra rehearsed the symphony all afternoon.",
    "A dentist appointment was moved to next Tuesday.",
    "The puppy chewed through my favourite slippers.",
]
OWN_WER_MAX = 0.25
OTHER_WER_MIN = 0.6


@dataclass(frozen=True)
class Job:
    sentence: str
    path: Path
    audio: AudioArray


@pytest.fixture(scope="module")
def jobs(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> list[Job]:
    folder = tmp_path_factory.mktemp("concurrency")
    made = []
    for index, sentence in enumerate(SENTENCES):
        path = speech.wav(sentence, folder / f"job{index}.wav", pause_s=0.5)
        made.append(Job(sentence, path, decode_file(path).samples))
    return made


def test_dictations_and_file_jobs_share_one_model(tiny_en: ModelHost, jobs: list[Job]) -> None:
    pipeline = LivePipeline(tiny_en)
    pipeline.warm_up()
    files = FileTranscriber(tiny_en)
    gate = PauseGate()
    results: dict[int, str] = {}
    errors: list[str] = []
    start = threading.Barrier(DICTATION_THREADS + FILE_THREADS)

    def dictation_job(index: int) -> str:
        gate.close()  # as the app does: file jobs wait while someone dictates
        try:
            trace = dictate(pipeline, jobs[index].audio, speed=0)
        finally:
            gate.release()
        assert trace.final_text is not None, "the dictation produced no final text"
        return trace.final_text

    def file_job(index: int) -> str:
        transcript = files.transcribe_file(jobs[index].path, gate=gate)
        assert transcript.complete
        return transcript.text

    def worker(first: int, run: Callable[[int], str]) -> None:
        start.wait()
        for round_ in range(ROUNDS):
            index = first + round_ * (DICTATION_THREADS + FILE_THREADS)
            try:
                results[index] = run(index)
            except BaseException as exc:  # every failure is reported, none kills the test
                errors.append(f"job {index}: {type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=worker, args=(slot, dictation_job), name=f"dictation-{slot}")
        for slot in range(DICTATION_THREADS)
    ] + [
        threading.Thread(target=worker, args=(DICTATION_THREADS + slot, file_job))
        for slot in range(FILE_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a job hung"
    assert errors == []
    assert sorted(results) == list(range(len(SENTENCES)))
    for index, text in results.items():
        own = word_error_rate([SENTENCES[index]], [text])
        assert own <= OWN_WER_MAX, (index, text)
        for other, sentence in enumerate(SENTENCES):
            if other != index:
                assert word_error_rate([sentence], [text]) >= OTHER_WER_MIN, (index, other, text)
    assert gate.is_open
