"""A long file is cut for upload at pauses, into chunks that together are the file, once.

No server here: the cut points are the decoded file's, and the chunks are read
back from their WAV files as the server would read them.
"""

from __future__ import annotations

import itertools
import wave
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.engine.cancellation import CancellationToken
from app.core.engine.remote.upload_audio import UploadAudio, close_all, decode_for_upload
from tests.support.paused_noise import pause_spans


def wav_samples(upload: UploadAudio) -> np.ndarray:
    upload.wav.seek(0)
    with wave.open(upload.wav, "rb") as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            SAMPLE_RATE,
            1,
            2,
        )
        return np.frombuffer(reader.readframes(reader.getnframes()), "<i2")


def test_chunks_are_cut_in_pauses_and_together_are_the_file(
    paused: tuple[Path, AudioArray],
) -> None:
    path, audio = paused
    uploads = decode_for_upload(path, chunk_s=10.0, search_s=4.0)
    assert uploads is not None
    try:
        assert len(uploads) >= 3
        cuts = [upload.start_s for upload in uploads[1:]]
        for cut in cuts:
            assert any(start < cut < end for start, end in pause_spans()), (cut, pause_spans())
        for before, after in itertools.pairwise(uploads):
            assert after.start_s == pytest.approx(before.start_s + before.duration, abs=1e-9)
            # Each cut falls within the chunk's last search_s seconds, never past chunk_s.
            assert 10.0 - 4.0 <= before.duration <= 10.0
        assert uploads[-1].duration >= 4.0  # the last chunk is never a sliver
        rebuilt = np.concatenate([wav_samples(upload) for upload in uploads])
        expected = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
        # Every sample once, in order (to within the 16-bit rounding of the source WAV).
        assert len(rebuilt) == len(expected)
        np.testing.assert_allclose(rebuilt, expected, atol=2)
        assert all(upload.size == 44 + 2 * len(wav_samples(upload)) for upload in uploads)
    finally:
        close_all(uploads)


def test_a_file_shorter_than_a_chunk_is_one_chunk(paused: tuple[Path, AudioArray]) -> None:
    path, audio = paused
    uploads = decode_for_upload(path)  # the default chunk is minutes long
    assert uploads is not None
    try:
        (only,) = uploads
        assert only.start_s == 0.0
        assert only.duration == pytest.approx(len(audio) / SAMPLE_RATE)
    finally:
        close_all(uploads)


def test_a_cancelled_decode_keeps_no_chunk(paused: tuple[Path, AudioArray]) -> None:
    path, _ = paused
    cancel = CancellationToken()
    cancel.cancel()
    assert decode_for_upload(path, cancel, chunk_s=10.0, search_s=4.0) is None


def test_the_search_must_fit_in_the_chunk(paused: tuple[Path, AudioArray]) -> None:
    path, _ = paused
    with pytest.raises(ValueError, match="search_s"):
        decode_for_upload(path, chunk_s=5.0, search_s=5.0)
