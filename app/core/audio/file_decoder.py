"""Decode any audio or video file into 16 kHz mono float32, in chunks, with clear errors.

PyAV (which faster-whisper already depends on) bundles FFmpeg, so no system codec
is needed. Decoding is chunked so that long files never sit in memory twice, and
every way a file can be unusable (missing, empty, not media, no audio track,
truncated) becomes one :class:`AudioFileError` sentence instead of a traceback.
The samples match ``faster_whisper.decode_audio`` (s16 resampling, then /32768)
so results equal faster-whisper's own.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # PyAV loads FFmpeg; import it only when decoding starts
    from av.audio.frame import AudioFrame
    from av.audio.stream import AudioStream
    from av.container import InputContainer

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# A file whose decodable audio falls this far short of what its header declares is truncated.
_TRUNCATION_MIN_GAP_S = 0.5
_TRUNCATION_MIN_RATIO = 0.9
_WAV_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # streaming writers leave these when the length is unknown

AudioArray = npt.NDArray[np.float32]


class AudioFileError(Exception):
    """A file cannot be transcribed; the message is one sentence a user can act on."""


@dataclass(frozen=True)
class DecodedAudio:
    """A whole file decoded to 16 kHz mono float32 samples in [-1, 1]."""

    samples: AudioArray
    declared_seconds: float | None

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / SAMPLE_RATE


class AudioFileReader:
    """Reads one file's first audio track as 16 kHz mono chunks.

    Iterate :meth:`chunks`; afterwards :meth:`check_complete` raises if the file
    turned out shorter than its header promised.
    """

    def __init__(self, path: Path, chunk_seconds: float = 30.0) -> None:
        self.path = path
        self.chunk_samples = max(1, int(chunk_seconds * SAMPLE_RATE))
        self.decoded_samples = 0
        self.skipped_packets = 0
        self.declared_seconds: float | None = None

    def chunks(self) -> Iterator[AudioArray]:
        """Yield float32 chunks of about ``chunk_seconds`` each.

        Raises:
            AudioFileError: when the file is missing, empty, not media, or has no audio.
        """
        import av

        container = _open_media(self.path)
        with container:
            stream = container.streams.audio[0]
            self.declared_seconds = _declared_seconds(container, stream)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            pending: list[AudioArray] = []
            pending_samples = 0
            for frame in self._decoded_frames(container, stream):
                frame.pts = None  # resample by sample count, ignoring timestamp gaps
                for out in resampler.resample(frame):
                    pending.append(_to_float(out))
                    pending_samples += out.samples
                if pending_samples >= self.chunk_samples:
                    yield self._emit(pending)
                    pending, pending_samples = [], 0
            for out in resampler.resample(None):
                pending.append(_to_float(out))
            if pending:
                yield self._emit(pending)

    def _decoded_frames(
        self, container: InputContainer, stream: AudioStream
    ) -> Iterator[AudioFrame]:
        import av

        frames = container.decode(stream)
        while True:
            try:
                yield next(frames)
            except StopIteration:
                return
            except av.InvalidDataError:
                # Same policy as faster-whisper: skip a damaged packet, keep the rest.
                self.skipped_packets += 1
            except av.FFmpegError as exc:
                raise AudioFileError(
                    f"{self.path}: decoding failed after {self.decoded_seconds:.1f} s "
                    f"({_reason(exc)})."
                ) from exc

    def _emit(self, parts: list[AudioArray]) -> AudioArray:
        chunk = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self.decoded_samples += len(chunk)
        return chunk

    @property
    def decoded_seconds(self) -> float:
        """Seconds of audio yielded so far."""
        return self.decoded_samples / SAMPLE_RATE

    def check_complete(self) -> None:
        """Raise :class:`AudioFileError` if the file held no audio or was cut short."""
        if self.decoded_samples == 0:
            raise AudioFileError(f"{self.path}: the file contains no decodable audio.")
        declared = self.declared_seconds
        got = self.decoded_seconds
        if declared is not None and (
            declared - got > _TRUNCATION_MIN_GAP_S and got < declared * _TRUNCATION_MIN_RATIO
        ):
            raise AudioFileError(
                f"{self.path}: the file is truncated: its header declares {declared:.1f} s "
                f"but only {got:.1f} s of audio could be decoded."
            )


def decode_file(path: Path) -> DecodedAudio:
    """Decode a whole file to 16 kHz mono float32.

    Raises:
        AudioFileError: when the file is unusable (see :class:`AudioFileReader`).
    """
    reader = AudioFileReader(path)
    parts = list(reader.chunks())
    reader.check_complete()
    samples = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return DecodedAudio(samples=samples, declared_seconds=reader.declared_seconds)


def probe_duration(path: Path) -> float | None:
    """The duration a file's header declares, in seconds, without decoding it.

    Cheap (it only opens the container), for showing a queued job's length.
    None when the container does not say.

    Raises:
        AudioFileError: when the file is missing, empty, not media, or has no audio.
    """
    with _open_media(path) as container:
        return _declared_seconds(container, container.streams.audio[0])


def _open_media(path: Path) -> InputContainer:
    """Open ``path`` for reading, checked to hold at least one audio track."""
    import av

    _check_path(path)
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise AudioFileError(
            f"{path}: not an audio or video file that can be decoded ({_reason(exc)})."
        ) from exc
    if not container.streams.audio:
        container.close()
        raise AudioFileError(f"{path}: the file has no audio track.")
    return container


def _check_path(path: Path) -> None:
    if not path.exists():
        raise AudioFileError(f"{path}: no such file.")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not a file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        raise AudioFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    if size == 0:
        raise AudioFileError(f"{path}: the file is empty (0 bytes).")
    wav_gap = _wav_missing_bytes(head, size)
    if wav_gap:
        raise AudioFileError(
            f"{path}: the WAV file is truncated: {wav_gap} bytes of audio its header declares "
            "are missing."
        )


def _wav_missing_bytes(head: bytes, size: int) -> int:
    """Bytes missing from a WAV file, judged by the RIFF size in its header.

    FFmpeg silently shortens a WAV to what is on disk, so the header is the only witness.
    """
    if len(head) < 44 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return 0
    riff_size: int = struct.unpack("<I", head[4:8])[0]
    if riff_size in _WAV_UNKNOWN_SIZES:
        return 0
    return max(0, riff_size + 8 - size)


def _declared_seconds(container: InputContainer, stream: AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000  # AV_TIME_BASE is microseconds
    return None


def _to_float(frame: AudioFrame) -> AudioArray:
    samples: AudioArray = frame.to_ndarray().reshape(-1).astype(np.float32)
    samples /= np.float32(32768.0)
    return samples


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).strip().rstrip(".")
