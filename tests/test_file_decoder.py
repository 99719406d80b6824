"""Every kind of unusable file gets one clear sentence; good files decode like faster-whisper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileError, AudioFileReader, decode_file
from tests.support.media import (
    encode_audio,
    truncated_copy,
    video_with_audio,
    video_without_audio,
)
from tests.support.speech import SpeechMaker


@pytest.fixture(scope="module")
def speech_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("decoder")
    return speech.wav("Decoding has to be exact, sample for sample.", folder / "speech.wav")


@pytest.mark.parametrize("codec", ["libmp3lame", "flac", "libopus"])
def test_decoded_samples_equal_faster_whisper(speech_wav: Path, tmp_path: Path, codec: str) -> None:
    suffix = {"libmp3lame": ".mp3", "flac": ".flac", "libopus": ".ogg"}[codec]
    encoded = encode_audio(speech_wav, tmp_path / f"speech{suffix}", codec)
    ours = decode_file(encoded).samples
    theirs = decode_audio(str(encoded))
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, theirs)


def test_video_audio_track_is_decoded(speech_wav: Path, tmp_path: Path) -> None:
    video = video_with_audio(speech_wav, tmp_path / "clip.mp4")
    decoded = decode_file(video)
    original = decode_file(speech_wav)
    assert decoded.duration == pytest.approx(original.duration, abs=0.1)


def test_chunks_cover_the_whole_file(speech_wav: Path) -> None:
    reader = AudioFileReader(speech_wav, chunk_seconds=0.5)
    chunks = list(reader.chunks())
    reader.check_complete()
    assert len(chunks) > 2
    assert all(len(chunk) >= 0.5 * SAMPLE_RATE for chunk in chunks[:-1])
    np.testing.assert_array_equal(np.concatenate(chunks), decode_file(speech_wav).samples)


def _bad_inputs(folder: Path, speech_wav: Path) -> dict[str, tuple[Path, str]]:
    text_as_wav = folder / "notes.wav"
    text_as_wav.write_text("These are meeting notes, not audio.\n" * 20, encoding="utf-8")
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    mp3 = encode_audio(speech_wav, folder / "whole.mp3", "libmp3lame")
    # MP4's index comes last: a download cut short is "invalid data" to FFmpeg.
    m4a = encode_audio(speech_wav, folder / "whole.m4a", "aac")
    half = folder / "half.m4a"
    half.write_bytes(m4a.read_bytes()[: m4a.stat().st_size // 2])
    return {
        "missing path": (folder / "nowhere.wav", "no such file"),
        "directory": (folder, "is a folder"),
        "zero bytes": (empty, "empty"),
        "text renamed .wav": (text_as_wav, "not an audio or video file"),
        "truncated mp3": (truncated_copy(mp3, folder / "cut.mp3"), "truncated"),
        "video without audio": (video_without_audio(folder / "silent.mp4"), "no audio track"),
        "half-downloaded m4a": (half, "or a damaged or incomplete one"),
    }


def test_each_bad_input_gets_one_clear_sentence(speech_wav: Path, tmp_path: Path) -> None:
    for case, (path, expected) in _bad_inputs(tmp_path, speech_wav).items():
        with pytest.raises(AudioFileError) as caught:
            decode_file(path)
        message = str(caught.value)
        assert expected in message, case
        assert str(path) in message, case
        assert "\n" not in message, case


def test_wav_with_unknown_length_header_is_not_truncated(speech_wav: Path, tmp_path: Path) -> None:
    # Streaming recorders write 0xFFFFFFFF when they cannot seek back to fix the sizes.
    data = bytearray(speech_wav.read_bytes())
    data[4:8] = b"\xff\xff\xff\xff"
    streamed = tmp_path / "streamed.wav"
    streamed.write_bytes(bytes(data))
    assert decode_file(streamed).duration == pytest.approx(decode_file(speech_wav).duration)


def test_probe_duration_reads_the_header_without_decoding(tmp_path: Path) -> None:
    from app.core.audio.file_decoder import probe_duration
    from app.core.audio.wav_file import write_wav

    clip = tmp_path / "three.wav"
    write_wav(clip, np.zeros(3 * 16_000, np.float32), 16_000)
    assert probe_duration(clip) == pytest.approx(3.0, abs=0.01)
    (tmp_path / "notes.wav").write_text("not audio at all, just text", encoding="utf-8")
    with pytest.raises(AudioFileError, match="not an audio or video file"):
        probe_duration(tmp_path / "notes.wav")
