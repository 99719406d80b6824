"""Long audio is cut into windows at pauses, losing and doubling no sample; bad files fail early.

No model here: the windowing is plain numpy, and a bad file must fail before
the model would load (the host's factory records whether it was called).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileError
from app.core.audio.wav_file import write_wav
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.long_audio import audio_windows, quiet_point
from app.core.engine.model_host import ComputeOptions, ModelHost, WhisperLike
from app.core.engine.model_registry import ModelSource, resolve_model


def speech_like(seconds: float, seed: int) -> AudioArray:
    """Loud noise standing in for speech (no quiet moment inside it)."""
    rng = np.random.default_rng(seed)
    return (0.3 * rng.standard_normal(int(seconds * SAMPLE_RATE))).astype(np.float32)


def pause(seconds: float) -> AudioArray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def test_quiet_point_is_the_middle_of_the_pause() -> None:
    audio = np.concatenate([speech_like(5, 1), pause(0.6), speech_like(5, 2)])
    cut = quiet_point(audio, search_from=2 * SAMPLE_RATE)
    assert 5.2 * SAMPLE_RATE <= cut <= 5.4 * SAMPLE_RATE


def test_quiet_point_of_a_too_short_region_is_the_end() -> None:
    audio = speech_like(1, 3)
    assert quiet_point(audio, search_from=len(audio) - 100) == len(audio)


def test_windows_are_cut_in_pauses_and_rebuild_the_audio_exactly() -> None:
    # "Sentences" of 7 s with 0.5 s pauses, fed in 3 s chunks like the decoder's.
    parts = []
    pause_spans = []
    t = 0.0
    for index in range(12):
        parts += [speech_like(7, index), pause(0.5)]
        pause_spans.append((t + 7, t + 7.5))
        t += 7.5
    audio = np.concatenate(parts)
    chunk = 3 * SAMPLE_RATE
    chunks = [audio[i : i + chunk] for i in range(0, len(audio), chunk)]

    windows = list(audio_windows(chunks, window_s=20, search_s=8))

    assert len(windows) >= 4
    assert [w.last for w in windows] == [False] * (len(windows) - 1) + [True]
    rebuilt = np.concatenate([w.samples for w in windows])
    assert np.array_equal(rebuilt, audio)  # nothing lost, nothing doubled
    position = 0.0
    for window in windows:
        assert window.start_s == pytest.approx(position)
        position = window.end_s
        assert window.end_s - window.start_s <= 20.0
    for window in windows[:-1]:
        assert any(start <= window.end_s <= end for start, end in pause_spans), window.end_s
    assert windows[-1].end_s - windows[-1].start_s >= 8.0  # never a sliver at the end


def test_audio_shorter_than_a_window_is_one_window() -> None:
    audio = speech_like(4, 5)
    (window,) = audio_windows([audio], window_s=20, search_s=8)
    assert window.last
    assert window.start_s == 0.0
    assert np.array_equal(window.samples, audio)
    assert list(audio_windows([], window_s=20, search_s=8)) == []


def test_search_must_fit_in_the_window() -> None:
    with pytest.raises(ValueError, match="search_s"):
        list(audio_windows([speech_like(1, 6)], window_s=10, search_s=10))


def test_batch_size_is_bounded() -> None:
    assert TranscribeOptions(batch_size=32).batch_size == 32
    with pytest.raises(ValueError, match="batch_size"):
        TranscribeOptions(batch_size=33)
    with pytest.raises(ValueError, match="batch_size"):
        TranscribeOptions(batch_size=-1)


@pytest.fixture
def unloadable_host() -> tuple[ModelHost, list[str]]:
    """A host whose model must never be built: the factory records a call and refuses."""
    built: list[str] = []

    def factory(source: ModelSource, _options: ComputeOptions) -> WhisperLike:
        built.append(source.name)
        raise AssertionError("the model was loaded for a file that cannot be decoded")

    return ModelHost(resolve_model("tiny.en"), factory=factory), built


def test_file_deleted_while_queued_fails_before_the_model_loads(
    unloadable_host: tuple[ModelHost, list[str]], tmp_path: Path
) -> None:
    host, built = unloadable_host
    queued = tmp_path / "meeting.wav"
    write_wav(queued, speech_like(1, 7), SAMPLE_RATE)
    queued.unlink()  # the user deleted it while it waited in the queue
    progress: list[float] = []
    with pytest.raises(AudioFileError, match="no such file"):
        FileTranscriber(host).transcribe_file(queued, on_progress=progress.append)
    assert built == []
    assert progress == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"Meeting notes, not audio.\n" * 40, "not an audio or video file")],
)
def test_bad_files_fail_with_their_reason(
    unloadable_host: tuple[ModelHost, list[str]], tmp_path: Path, content: bytes, reason: str
) -> None:
    host, built = unloadable_host
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    with pytest.raises(AudioFileError, match=reason):
        FileTranscriber(host).transcribe_file(bad)
    assert built == []
