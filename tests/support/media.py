"""Re-encode test speech into other containers, and make the broken files users really have."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def encode_audio(source: Path, target: Path, codec: str) -> Path:
    """Re-encode ``source``'s audio with ``codec`` (e.g. ``libmp3lame``) into ``target``."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        rate = inp.streams.audio[0].rate
        stream = out.add_stream(codec, rate=rate)
        for frame in inp.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target


def video_with_audio(source: Path, target: Path, picture_after_s: float = 0.0) -> Path:
    """A video (container by ``target``'s suffix) with a small black track and ``source``'s
    speech as AAC; the picture goes on ``picture_after_s`` past the sound."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        rate = inp.streams.audio[0].rate
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=rate)
        total = 0
        for frame in inp.decode(audio=0):
            frame.pts = None
            total += frame.samples
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
        _black_frames(out, video, seconds=total / rate + picture_after_s)
    return target


def video_without_audio(target: Path, seconds: float = 2.0) -> Path:
    """An MP4 holding only a black video track."""
    with av.open(str(target), "w") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        _black_frames(out, video, seconds)
    return target


def _black_frames(out: av.container.OutputContainer, video: av.VideoStream, seconds: float) -> None:
    black = np.zeros((48, 64, 3), np.uint8)
    for _ in range(max(1, int(seconds * 10))):
        for packet in video.encode(av.VideoFrame.from_ndarray(black, format="rgb24")):
            out.mux(packet)
    for packet in video.encode(None):
        out.mux(packet)


def truncated_copy(source: Path, target: Path, fraction: float = 0.5) -> Path:
    """The first ``fraction`` of ``source``'s bytes: an interrupted copy or download."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def header_only_copy(source: Path, target: Path, samples: int = 0) -> Path:
    """``source``'s WAV header and ``samples`` samples (16-bit mono) at most: a copy that
    stopped at the start."""
    data = source.read_bytes()
    start = data.index(b"data") + 8  # after the data chunk's id and size
    target.write_bytes(data[: start + 2 * samples])
    return target


def damaged_copy(source: Path, target: Path, at: float = 0.2, length: int = 400) -> Path:
    """``source`` with ``length`` bytes at ``at`` of the way in overwritten: a bad sector, a
    glitch in a download or a transfer. The rest of the file is intact."""
    data = bytearray(source.read_bytes())
    start = int(len(data) * at)
    noise = np.random.default_rng(7).integers(0, 256, length, dtype=np.uint8)
    data[start : start + length] = noise.tobytes()
    target.write_bytes(bytes(data))
    return target
