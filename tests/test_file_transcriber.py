"""The file transcriber reports progress and stops between segments when cancelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.transcript import Segment
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

STORY = [
    "The library opens at nine o'clock on weekdays.",
    "On Saturdays it opens an hour later.",
    "Children can borrow up to five books at a time.",
    "Please return them within three weeks.",
]


@pytest.fixture(scope="module")
def story_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Long pauses make faster-whisper emit several segments.
    return speech.wav(STORY, tmp_path_factory.mktemp("story") / "story.wav", pause_s=1.5)


def test_progress_rises_to_one(tiny_en: ModelHost, story_wav: Path) -> None:
    fractions: list[float] = []
    transcript = FileTranscriber(tiny_en).transcribe_file(story_wav, on_progress=fractions.append)
    assert transcript.complete
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert len(fractions) >= 2
    assert word_error_rate([" ".join(STORY)], [transcript.text]) <= 0.1


def test_cancel_after_first_segment_keeps_it(tiny_en: ModelHost, story_wav: Path) -> None:
    token = CancellationToken()
    seen: list[Segment] = []

    def cancel_on_first(segment: Segment) -> None:
        seen.append(segment)
        token.cancel()

    transcript = FileTranscriber(tiny_en).transcribe_file(
        story_wav, on_segment=cancel_on_first, cancel=token
    )
    assert not transcript.complete
    assert transcript.segments == tuple(seen)
    assert len(transcript.segments) == 1
    assert transcript.segments[0].end < transcript.duration - 2.0
    assert "library" in transcript.text.lower()


def test_english_only_model_refuses_other_languages(tiny_en: ModelHost, story_wav: Path) -> None:
    with pytest.raises(ModelError, match="English only"):
        FileTranscriber(tiny_en).transcribe_file(story_wav, TranscribeOptions(language="fr"))
