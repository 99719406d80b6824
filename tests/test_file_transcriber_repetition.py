"""Files of alike sentences keep every sentence; a decoder loop is still decoded again.

faster-whisper's repetition check took speech of alike sentences for a decoder
loop and decoded it again by sampling, and a sampled decode that dropped a
sentence was the one taken (decision 0056).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import (
    ComputeOptions,
    ModelHost,
    WhisperLike,
    WhisperSegmentLike,
    faster_whisper_factory,
)
from app.core.engine.model_registry import ModelSource, resolve_model
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

ADJECTIVES, THINGS = ["old", "small", "broken", "wooden"], ["desk", "lamp", "chair", "window"]
PARTS = ["handle", "bulb", "screw", "lock"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Read out like a list: over 30 s they compress 2.5-2.6 times, past faster-whisper's 2.4.
ALIKE = [
    f"The {ADJECTIVES[i % 4]} {THINGS[i * 2 % 4]} in room {10 + i} needs a new "
    f"{PARTS[(i + 1) % 4]} before {DAYS[i % 7]} morning."
    for i in range(9)
]


@pytest.fixture(scope="module")
def alike_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(ALIKE, tmp_path_factory.mktemp("alike") / "rooms.wav", pause_s=0.4)


class RecordedCalls:
    """Builds the model through ``make`` and writes down each transcribe call."""

    def __init__(self, make: Any) -> None:
        self.make = make
        self.calls: list[tuple[int, dict[str, Any]]] = []  # (samples, keyword arguments)

    def factory(self, source: ModelSource, options: ComputeOptions) -> WhisperLike:
        model = self.make(source, options)
        calls = self.calls

        class Recorded:
            def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Iterable[Any], Any]:
                calls.append((len(audio), kwargs))
                return model.transcribe(audio, **kwargs)

        return Recorded()


@pytest.mark.model
def test_alike_sentences_are_all_kept_as_beam_search_heard_them(alike_wav: Path) -> None:
    recorded = RecordedCalls(faster_whisper_factory)
    host = ModelHost(resolve_model("tiny.en"), factory=recorded.factory)
    transcript = FileTranscriber(host).transcribe_file(alike_wav, TranscribeOptions(language="en"))
    assert word_error_rate([" ".join(ALIKE)], [transcript.text]) == 0.0, transcript.text
    # One decode, without the check that sent such clips to sampled decodes.
    assert [kwargs.get("compression_ratio_threshold", 2.4) for _, kwargs in recorded.calls] == [
        None
    ]


@dataclass(frozen=True)
class Scripted:
    start: float
    end: float
    text: str
    seek: int
    compression_ratio: float


class ScriptedModel:
    """Hears what it is told: the first call loops at 20 s, the second call does not."""

    def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Iterable[Any], Any]:
        info = type("Info", (), {"language": "en", "duration": len(audio) / SAMPLE_RATE})()
        if kwargs.get("compression_ratio_threshold", 2.4) is None:
            return self._looping(), info
        return iter([Scripted(0.2, 3.0, " The second part.", 0, 1.3)]), info

    def _looping(self) -> Iterator[WhisperSegmentLike]:
        yield Scripted(0.2, 3.0, " The first part.", 0, 1.2)
        loop = " Room ten. Room ten. Room ten. Room ten. Room ten."
        yield Scripted(20.2, 23.0, loop, 2000, 3.4)
        yield Scripted(23.0, 26.0, " Never taken.", 2300, 1.2)


def test_from_a_clip_that_looped_the_window_is_decoded_again_with_the_check(
    speech: SpeechMaker, tmp_path: Path
) -> None:
    audio = np.concatenate([speech.samples(text, pause_s=0.4) for text in ALIKE])
    path = tmp_path / "rooms.wav"
    write_wav(path, audio, speech.sample_rate)
    duration = len(audio) / speech.sample_rate
    scripted = ScriptedModel()
    recorded = RecordedCalls(lambda _source, _options: scripted)
    host = ModelHost(resolve_model("tiny.en"), factory=recorded.factory)
    transcript = FileTranscriber(host).transcribe_file(path, TranscribeOptions(language="en"))
    assert transcript.text == "The first part. The second part."
    first, second = transcript.segments
    assert first.start < 3
    assert 20 <= second.start < 23  # the second call's times, from 20 s on
    (checked, _), (again, kwargs) = recorded.calls
    assert checked / SAMPLE_RATE == pytest.approx(duration, abs=0.01)
    assert again / SAMPLE_RATE == pytest.approx(duration - 20, abs=0.01)
    assert "compression_ratio_threshold" not in kwargs  # faster-whisper's own check
