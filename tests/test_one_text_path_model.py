"""The same words spoken give the same text live and from a file (real tiny.en).

Whisper writes small numbers either way depending on how much audio it hears
("1, 2, 3." from a short live window, "One, two, three." from the whole
recording). Each hibari-tts sentence is dictated once through the microphone's
pipeline and transcribed once with ``saytype transcribe``'s code path; wherever
the two heard the same words (equal after Whisper's normaliser, which reads
"1" and "one" alike), the shaped texts must be equal too (numbers, capitals,
punctuation), with numbers as digits on and off. The live side is the benchmark's replay
(a pass after every 0.3 s of audio, as at 1x, with no clock): the same words every run, and
no waiting on real time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.benchmarks.speech_clips import synthesised_clips
from app.core.audio.file_decoder import AudioFileReader
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.text.shaper import ShapingOptions, TextShaper
from saytype_bench.live import replay
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

SENTENCES = (
    "One, two, three.",
    "Stop right there exclamation mark",
    "I have three dogs and two cats.",
    "Can we move tomorrow's call to three thirty question mark",
    "We need two more volunteers for the charity run in June.",
    "Let's push the launch back by one week to be safe.",
    "Please send me the five files before nine comma thanks",
    "Room four is on the second floor, next to room six.",
)


def test_live_and_file_text_agree_in_form_wherever_they_heard_the_same_words(
    tiny_en: ModelHost,
) -> None:
    from whisper_normalizer.english import EnglishTextNormalizer

    normalise = EnglishTextNormalizer()
    pipeline = LivePipeline(tiny_en)
    files = FileTranscriber(tiny_en)
    shapers = [TextShaper(ShapingOptions(numbers_as_digits=d)) for d in (False, True)]
    compared = 0
    for clip in synthesised_clips(SENTENCES, prefix="one_path"):
        live = replay(pipeline, clip.audio).final_text
        assert live is not None, clip.clip_id
        heard = files.transcribe_audio(clip.audio, TranscribeOptions()).text
        if normalise(live) != normalise(heard):
            continue  # the paths heard different words: form cannot be compared
        compared += 1
        for shaper in shapers:
            # Whether the utterance's last word ends a sentence is Whisper's call on each
            # path (it depends on the audio after it): compared without that mark.
            forms = [shaper.shape(text).rstrip(".!?") for text in (live, heard)]
            assert forms[0] == forms[1], (clip.reference, live, heard)
    # Most sentences are heard alike by both; too few compared would prove nothing.
    assert compared >= len(SENTENCES) // 2, compared


def test_commands_said_after_a_pause_give_the_same_text_live_and_from_a_file(
    tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path
) -> None:
    # After a pause Whisper hears "Scratch that." or "Question mark." as a segment of its
    # own; from a file it once shaped each segment alone ("I like apples.\n\nI like
    # oranges. .", "Please call me tomorrow. ?").
    pipeline = LivePipeline(tiny_en)
    files = FileTranscriber(tiny_en)
    shaper = TextShaper()
    for said, expected in (
        (["I like apples.", "Scratch that.", "I like oranges.", "Full stop."], "I like oranges."),
        (["Please call me tomorrow.", "Question mark."], "Please call me tomorrow?"),
    ):
        path = speech.wav(said, tmp_path / "said.wav", pause_s=1.0)
        audio = np.concatenate(list(AudioFileReader(path).chunks()))
        live = replay(pipeline, audio).final_text
        assert live is not None
        transcript = shaper.shape_transcript(files.transcribe_audio(audio, TranscribeOptions()))
        assert (shaper.shape(live), transcript.text) == (expected, expected)
