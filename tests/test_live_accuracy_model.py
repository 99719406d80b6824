"""Live dictation hears at least as well as transcribing the recording (real tiny.en).

Each of a fixed set of hibari-tts dictation sentences (the first 16 of the live
benchmark's dictation corpus, seeded, at its three speaking rates) is dictated
once through the microphone's pipeline (a FileSource feeding the ring buffer at
twice real time, the live loop, release at the end), and transcribed once with
``saytype transcribe``'s code path. The live finals' WER may not be above the
transcripts'. Not a timed test: the pace only spaces the feeding, as a mic does; at
twice real time each pass hears as much new audio as on a machine half as fast
(and the test takes half the time).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.benchmarks.speech_clips import synthesised_clips
from app.core.audio.file_decoder import decode_file
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from saytype_bench.dictation_sentences import DICTATION_SENTENCES, speeds_for
from saytype_bench.live import dictate
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

SENTENCES = DICTATION_SENTENCES[:16]


def test_live_finals_are_not_worse_than_transcribing_the_same_audio(tiny_en: ModelHost) -> None:
    clips = synthesised_clips(SENTENCES, speeds_for(SENTENCES), prefix="dictation")
    pipeline = LivePipeline(tiny_en)
    files = FileTranscriber(tiny_en)
    references, live, transcribed = [], [], []
    for clip in clips:
        trace = dictate(pipeline, clip.audio, speed=2.0)
        assert trace.final_text is not None, clip.clip_id
        references.append(clip.reference)
        live.append(trace.final_text)
        transcribed.append(files.transcribe_audio(clip.audio, TranscribeOptions()).text)
    live_wer = word_error_rate(references, live)
    transcribe_wer = word_error_rate(references, transcribed)
    pairs = "\n".join(f"{a!r} | {b!r}" for a, b in zip(live, transcribed, strict=True))
    assert live_wer <= transcribe_wer, f"live {live_wer:.3f} > {transcribe_wer:.3f}\n{pairs}"
    assert live_wer <= 0.05, pairs  # hibari speech: tiny.en hears nearly every word


def test_the_last_words_said_are_not_dropped_by_a_final_that_stops_early(
    tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path
) -> None:
    # Beam search over the whole utterance stopped after "what do you think", two words
    # short, within its guard's slack; the passes, over speech, heard "question mark".
    said = (
        "I think comma on balance comma that we should wait period new line "
        "What do you think question mark"
    )
    audio = decode_file(speech.wav(said, tmp_path / "question.wav")).samples
    for speed in (0.0, 2.0):
        trace = dictate(LivePipeline(tiny_en), audio, speed=speed)
        assert trace.final_text is not None
        assert trace.final_text.lower().rstrip(" .?").endswith("question mark"), speed
