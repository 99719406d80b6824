"""WindowDecoder's unaligned mode: words timed within their segments, for final decodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core.audio.file_decoder import SAMPLE_RATE, decode_file
from app.core.engine import whisper_internals
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


def encoded_frames(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The frame count of every encoder run from now on (each is one encoding)."""
    frames: list[int] = []
    real_encode = whisper_internals.encode

    def measuring_encode(model: object, features: Any) -> object:
        frames.append(int(features.shape[-1]))
        return real_encode(model, features)

    monkeypatch.setattr(whisper_internals, "encode", measuring_encode)
    return frames


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


@pytest.mark.model
def test_a_second_decode_of_the_same_audio_reuses_its_encoding(
    tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "Stop right there and listen to me."
    audio = decode_file(speech.wav(said, tmp_path / "said.wav", pause_s=0.3)).samples
    encodes = encoded_frames(monkeypatch)
    decoder = WindowDecoder(tiny_en.get())

    greedy = decoder.decode(audio)
    careful = decoder.decode(audio.copy(), beam_size=5, aligned=False)
    assert len(encodes) == 1
    fresh = WindowDecoder(tiny_en.get()).decode(audio, beam_size=5, aligned=False)
    assert len(encodes) == 2
    assert careful.text == fresh.text
    assert word_error_rate([said], [careful.text]) <= word_error_rate([said], [greedy.text]) + 0.15

    decoder.decode(audio[: len(audio) // 2])
    assert len(encodes) == 3  # other audio is encoded anew


@pytest.mark.model
def test_beam_search_decodes_in_the_careful_window_and_greedy_in_the_policys(
    tiny_en: ModelHost, speech: SpeechMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "Meet me at the station at noon."
    audio = decode_file(speech.wav(said, tmp_path / "said.wav", pause_s=0.3)).samples
    frames = encoded_frames(monkeypatch)
    decoder = WindowDecoder(tiny_en.get(), careful_window_s=20.0)

    greedy = decoder.decode(audio)
    careful = decoder.decode(audio, beam_size=5, aligned=False)

    assert frames == [1000, 2000]  # 10 s for the pass; 20 s, encoded anew, for beam search
    for heard in (greedy.text, careful.text):
        assert word_error_rate([said], [heard]) <= 0.15
