"""tiny.en transcribes natural speech accurately through Saytype's file path.

Speech is synthesised at test time with hibari-tts from the sentences below.
Measured on 2026-11-24 (tiny.en int8, beam 5, 2-core CPU): corpus WER 0.0 %.
The bound leaves room for CPU-dependent numeric differences in int8 kernels
while still failing if decoding, resampling or the model path breaks: one wrong
word in the 100 spoken here is 1 %; a broken resampler gives > 50 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

WER_BOUND = 0.05

SENTENCES = [
    "Please remind me to call the dentist tomorrow morning.",
    "The train to the airport leaves every twenty minutes.",
    "I would like a cup of coffee with a little milk.",
    "Can you send me the report before the meeting starts?",
    "We are going to the park if the weather is nice.",
    "My sister just moved into a new apartment downtown.",
    "Turn off the lights when you leave the room.",
    "The children played football in the garden all afternoon.",
    "Dinner will be ready in about half an hour.",
    "Thank you for your help with the project last week.",
]


def test_bundled_model_hears_everyday_sentences(
    speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    transcriber = FileTranscriber(tiny_en)
    hypotheses = []
    for index, sentence in enumerate(SENTENCES):
        wav = speech.wav(sentence, tmp_path / f"sentence{index}.wav")
        transcript = transcriber.transcribe_file(wav, TranscribeOptions(language="en"))
        assert transcript.complete
        assert transcript.language == "en"
        hypotheses.append(transcript.text)
    wer = word_error_rate(SENTENCES, hypotheses)
    assert wer <= WER_BOUND, f"WER {wer:.1%} over bound; heard: {hypotheses}"


def test_segments_are_timed_within_the_audio(
    speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    wav = speech.wav(SENTENCES[:3], tmp_path / "three.wav", pause_s=1.0)
    transcript = FileTranscriber(tiny_en).transcribe_file(wav)
    assert transcript.segments
    starts = [segment.start for segment in transcript.segments]
    assert starts == sorted(starts)
    for segment in transcript.segments:
        assert 0.0 <= segment.start < segment.end <= transcript.duration + 0.05
    assert transcript.model_name == "tiny.en"
    assert transcript.elapsed_s > 0
    assert word_error_rate([" ".join(SENTENCES[:3])], [transcript.text]) <= WER_BOUND


def test_silence_gives_no_text_and_speech_after_long_quiet_is_kept(
    speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    """On silence tiny.en says "You"; the file path used to keep it (and history with it)."""
    transcriber = FileTranscriber(tiny_en)
    silent = tmp_path / "silence.wav"
    write_wav(silent, np.zeros(3 * SAMPLE_RATE, np.float32), SAMPLE_RATE)
    assert transcriber.transcribe_file(silent).text == ""
    # A sentence after 20 s of quiet shares its window with it: it must still be heard.
    quiet_then_speech = np.concatenate(
        [np.zeros(20 * SAMPLE_RATE, np.float32), speech.samples(SENTENCES[0])]
    )
    late = tmp_path / "late.wav"
    write_wav(late, quiet_then_speech, SAMPLE_RATE)
    heard = transcriber.transcribe_file(late).text
    assert word_error_rate([SENTENCES[0]], [heard]) <= 0.1, heard
