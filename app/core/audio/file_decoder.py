"""Decode any audio or video file into 16 kHz mono float32, in chunks, with clear errors.

PyAV (which faster-whisper already depends on) bundles FFmpeg, so no system codec
is needed. Decoding is chunked so that long files never sit in memory twice, and
every way a file can be unusable (missing, empty, not media, no audio track,
truncated, damaged) becomes one :class:`AudioFileError` sentence instead of a
traceback. A WAV cut short (what a crashed recorder leaves) is the exception: its
audio is decoded, and the cut is reported as data (:class:`TruncatedWav`). Headers
claiming impossible sample rates or channel counts are refused before decoding;
``tests/test_fuzz_media.py`` fuzzes this whole path.
The samples match ``faster_whisper.decode_audio`` (s16 resampling, then /32768)
so results equal faster-whisper's own.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from app.core.audio.declared_length import declared_seconds
from app.core.audio.mp4_index import NO_MP4_INDEX, lacks_mp4_index
from app.core.audio.wav_header import TruncatedWav, find_truncation

if TYPE_CHECKING:  # PyAV loads FFmpeg; import it only when decoding starts
    from av.audio.frame import AudioFrame
    from av.audio.resampler import AudioResampler
    from av.audio.stream import AudioStream
    from av.container import InputContainer

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# A file whose decodable audio falls this far short of what its header declares is truncated.
_TRUNCATION_MIN_GAP_S = 0.5
_TRUNCATION_MIN_RATIO = 0.9
# Outside these, a header is damaged: telephony starts at 8 kHz, studio gear ends at 768 kHz,
# and FFmpeg's own channel layouts stop at 64 (22.2 surround has 24).
MIN_SAMPLE_RATE = 1_000
MAX_SAMPLE_RATE = 768_000
MAX_CHANNELS = 64
_NO_DECODER = "the audio is in a format that cannot be decoded"
_NOT_MEDIA_FORMATS = {"tty": "text", "image2": "a picture", "bin": "text"}

AudioArray = npt.NDArray[np.float32]


class AudioFileError(Exception):
    """A file cannot be transcribed; the message is one sentence a user can act on."""


@dataclass(frozen=True)
class DecodedAudio:
    """A whole file decoded to 16 kHz mono float32 samples in [-1, 1].

    ``truncation`` is set when the file is a WAV cut short: ``samples`` then hold
    the audio that is there, and the caller should say so.
    """

    samples: AudioArray
    declared_seconds: float | None
    truncation: TruncatedWav | None = None

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / SAMPLE_RATE


class AudioFileReader:
    """Reads one file's first audio track as 16 kHz mono chunks.

    Iterate :meth:`chunks`; afterwards :meth:`check_complete` raises if the file
    turned out shorter than its header promised. A WAV cut short is the exception:
    it decodes what is there and :attr:`truncation` describes the cut.
    """

    def __init__(self, path: Path, chunk_seconds: float = 30.0) -> None:
        self.path = path
        self.chunk_samples = max(1, int(chunk_seconds * SAMPLE_RATE))
        self.decoded_samples = 0
        self.skipped_packets = 0
        self.declared_seconds: float | None = None
        self.truncation: TruncatedWav | None = None

    def chunks(self) -> Generator[AudioArray, None, None]:
        """Yield float32 chunks of about ``chunk_seconds`` each.

        Raises:
            AudioFileError: when the file is missing, empty, not media, or has no audio.
        """
        container = _open_media(self.path)
        with container:
            stream = container.streams.audio[0]
            self.declared_seconds = declared_seconds(container, stream)
            self.truncation = find_truncation(self.path)
            if self.truncation is not None:
                log.info("%s; decoding what is there", self.truncation.message)
            resampler = _Resampler(self.path)
            pending: list[AudioArray] = []
            pending_samples = 0
            for frame in self._decoded_frames(container, stream):
                for out in resampler.resample(frame):
                    pending.append(out)
                    pending_samples += len(out)
                if pending_samples >= self.chunk_samples:
                    yield self._emit(pending)
                    pending, pending_samples = [], 0
            pending.extend(resampler.flush())
            if pending:
                yield self._emit(pending)

    def _decoded_frames(
        self, container: InputContainer, stream: AudioStream
    ) -> Iterator[AudioFrame]:
        """Each packet decoded on its own: a damaged one is skipped, the rest kept.

        (``container.decode`` is one generator: once a damaged packet made it raise, it
        was finished, and everything after the damage was lost.)
        """
        import av

        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
                frames = packet.decode()
            except StopIteration:
                return
            except av.InvalidDataError:
                # Same policy as faster-whisper: skip a damaged packet, keep the rest.
                self.skipped_packets += 1
                continue
            except av.DecoderNotFoundError as exc:
                raise AudioFileError(f"{self.path}: {_NO_DECODER}.") from exc
            except av.FFmpegError as exc:
                if self.decoded_samples == 0 and self.skipped_packets == 0:
                    raise AudioFileError(
                        f"{self.path}: the audio track cannot be decoded ({_reason(exc)})."
                    ) from exc
                raise AudioFileError(
                    f"{self.path}: decoding failed after {self.decoded_seconds:.1f} s "
                    f"({_reason(exc)})."
                ) from exc
            for frame in frames:
                _check_audio_shape(self.path, frame.sample_rate, frame.layout.nb_channels)
                yield frame

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
        cut = self.cut_short()
        if cut:
            raise AudioFileError(f"{self.path}: the file {cut}.")

    def cut_short(self) -> str:
        """After :meth:`chunks`: "" for a whole file, else how it was cut short ("is truncated:
        its header declares 4.7 s but only 1.8 s of audio could be decoded").

        Raises:
            AudioFileError: the file held no decodable audio at all.
        """
        if self.decoded_samples == 0:
            raise AudioFileError(f"{self.path}: the file contains no decodable audio.")
        declared = self.declared_seconds
        got = self.decoded_seconds
        if declared is not None and (
            declared - got > _TRUNCATION_MIN_GAP_S and got < declared * _TRUNCATION_MIN_RATIO
        ):
            return (
                f"is truncated: its header declares {declared:.1f} s "
                f"but only {got:.1f} s of audio could be decoded"
            )
        return ""

    def damage(self) -> str:
        """After :meth:`chunks`: "" when every packet decoded, else where the file is damaged."""
        if not self.skipped_packets:
            return ""
        places = "one place" if self.skipped_packets == 1 else f"{self.skipped_packets} places"
        return f"{DAMAGED} in {places}: words said there may be missing"


DAMAGED = "is damaged"  # how :meth:`AudioFileReader.damage` begins


def decode_file(path: Path) -> DecodedAudio:
    """Decode a whole file to 16 kHz mono float32.

    Raises:
        AudioFileError: when the file is unusable (see :class:`AudioFileReader`).
    """
    reader = AudioFileReader(path)
    parts = list(reader.chunks())
    reader.check_complete()
    samples = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return DecodedAudio(
        samples=samples, declared_seconds=reader.declared_seconds, truncation=reader.truncation
    )


def check_has_audio(path: Path) -> None:
    """Decode just enough of ``path`` (a tenth of a second) to know it holds audio.

    Raises:
        AudioFileError: when the file is missing, empty, not media, has no audio
            track, or none of its audio decodes (a WAV header with no samples).
    """
    reader = AudioFileReader(path, chunk_seconds=0.1)
    chunks = reader.chunks()
    try:
        for _ in chunks:
            return
    finally:
        chunks.close()
    reader.check_complete()


def probe_duration(path: Path) -> float | None:
    """The duration a file's header declares, in seconds, without decoding it.

    Cheap (it only opens the container), for showing a queued job's length.
    None when the container does not say.

    Raises:
        AudioFileError: when the file is missing, empty, not media, or has no audio.
    """
    with _open_media(path) as container:
        return declared_seconds(container, container.streams.audio[0])


def _open_media(path: Path) -> InputContainer:
    """Open ``path`` for reading, checked to hold at least one audio track of sane shape."""
    import av

    _check_path(path)
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.EOFError as exc:
        raise AudioFileError(
            f"{path}: the file ends before any audio: it holds only a header or was cut short."
        ) from exc
    except av.FFmpegError as exc:
        if lacks_mp4_index(path):
            raise AudioFileError(f"{path}: {NO_MP4_INDEX}") from exc
        raise AudioFileError(
            f"{path}: not an audio or video file that can be decoded, or a damaged or "
            f"incomplete one ({_reason(exc)})."
        ) from exc
    try:
        if not container.streams.audio:
            if _looks_like_media(container):
                raise AudioFileError(f"{path}: the file has no audio track.")
            raise AudioFileError(
                f"{path}: not an audio or video file (it looks like "
                f"{_NOT_MEDIA_FORMATS.get(container.format.name, 'a picture')})."
            )
        codec = container.streams.audio[0].codec_context
        if codec is None:  # FFmpeg has no decoder for this codec id
            raise AudioFileError(f"{path}: {_NO_DECODER} (an unknown codec).")
        # 0 means "not known before decoding"; decoded frames are checked again.
        _check_audio_shape(path, codec.sample_rate or None, codec.channels or None)
    except AudioFileError:
        container.close()
        raise
    return container


def _looks_like_media(container: InputContainer) -> bool:
    """False for text and still pictures, which FFmpeg opens as one-frame video."""
    name = container.format.name
    return name not in _NOT_MEDIA_FORMATS and not name.endswith("_pipe")


def _check_audio_shape(path: Path, rate: int | None, channels: int | None) -> None:
    """Reject sample rates and channel counts no recording has (a damaged header).

    A WAV claiming 7 Hz would otherwise decode its few kilobytes into hours of
    noise, and one claiming 2^31 Hz makes the resampler allocate gigabytes.
    """
    if rate is not None and not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioFileError(
            f"{path}: the audio track claims a sample rate of {rate} Hz, which no recording "
            "has; the file is probably damaged."
        )
    if channels is not None and not 1 <= channels <= MAX_CHANNELS:
        raise AudioFileError(
            f"{path}: the audio track claims {channels} channels, which no recording has; "
            "the file is probably damaged."
        )


def _check_path(path: Path) -> None:
    if not path.exists():
        raise AudioFileError(f"{path}: no such file (was it moved, renamed or deleted?).")
    if path.is_dir():
        from app.core.audio.media_files import collect_media_files

        if collect_media_files([path]):
            raise AudioFileError(f"{path}: is a folder; give one of the audio files in it.")
        raise AudioFileError(f"{path}: is a folder with no audio or video files in it.")
    if not path.is_file():  # opening a pipe blocks until someone writes; a device never ends
        raise AudioFileError(
            f"{path}: not a regular file (a pipe, device or socket cannot be transcribed)."
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            handle.read(1)  # a file we may not read fails here, in one sentence
    except OSError as exc:
        raise AudioFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    if size == 0:
        raise AudioFileError(f"{path}: the file is empty (0 bytes).")


class _Resampler:
    """FFmpeg's resampler to 16 kHz mono s16, rebuilt when the input format changes.

    Streams may change rate or layout midway (joined AAC or MP3 files, damaged headers);
    PyAV's resampler then raises ``ValueError`` or, for a layout change, silently garbles
    the audio, so a new one takes over from that frame.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._resampler: AudioResampler | None = None
        self._input: tuple[str, str, int] | None = None

    def resample(self, frame: AudioFrame) -> list[AudioArray]:
        import av

        shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        out: list[AudioArray] = []
        if self._resampler is None or shape != self._input:
            out.extend(self.flush())
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            self._input = shape
        frame.pts = None  # resample by sample count, ignoring timestamp gaps
        out.extend(self._run(frame))
        return out

    def flush(self) -> list[AudioArray]:
        return self._run(None) if self._resampler is not None else []

    def _run(self, frame: AudioFrame | None) -> list[AudioArray]:
        import av

        assert self._resampler is not None
        try:
            return [_to_float(out) for out in self._resampler.resample(frame)]
        except av.FFmpegError as exc:
            raise AudioFileError(
                f"{self._path}: the audio cannot be converted to 16 kHz ({_reason(exc)})."
            ) from exc


def _to_float(frame: AudioFrame) -> AudioArray:
    samples: AudioArray = frame.to_ndarray().reshape(-1).astype(np.float32)
    samples /= np.float32(32768.0)
    return samples


def _reason(exc: Exception) -> str:
    import av

    if isinstance(exc, av.PatchWelcomeError):  # FFmpeg's "patches welcome" is for developers
        return "it uses a variant of its format that FFmpeg does not support"
    if isinstance(exc, av.PermissionError):  # from a decoder: the file was already opened
        return "its audio data is damaged"
    if isinstance(exc, av.MemoryError):  # FFmpeg refuses sizes over 2 GiB read from a header
        return "it declares an impossibly large size, so it is probably damaged"
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).strip().rstrip(".")
