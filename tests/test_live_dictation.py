"""The live pipeline end to end: hibari speech through FileSource, the ring buffer and tiny.en."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_source import FileSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

SENTENCES = [
    "I am writing to confirm our meeting on Thursday afternoon.",
    "Please bring the latest sales figures and the new contract.",
    "If anything changes, send me a message before noon.",
]


@pytest.fixture(scope="module")
def pipeline(tiny_en: ModelHost) -> LivePipeline:
    live = LivePipeline(tiny_en)
    live.warm_up()
    return live


@pytest.fixture(scope="module")
def dictation_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCES, tmp_path_factory.mktemp("live") / "dictation.wav", pause_s=0.7)


def dictate(pipeline: LivePipeline, path: Path, speed: float) -> list[DictationEvent]:
    ring = RingBuffer(capacity_seconds=60)
    new_audio = threading.Event()
    release = Release()
    events: list[DictationEvent] = []

    def end_of_input() -> None:
        release.release(ring.position)
        new_audio.set()

    source = FileSource(path, ring, speed=speed, on_block=new_audio.set, on_end=end_of_input)
    source.start()
    final = run_dictation(
        ring, 0, pipeline.new_transcriber(), release, CancellationToken(), events.append, new_audio
    )
    source.stop()
    assert source.error is None
    assert final is not None
    return events


def test_final_text_matches_what_was_said(pipeline: LivePipeline, dictation_wav: Path) -> None:
    events = dictate(pipeline, dictation_wav, speed=4.0)
    kinds = [event.kind for event in events]
    assert kinds[-1] == "final"
    assert kinds.count("final") == 1
    assert "partial" in kinds
    assert "commit" in kinds
    final = events[-1].text
    assert word_error_rate([" ".join(SENTENCES)], [final]) <= 0.1, final
    # Commits are never retracted, and the final starts with (nearly) the same words.
    committed = "".join(event.text for event in events if event.kind == "commit").split()
    assert committed
    final_head = final.split()[: len(committed)]
    assert word_error_rate([" ".join(committed)], [" ".join(final_head)]) <= 0.2


def test_silence_produces_no_text(pipeline: LivePipeline, tmp_path: Path) -> None:
    from app.core.audio.wav_file import write_wav

    quiet = tmp_path / "quiet.wav"
    rng = np.random.default_rng(7)
    write_wav(quiet, (rng.standard_normal(16_000 * 4) * 0.002).astype(np.float32), 16_000)
    events = dictate(pipeline, quiet, speed=0)
    assert [event.kind for event in events] == ["final"]
    assert events[-1].text == ""


def test_cancel_stops_the_loop_and_emits_nothing_more(
    pipeline: LivePipeline, dictation_wav: Path
) -> None:
    ring = RingBuffer(capacity_seconds=60)
    new_audio = threading.Event()
    cancel = CancellationToken()
    events: list[DictationEvent] = []

    def emit(event: DictationEvent) -> None:
        events.append(event)
        if len(events) == 3:
            cancel.cancel()

    source = FileSource(dictation_wav, ring, speed=4.0, on_block=new_audio.set)
    source.start()
    result = run_dictation(ring, 0, pipeline.new_transcriber(), Release(), cancel, emit, new_audio)
    source.stop()
    assert result is None
    assert len(events) == 3
    assert all(event.kind != "final" for event in events)
