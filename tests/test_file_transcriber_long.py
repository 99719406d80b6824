"""Files longer than one window: same words as one long call, file times, progress, pause, cancel.

The window is shrunk to 15 s so that 50 s of hibari speech spans several
windows; the production default (minutes) behaves the same, only slower to test.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.wav_file import write_wav
from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.engine.transcript import Segment, Transcript
from saytype_bench.accuracy import word_error_rate
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
    ("We watched the storm roll in over the lake.", "storm"),
    ("The library will close early on the holiday.", "library"),
    ("My sister is learning to play the violin.", "violin"),
    ("The farmer sold apples and honey at the market.", "honey"),
    ("Please send the invoice to the accounts department.", "invoice"),
    ("The children built a sandcastle near the pier.", "sandcastle"),
]
PAUSE_S = 0.5
WINDOW_S = 15.0
SEARCH_S = 5.0


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
    path = tmp_path_factory.mktemp("long") / "long.wav"
    write_wav(path, np.concatenate(parts), speech.sample_rate)
    reference = " ".join(text for text, _ in SENTENCES)
    return LongSpeech(path, reference, spans, position / speech.sample_rate)


def windowed(host: ModelHost) -> FileTranscriber:
    return FileTranscriber(host, window_s=WINDOW_S, search_s=SEARCH_S)


@pytest.fixture(scope="module")
def whole(tiny_en: ModelHost, long_speech: LongSpeech) -> Transcript:
    return FileTranscriber(tiny_en, window_s=3600).transcribe_file(long_speech.path)


@pytest.fixture(scope="module")
def chunked(tiny_en: ModelHost, long_speech: LongSpeech) -> tuple[Transcript, list[float]]:
    progress: list[float] = []
    transcript = windowed(tiny_en).transcribe_file(long_speech.path, on_progress=progress.append)
    return transcript, progress


def test_windows_hear_the_same_words_as_one_long_call(
    long_speech: LongSpeech, whole: Transcript, chunked: tuple[Transcript, list[float]]
) -> None:
    transcript, _ = chunked
    assert long_speech.duration > 3 * WINDOW_S  # several windows, several cuts
    assert transcript.complete
    whole_wer = word_error_rate([long_speech.reference], [whole.text])
    chunked_wer = word_error_rate([long_speech.reference], [transcript.text])
    assert whole_wer <= 0.1, whole.text
    # A word lost or doubled at each of the 3+ cuts would cost > 2.5 %.
    assert chunked_wer <= whole_wer + 0.025, transcript.text
    assert transcript.duration == pytest.approx(long_speech.duration, abs=0.05)


def test_segment_times_are_file_times(
    long_speech: LongSpeech, chunked: tuple[Transcript, list[float]]
) -> None:
    transcript, _ = chunked
    starts = [segment.start for segment in transcript.segments]
    assert starts == sorted(starts)
    assert all(s.start <= s.end <= transcript.duration for s in transcript.segments)
    assert transcript.segments[-1].start > 2 * WINDOW_S  # offsets were added
    located = 0
    for keyword, (start, end) in long_speech.spans.items():
        holders = [s for s in transcript.segments if keyword in s.text.lower()]
        for segment in holders:
            # Whisper's segment edges are coarse; a wrong window offset is off by ~20 s.
            assert segment.start <= end + 1.0, (keyword, segment)
            assert segment.end >= start - 1.0, (keyword, segment)
        located += bool(holders)
    assert located >= len(SENTENCES) - 1


def test_progress_rises_to_exactly_one(chunked: tuple[Transcript, list[float]]) -> None:
    _, progress = chunked
    assert progress == sorted(progress)
    assert len(set(progress)) == len(progress)
    assert progress[-1] == 1.0
    assert all(fraction < 1.0 for fraction in progress[:-1])
    assert len(progress) > 4


def test_cancel_in_a_later_window_keeps_the_segments_done(
    tiny_en: ModelHost, long_speech: LongSpeech
) -> None:
    token = CancellationToken()
    seen: list[Segment] = []
    progress: list[float] = []

    def cancel_after_first_window(segment: Segment) -> None:
        seen.append(segment)
        if segment.start > WINDOW_S:
            token.cancel()

    transcript = windowed(tiny_en).transcribe_file(
        long_speech.path,
        on_segment=cancel_after_first_window,
        on_progress=progress.append,
        cancel=token,
    )
    assert not transcript.complete
    assert transcript.segments == tuple(seen)
    assert transcript.segments[-1].start > WINDOW_S
    assert transcript.segments[-1].end < long_speech.duration - 10
    assert transcript.duration == pytest.approx(long_speech.duration, abs=0.05)
    assert progress
    assert max(progress) < 1.0
    assert "ferry" in transcript.text.lower()


class ObservedGate(PauseGate):
    """A real gate that also says when a job starts waiting at it while it is closed."""

    def __init__(self) -> None:
        super().__init__()
        self.job_waiting = threading.Event()

    def wait(self, cancel: CancellationToken | None = None, timeout_s: float | None = None) -> bool:
        if not self.is_open:
            self.job_waiting.set()
        return super().wait(cancel, timeout_s)


def test_a_closed_gate_pauses_the_job_and_opening_it_resumes(
    tiny_en: ModelHost, long_speech: LongSpeech, chunked: tuple[Transcript, list[float]]
) -> None:
    gate = ObservedGate()
    seen: list[Segment] = []
    emitted_while_closed: list[Segment] = []
    result: list[Transcript] = []

    def on_segment(segment: Segment) -> None:
        if not gate.is_open:
            emitted_while_closed.append(segment)
        seen.append(segment)
        if len(seen) == 1:
            gate.close()  # a dictation starts right after the first segment

    job = threading.Thread(
        target=lambda: result.append(
            windowed(tiny_en).transcribe_file(long_speech.path, on_segment=on_segment, gate=gate)
        )
    )
    job.start()
    try:
        assert gate.job_waiting.wait(60), "the job never reached the closed gate"
        assert len(seen) == 1  # nothing more while the dictation holds the gate
    finally:
        gate.release()  # the dictation ends
        job.join(120)
    assert not job.is_alive()
    assert emitted_while_closed == []
    (transcript,) = result
    assert transcript.complete
    assert transcript.text == chunked[0].text  # paused, not changed


def test_cancel_wakes_a_job_paused_at_the_gate(tiny_en: ModelHost, long_speech: LongSpeech) -> None:
    gate = ObservedGate()
    gate.close()  # a dictation is running when the job starts
    token = CancellationToken()
    result: list[Transcript] = []
    job = threading.Thread(
        target=lambda: result.append(
            windowed(tiny_en).transcribe_file(long_speech.path, cancel=token, gate=gate)
        )
    )
    job.start()
    assert gate.job_waiting.wait(60)
    token.cancel()
    job.join(60)
    gate.release()
    (transcript,) = result
    assert not transcript.complete
    assert transcript.segments == ()


def test_batched_mode_hears_the_same_words(
    tiny_en: ModelHost, long_speech: LongSpeech, whole: Transcript
) -> None:
    progress: list[float] = []
    transcript = windowed(tiny_en).transcribe_file(
        long_speech.path, TranscribeOptions(batch_size=4), on_progress=progress.append
    )
    assert transcript.complete
    wer = word_error_rate([long_speech.reference], [transcript.text])
    whole_wer = word_error_rate([long_speech.reference], [whole.text])
    assert wer <= max(0.1, whole_wer + 0.05), transcript.text
    starts = [segment.start for segment in transcript.segments]
    assert starts == sorted(starts)
    assert progress == sorted(progress)
    assert progress[-1] == 1.0


def test_later_windows_keep_timestamps(chunked: tuple[Transcript, list[float]]) -> None:
    # Primed with plain text, Whisper dropped timestamps after the first window: one
    # segment per 30 s clip (here per window), losing words at the clip edges.
    transcript, _ = chunked
    later = [s for s in transcript.segments if s.start >= WINDOW_S]
    assert len(later) >= len(SENTENCES) // 2
    assert max(s.end - s.start for s in later) < WINDOW_S - SEARCH_S, later
