"""Seed files for the media fuzzer: small real recordings in every container users drop.

Nothing big is checked in: the seeds are made at run time from 1.5 s of the
bundled ``welcome.mp3`` speech (and a tone), encoded with PyAV into WAV
(16-bit, float, 8-bit, µ-law, ADPCM; mono, stereo, 6 channels; 8 to 48 kHz),
FLAC, MP3, Ogg/Opus, M4A/AAC, MP4 and MKV, plus containers users also meet:
video without audio, an audio track with no packets, a WAV with an empty data
chunk, and files that are not media at all (text, PNG, a program, nothing).
WAVs are written by hand so the fuzzer knows where their header fields are.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

WELCOME_MP3 = Path(__file__).resolve().parents[2] / "resources" / "samples" / "welcome.mp3"
_SPEECH_START_S, _SPEECH_S = 0.4, 1.5

Samples = npt.NDArray[np.float32]  # (frames, channels) in [-1, 1]


def make_seeds() -> dict[str, bytes]:
    """Every seed file by name (its extension is the container's usual one)."""
    speech = _welcome_speech()
    seeds: dict[str, bytes] = {
        "pcm16-16k-mono.wav": _wav(_at_rate(speech, 24_000, 16_000), 16_000, "pcm16"),
        "float32-48k-stereo.wav": _wav(_stereo(_at_rate(speech, 24_000, 48_000)), 48_000, "f32"),
        "u8-8k-mono.wav": _wav(_at_rate(speech, 24_000, 8_000), 8_000, "u8"),
        "pcm16-48k-6ch.wav": _wav(_six_channels(_tone(48_000, 0.5)), 48_000, "pcm16"),
        "empty-data.wav": _wav(np.zeros((0, 1), np.float32), 16_000, "pcm16"),
        "mulaw-8k.wav": _encode(speech, "wav", "pcm_mulaw", 8_000),
        "adpcm-16k.wav": _encode(speech, "wav", "adpcm_ima_wav", 16_000),
        "speech.flac": _encode(speech, "flac", "flac", 16_000),
        "speech.mp3": _encode(speech, "mp3", "libmp3lame", 16_000),
        "speech.opus": _encode(speech, "ogg", "libopus", 48_000),
        "speech.m4a": _encode(speech, "ipod", "aac", 16_000),
        "speech-alac.m4a": _encode(speech, "ipod", "alac", 16_000),
        "speech.mkv": _encode(speech, "matroska", "libopus", 48_000),
        "clip.mp4": _encode(speech, "mp4", "aac", 24_000, video=True),
        "video-only.mp4": _encode(None, "mp4", "aac", 24_000, video=True),
        "no-audio-packets.mkv": _encode(np.zeros((0, 1), np.float32), "matroska", "aac", 16_000),
        "welcome.mp3": WELCOME_MP3.read_bytes(),
        "notes.txt": b"Meeting notes: call the plumber, buy milk.\n" * 40,
        "image.png": _png(),
        "program.elf": Path(sys.executable).resolve().read_bytes()[:16_384],
        "zero-length.wav": b"",
    }
    return seeds


def _welcome_speech() -> Samples:
    import av

    parts: list[npt.NDArray[np.generic]] = []
    with av.open(str(WELCOME_MP3)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=24_000)
        for frame in container.decode(audio=0):
            frame.pts = None
            parts.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
    audio = np.concatenate(parts).astype(np.float32)
    start = int(_SPEECH_START_S * 24_000)
    return audio[start : start + int(_SPEECH_S * 24_000)].reshape(-1, 1)


def _at_rate(audio: Samples, rate: int, target: int) -> Samples:
    frames = len(audio)
    wanted = int(frames * target / rate)
    positions = np.linspace(0, frames - 1, wanted)
    mono: Samples = np.interp(positions, np.arange(frames), audio[:, 0]).astype(np.float32)
    shaped: Samples = mono.reshape(-1, 1)
    return shaped


def _stereo(audio: Samples) -> Samples:
    return np.concatenate([audio, audio * np.float32(0.5)], axis=1)


def _tone(rate: int, seconds: float) -> Samples:
    t = np.arange(int(rate * seconds), dtype=np.float32) / rate
    tone: Samples = (np.float32(0.3) * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return tone.reshape(-1, 1)


def _six_channels(audio: Samples) -> Samples:
    return np.concatenate([audio * np.float32(1 / (k + 1)) for k in range(6)], axis=1)


def _wav(audio: Samples, rate: int, kind: str) -> bytes:
    """A canonical 44-byte-header WAV: RIFF, ``fmt `` at 12, ``data`` at 36."""
    channels = audio.shape[1]
    to_bytes: dict[str, tuple[int, int, Callable[[Samples], bytes]]] = {
        "pcm16": (1, 16, lambda a: (a * 32767).astype("<i2").tobytes()),
        "f32": (3, 32, lambda a: a.astype("<f4").tobytes()),
        "u8": (1, 8, lambda a: (a * 127 + 128).astype(np.uint8).tobytes()),
    }
    tag, bits, encode = to_bytes[kind]
    data = encode(np.clip(audio, -1, 1))
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _encode(
    audio: Samples | None, container_format: str, codec: str, rate: int, *, video: bool = False
) -> bytes:
    """``audio`` (24 kHz mono) encoded with PyAV; None for no audio track at all."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as out:
        if video:
            picture = out.add_stream("mpeg4", rate=10)
            picture.width, picture.height, picture.pix_fmt = 32, 32, "yuv420p"
        if audio is not None:
            stream = out.add_stream(codec, rate=rate, layout="mono")
            resampled = _at_rate(audio, 24_000, rate) if len(audio) else audio
            _encode_audio(out, stream, resampled.reshape(-1), rate)
        if video:
            black = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for _ in range(15):
                out.mux(picture.encode(black))
            out.mux(picture.encode(None))
    return buffer.getvalue()


def _encode_audio(out: object, stream: object, mono: Samples, rate: int) -> None:
    import av

    if len(mono):
        frame = av.AudioFrame.from_ndarray(mono.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        resampler = av.AudioResampler(
            format=stream.format.name,  # type: ignore[attr-defined]
            layout="mono",
            rate=rate,
            frame_size=stream.frame_size or None,  # type: ignore[attr-defined]
        )
        for part in resampler.resample(frame) + resampler.resample(None):
            out.mux(stream.encode(part))  # type: ignore[attr-defined]
        out.mux(stream.encode(None))  # type: ignore[attr-defined]
    else:  # a valid header with an audio track that holds no packets
        out.start_encoding()  # type: ignore[attr-defined]


def _png() -> bytes:
    """A real 16 by 16 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + bytes(range(16)) for _ in range(16)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
