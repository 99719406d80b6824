"""Every kind of unusable file gets one clear sentence; good files decode like faster-whisper."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileError, AudioFileReader, decode_file
from saytype_bench.accuracy import word_error_rate
from tests.support.media import (
    damaged_copy,
    encode_audio,
    truncated_copy,
    video_with_audio,
    video_without_audio,
)
from tests.support.speech import SpeechMaker

TALK = (
    "The first sentence is short. The second one says something about the weather "
    "tomorrow. The third sentence asks for the latest sales figures and the new contract."
)


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
        "half-downloaded m4a": (half, "without its index, which the recorder writes last"),
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


@pytest.mark.model
@pytest.mark.parametrize("at", [0.2, 0.5])
def test_a_damaged_stretch_costs_only_its_own_packets(
    speech: SpeechMaker, tmp_path: Path, at: float
) -> None:
    # 400 bad bytes a fifth of the way into an MP3 ended its decoding there: the rest (80 % of
    # the words) was lost, and the file was called truncated.
    mp3 = encode_audio(speech.wav(TALK, tmp_path / "talk.wav"), tmp_path / "talk.mp3", "libmp3lame")
    damaged = damaged_copy(mp3, tmp_path / "glitch.mp3", at=at)
    reader = AudioFileReader(damaged)
    list(reader.chunks())
    assert reader.skipped_packets >= 1
    assert reader.declared_seconds is not None
    assert reader.decoded_seconds > reader.declared_seconds - 0.5  # a few packets' worth
    assert reader.cut_short() == ""  # not truncated: damaged, and said so
    assert reader.damage().startswith("is damaged in ")
    done = subprocess.run(
        [sys.executable, "-m", "app", "transcribe", str(damaged)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert word_error_rate([TALK], [done.stdout]) <= 0.15, done.stdout  # a word or two at most
    assert f"warning: {damaged} is damaged in " in done.stderr
    assert "words said there may be missing; transcribed what is there." in done.stderr


def test_a_short_clip_whose_picture_outlasts_its_sound_is_not_truncated(
    speech_wav: Path, tmp_path: Path
) -> None:
    # A 4.4 s voice note in an MKV whose video ran to 5.0 s was "truncated: its header
    # declares 5.0 s": the container's length is its longest track's.
    from tests.support.media import video_with_audio

    sound = decode_file(speech_wav).duration
    for suffix in ("mkv", "mp4"):
        clip = video_with_audio(speech_wav, tmp_path / f"clip.{suffix}", picture_after_s=1.5)
        reader = AudioFileReader(clip)
        audio = np.concatenate(list(reader.chunks()))
        assert len(audio) / 16_000 == pytest.approx(sound, abs=0.1), suffix
        assert reader.cut_short() == "", suffix
