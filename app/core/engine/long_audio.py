"""Cut a stream of decoded audio into windows of a few minutes, each ending in a pause.

A two-hour file is 460 MB as one float32 array, and faster-whisper's batched
pipeline also computes every 30 s chunk's features up front, so memory would
grow with the file. Feeding the model windows of a few minutes keeps memory
bounded whatever the length. A window that ends in the middle of a word would
lose or double that word, so each cut is made in the middle of the longest
pause in the last stretch of the window. Energy, not a VAD, finds the pause: it
is deterministic, costs microseconds, and a pause between sentences is the
quietest place in speech whatever the recording level.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileError, AudioFileReader

log = logging.getLogger(__name__)

DEFAULT_WINDOW_S = 240.0
# Where a cut may fall: within the window's last SEARCH_S seconds.
DEFAULT_SEARCH_S = 30.0
_FRAME_SAMPLES = 160  # 10 ms energy frames
_MIN_SEARCH_FRAMES = 30
_PAUSE_MARGIN = 10.0  # a frame within 10 dB of the quietest one belongs to a pause
_SILENCE_POWER = 1e-8  # digital silence (-80 dBFS) counts as any other quiet floor


@dataclass(frozen=True)
class AudioWindow:
    """One stretch of the file to transcribe on its own.

    Attributes:
        start_s: where ``samples[0]`` lies in the file, in seconds.
        samples: 16 kHz mono float32 audio.
        last: whether this window ends the file.
    """

    start_s: float
    samples: AudioArray
    last: bool

    @property
    def end_s(self) -> float:
        """Where the window ends in the file, in seconds."""
        return self.start_s + len(self.samples) / SAMPLE_RATE


def quiet_point(audio: AudioArray, search_from: int) -> int:
    """The sample index, at or after ``search_from``, in the middle of the longest pause.

    A pause is a run of 10 ms frames whose energy is within 10 dB of the quietest
    frame's, so it adapts to each recording's noise floor; the middle of the longest
    run is the point farthest from speech on both sides. Falls back to the end of
    ``audio`` when the search region is shorter than 0.3 s.
    """
    region = audio[search_from:]
    frames = len(region) // _FRAME_SAMPLES
    if frames < _MIN_SEARCH_FRAMES:
        return len(audio)
    energy = np.square(region[: frames * _FRAME_SAMPLES], dtype=np.float64)
    per_frame = energy.reshape(frames, _FRAME_SAMPLES).mean(axis=1)
    quiet = per_frame <= max(float(per_frame.min()), _SILENCE_POWER) * _PAUSE_MARGIN
    # Runs of quiet frames as [start, end) pairs, found from the edges of the mask.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    starts, ends = edges[0::2], edges[1::2]
    longest = int(np.argmax(ends - starts))  # the first of equally long runs
    middle = (int(starts[longest]) + int(ends[longest])) // 2
    return search_from + middle * _FRAME_SAMPLES + _FRAME_SAMPLES // 2


def audio_windows(
    chunks: Iterable[AudioArray],
    window_s: float = DEFAULT_WINDOW_S,
    search_s: float = DEFAULT_SEARCH_S,
) -> Iterator[AudioWindow]:
    """Regroup decoded ``chunks`` into windows of at most ``window_s`` seconds cut at pauses.

    A window is cut only once ``search_s`` more audio has arrived beyond it, so the
    file's final window is never a sliver (a fraction of a second of silence on its
    own is where Whisper invents words). At most ``window_s + search_s`` seconds plus
    one chunk are held at any time.

    Args:
        chunks: float32 arrays in file order (e.g. :meth:`AudioFileReader.chunks`).
        window_s: longest window, in seconds.
        search_s: the cut falls within the window's last ``search_s`` seconds.
    """
    if not 0 < search_s < window_s:
        raise ValueError(f"search_s must be within (0, window_s): {search_s}, {window_s}")
    window = int(window_s * SAMPLE_RATE)
    search = int(search_s * SAMPLE_RATE)
    pending: list[AudioArray] = []
    held = 0
    offset = 0  # samples of the file already handed out
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        while held >= window + search:
            buffer = np.concatenate(pending)
            cut = quiet_point(buffer[:window], window - search)
            log.debug("window %.1f-%.1f s", offset / SAMPLE_RATE, (offset + cut) / SAMPLE_RATE)
            yield AudioWindow(offset / SAMPLE_RATE, buffer[:cut], last=False)
            offset += cut
            rest = buffer[cut:].copy()  # a copy, so the emitted window's memory can go
            pending, held = [rest], len(rest)
    if held:
        buffer = np.concatenate(pending) if len(pending) > 1 else pending[0]
        yield AudioWindow(offset / SAMPLE_RATE, buffer, last=True)


_NO_WORD_S = 0.1  # less audio than the shortest spoken word: nothing to transcribe


def checked_chunks(reader: AudioFileReader, cut: list[str]) -> Iterator[AudioArray]:
    """The reader's chunks; then whether the file was cut short goes into ``cut``."""
    yield from reader.chunks()
    if reader.truncation is not None and reader.decoded_seconds < _NO_WORD_S:
        # A header and (next to) nothing after it: a failure, not an empty "truncated"
        # transcript (a 200-byte WAV said "no speech was heard" and succeeded).
        raise AudioFileError(
            f"{reader.path}: the file holds no audio (it {reader.truncation.reason})."
        )
    cut.append("" if reader.truncation is not None else reader.cut_short() or reader.damage())
