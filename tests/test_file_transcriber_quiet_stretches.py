"""Minutes without speech in a file: the speech after them is heard, nothing is invented.

A recording that starts long before anyone speaks (a meeting recorded from the
moment the room was set up, a microphone muted at first) once gave "You",
"Thank you for watching." or rows of "." in place of the words: tiny.en invents
text in a 30 s clip with nothing to hear, and prompted with what it invented went
on inventing over the speech. Stretches of at least 30 s without speech are not
decoded now (decision 0047). Here eleven minutes of a muted microphone come first,
then a sentence, 45 s of a quiet room's noise (seeded pink noise, about -53 dBFS),
and another sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import AudioArray
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

FIRST = "The quick brown fox jumps over the lazy dog."
SECOND = "Please send the quarterly report to Anna by Friday."
NOISE_BEFORE_S = 660.0  # eleven minutes of a muted microphone before the first word
NOISE_BETWEEN_S = 45.0


def room_noise(seconds: float, seed: int, rate: int) -> AudioArray:
    """Pink noise (power falling as 1/f, like a room's hum and hiss) at about -53 dBFS.

    Made a minute at a time, so the FFTs stay small.
    """
    rng = np.random.default_rng(seed)
    parts = []
    left = int(seconds * rate)
    while left > 0:
        count = min(left, 60 * rate)
        spectrum = np.fft.rfft(rng.standard_normal(count))
        spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
        noise = np.fft.irfft(spectrum, count)
        parts.append((noise / np.sqrt(np.mean(noise**2)) * 10 ** (-53 / 20)).astype(np.float32))
        left -= count
    return np.concatenate(parts)


@dataclass(frozen=True)
class Recording:
    path: Path
    spoken: tuple[tuple[float, float], ...]  # where each sentence is, in seconds


@pytest.fixture(scope="module")
def recording(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Recording:
    rate = speech.sample_rate  # the speech's own rate: the file is decoded as any other
    first, second = speech.samples(FIRST), speech.samples(SECOND)
    parts = [
        np.zeros(int(NOISE_BEFORE_S * rate), np.float32),  # a muted microphone
        first,
        room_noise(NOISE_BETWEEN_S, 2, rate),
        second,
        room_noise(5.0, 3, rate),
    ]
    path = tmp_path_factory.mktemp("quiet") / "meeting.wav"
    write_wav(path, np.concatenate(parts), rate)
    first_end = NOISE_BEFORE_S + len(first) / rate
    second_start = first_end + NOISE_BETWEEN_S
    spoken = ((NOISE_BEFORE_S, first_end), (second_start, second_start + len(second) / rate))
    return Recording(path, spoken)


def test_speech_after_minutes_of_room_noise_is_heard_where_it_is(
    tiny_en: ModelHost, recording: Recording
) -> None:
    transcript = FileTranscriber(tiny_en).transcribe_file(recording.path)

    assert word_error_rate([f"{FIRST} {SECOND}"], [transcript.text]) <= 0.1, transcript.text
    for segment in transcript.segments:  # nothing was heard in the noise
        assert any(
            start - 1.0 <= segment.start and segment.end <= end + 1.0
            for start, end in recording.spoken
        ), (segment, recording.spoken)
    assert transcript.complete
