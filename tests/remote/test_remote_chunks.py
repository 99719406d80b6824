"""A long file in chunks cut at pauses, on a real OpenAI-compatible server: the same words as one
request, file times in its segments, and every cut in silence.

The server is faster-whisper-server with the bundled tiny.en
(tests/support/openai_server.py). The chunk is shrunk to 10 s so that 30 s
of hibari speech is cut three times; the production default (10 minutes)
behaves the same, only slower to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import srt

from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileReader
from app.core.audio.speech_detector import SpeechDetector
from app.core.audio.wav_file import write_wav
from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber
from app.core.engine.remote.upload_audio import close_all, decode_for_upload
from app.core.engine.transcript import Transcript
from app.core.output.exporters import render
from saytype_bench.accuracy import word_error_rate
from tests.support.openai_server import OpenAIServer
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

# Each sentence has one word no other sentence has, to find where it was heard.
SENTENCES = [
    ("The harbour ferry leaves every half hour in summer.", "ferry"),
    ("Our neighbours planted tomatoes along the fence.", "tomatoes"),
    ("The train to the mountains was delayed by snow.", "mountains"),
    ("She painted the kitchen a pale shade of green.", "kitchen"),
    ("Remember to water the plants while I am away.", "plants"),
    ("The museum added a new gallery of ancient coins.", "coins"),
    ("He fixed the bicycle chain with an old screwdriver.", "bicycle"),
    ("The bakery sells fresh bread before seven every morning.", "bakery"),
]
PAUSE_S = 0.6
CHUNK_S = 10.0
SEARCH_S = 4.0
SILENT_AROUND_CUT_S = 0.1  # a cut this far from any speech splits no word


@dataclass(frozen=True)
class LongSpeech:
    path: Path
    reference: str
    spans: dict[str, tuple[float, float]]  # keyword -> (start, end) in the file, seconds
    duration: float


@pytest.fixture(scope="module")
def long_speech(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> LongSpeech:
    parts = []
    spans = {}
    position = 0
    for text, keyword in SENTENCES:
        audio = speech.samples(text)
        spans[keyword] = (
            position / speech.sample_rate,
            (position + len(audio)) / speech.sample_rate,
        )
        parts += [audio, np.zeros(int(PAUSE_S * speech.sample_rate), np.float32)]
        position += len(audio) + len(parts[-1])
    path = tmp_path_factory.mktemp("remote_chunks") / "long.wav"
    write_wav(path, np.concatenate(parts), speech.sample_rate)
    reference = " ".join(text for text, _ in SENTENCES)
    return LongSpeech(path, reference, spans, position / speech.sample_rate)


@pytest.fixture(scope="module")
def whole(openai_server: OpenAIServer, long_speech: LongSpeech) -> Transcript:
    """The file in one request (it is far shorter than the default chunk)."""
    return OpenAITranscriber(OpenAIEndpoint(openai_server.url, "tiny.en")).transcribe_file(
        long_speech.path
    )


@pytest.fixture(scope="module")
def chunked(openai_server: OpenAIServer, long_speech: LongSpeech) -> tuple[Transcript, list[float]]:
    engine = OpenAITranscriber(
        OpenAIEndpoint(openai_server.url, "tiny.en"),
        in_flight=2,
        chunk_s=CHUNK_S,
        search_s=SEARCH_S,
    )
    progress: list[float] = []
    transcript = engine.transcribe_file(long_speech.path, on_progress=progress.append)
    return transcript, progress


def cut_points(path: Path) -> list[float]:
    """Where the transcriber cuts ``path`` (the same function, the same settings)."""
    uploads = decode_for_upload(path, chunk_s=CHUNK_S, search_s=SEARCH_S)
    assert uploads is not None
    close_all(uploads)
    return [upload.start_s for upload in uploads[1:]]


def test_chunks_hear_the_same_words_as_one_request(
    long_speech: LongSpeech, whole: Transcript, chunked: tuple[Transcript, list[float]]
) -> None:
    transcript, _ = chunked
    assert long_speech.duration > 2.5 * CHUNK_S  # several chunks, several cuts
    assert len(cut_points(long_speech.path)) >= 2
    assert transcript.complete
    from whisper_normalizer.english import EnglishTextNormalizer

    words = len(EnglishTextNormalizer()(long_speech.reference).split())
    whole_wer = word_error_rate([long_speech.reference], [whole.text])
    chunked_wer = word_error_rate([long_speech.reference], [transcript.text])
    assert whole_wer <= 0.1, whole.text
    # At most one word more lost, doubled or changed than in one request.
    assert chunked_wer * words <= whole_wer * words + 1 + 1e-9, (transcript.text, whole.text)
    assert transcript.duration == pytest.approx(long_speech.duration, abs=0.05)
    assert transcript.language == "en"


def test_segment_times_are_file_times_in_every_export(
    long_speech: LongSpeech, chunked: tuple[Transcript, list[float]]
) -> None:
    transcript, _ = chunked
    starts = [segment.start for segment in transcript.segments]
    assert starts == sorted(starts)
    assert all(0 <= s.start <= s.end <= transcript.duration + 1e-6 for s in transcript.segments), (
        transcript.segments
    )
    assert transcript.segments[-1].start > 2 * CHUNK_S  # the chunks' offsets were added
    for keyword, (start, end) in long_speech.spans.items():
        for segment in (s for s in transcript.segments if keyword in s.text.lower()):
            # Whisper's segment edges are coarse; a wrong chunk offset is off by ~10 s.
            assert segment.start <= end + 1.0, (keyword, segment)
            assert segment.end >= start - 1.0, (keyword, segment)
    cues = list(srt.parse(render(transcript, "srt")))
    assert len(cues) == len([s for s in transcript.segments if s.text])
    assert [cue.start.total_seconds() for cue in cues] == sorted(
        cue.start.total_seconds() for cue in cues
    )
    assert cues[-1].end.total_seconds() <= transcript.duration + 0.001


def test_every_cut_lies_in_silence(long_speech: LongSpeech) -> None:
    reader = AudioFileReader(long_speech.path)
    audio = np.concatenate(list(reader.chunks()))
    detector = SpeechDetector()
    detector.push(audio)
    margin = int(SILENT_AROUND_CUT_S * SAMPLE_RATE)
    for cut in cut_points(long_speech.path):
        sample = round(cut * SAMPLE_RATE)
        assert not detector.has_speech(sample - margin, sample + margin, min_ms=1), cut
        # And the cut falls between sentences, not in one.
        assert not any(start < cut < end for start, end in long_speech.spans.values()), cut


def test_progress_rises_chunk_by_chunk_to_one(
    long_speech: LongSpeech, chunked: tuple[Transcript, list[float]]
) -> None:
    _, progress = chunked
    chunks = len(cut_points(long_speech.path)) + 1
    assert len(progress) == chunks  # one per chunk's reply but the last, then the end
    assert progress == sorted(progress)
    assert all(0 < fraction < 1.0 for fraction in progress[:-1])
    assert progress[-1] == 1.0
