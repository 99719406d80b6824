"""A WAV cut short (what a crashed recorder leaves) decodes what is there and says so as data."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from app.core.audio.file_decoder import AudioFileError, check_has_audio, decode_file
from app.core.audio.wav_header import find_truncation

RATE = 16_000
SECONDS = 4.0


def _tone(seconds: float = SECONDS) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")


def _write_wav(path: Path, pcm: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(pcm.tobytes())
    return path


def _cut(path: Path, keep_bytes: int) -> Path:
    with path.open("r+b") as handle:
        handle.truncate(keep_bytes)
    return path


def test_a_wav_cut_short_decodes_what_is_there_and_reports_the_cut(tmp_path: Path) -> None:
    wav = _write_wav(tmp_path / "crashed.wav", _tone())
    _cut(wav, 44 + int(1.5 * RATE) * 2)  # the header, then 1.5 s of the 4 s it declares

    decoded = decode_file(wav)

    assert decoded.duration == pytest.approx(1.5, abs=0.01)
    assert np.abs(decoded.samples).max() > 0.2  # the tone, not silence
    truncation = decoded.truncation
    assert truncation is not None
    assert truncation.path == wav
    assert truncation.declared_seconds == pytest.approx(SECONDS, abs=0.01)
    assert truncation.present_seconds == pytest.approx(1.5, abs=0.01)
    assert truncation.message == (
        f"{wav} is truncated: its header declares 4.0 s of audio, 1.5 s are there"
    )
    assert find_truncation(wav) == truncation


def test_a_whole_wav_and_a_streamed_one_are_not_truncated(tmp_path: Path) -> None:
    whole = _write_wav(tmp_path / "whole.wav", _tone())
    assert find_truncation(whole) is None
    assert decode_file(whole).truncation is None
    streamed = tmp_path / "streamed.wav"
    data = bytearray(whole.read_bytes()[: 44 + RATE * 2])
    data[4:8] = b"\xff\xff\xff\xff"  # a streaming writer that could not seek back
    streamed.write_bytes(bytes(data))
    assert find_truncation(streamed) is None


def test_chunks_before_the_audio_are_walked(tmp_path: Path) -> None:
    # Recorders put LIST or bext chunks between fmt and data; the audio starts after them.
    plain = _write_wav(tmp_path / "plain.wav", _tone()).read_bytes()
    info = b"LIST" + struct.pack("<I", 9) + b"INFOabcde" + b"\x00"  # odd size, padded
    data = bytearray(plain[:36] + info + plain[36:])
    struct.pack_into("<I", data, 4, len(data) - 8)
    tagged = tmp_path / "tagged.wav"
    tagged.write_bytes(bytes(data[: 36 + len(info) + 8 + RATE * 2]))  # 1 s of audio kept

    truncation = find_truncation(tagged)

    assert truncation is not None
    assert truncation.declared_seconds == pytest.approx(SECONDS, abs=0.01)
    assert truncation.present_seconds == pytest.approx(1.0, abs=0.01)
    assert decode_file(tagged).duration == pytest.approx(1.0, abs=0.01)


def test_a_wav_cut_right_after_its_header_is_still_refused(tmp_path: Path) -> None:
    wav = _cut(_write_wav(tmp_path / "header-only.wav", _tone()), 44)
    for check in (decode_file, check_has_audio):
        with pytest.raises(AudioFileError, match="no decodable audio"):
            check(wav)


def test_files_that_are_not_wav_have_no_truncation(tmp_path: Path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("meeting notes, not audio")
    assert find_truncation(notes) is None
    assert find_truncation(tmp_path / "missing.wav") is None
