"""WindowDecoder's unaligned mode: words timed within their segments, for final decodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.audio.file_decoder import SAMPLE_RATE, decode_file
from app.core.engine.heard_words import join_words, without_squeezed_tail
from app.core.engine.model_host import ModelHost
from app.core.engine.transcript import Segment
from app.core.engine.window_decoder import WindowDecoder, segment_words
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker


def test_words_share_their_segment_time_by_length() -> None:
    words = segment_words((Segment(1.0, 2.0, "Hi there,"), Segment(2.5, 4.5, "friend.")))
    assert [w.text for w in words] == [" Hi", " there,", " friend."]
    assert join_words(list(words)) == "Hi there, friend."
    times = [t for w in words for t in (w.start, w.end)]
    assert times == pytest.approx([1.0, 1.25, 1.25, 2.0, 2.5, 4.5])


def test_a_sentence_repeated_at_one_timestamp_is_a_squeezed_tail() -> None:
    words = list(
        segment_words((Segment(0.0, 2.0, "Send it today."), Segment(2.0, 2.0, "Send it today.")))
    )
    assert join_words(without_squeezed_tail(words)) == "Send it today."


@pytest.mark.model
def test_unaligned_decode_hears_the_same_words_as_the_aligned_one(
    tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path
) -> None:
    said = "Please send the quarterly report to the whole team before Friday."
    audio = decode_file(speech.wav(said, tmp_path / "said.wav", pause_s=0.3)).samples
    decoder = WindowDecoder(tiny_en.get())

    aligned = decoder.decode(audio)
    unaligned = decoder.decode(audio, aligned=False)

    assert join_words(list(unaligned.words)) == join_words(list(aligned.words))
    assert word_error_rate([said], [join_words(list(unaligned.words))]) <= 0.1
    duration = len(audio) / SAMPLE_RATE
    assert all(0.0 <= w.start <= w.end <= duration for w in unaligned.words)
