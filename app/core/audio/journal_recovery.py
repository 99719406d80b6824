"""Finding and recovering the recording journals a crashed dictation left behind.

A journal (:mod:`app.core.audio.recording_journal`) that no process holds
locked belongs to a dictation that never ended: its process died. Such a
journal is *claimed* (locked by us, so a second Saytype cannot recover it
twice), *repaired* (the header's sizes are set from the file's real length; a
torn last sample is cut off) and then transcribed by the caller, who finally
saves the text to history (:func:`save_recovered`), the audio kept beside it
when the user keeps recordings.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.recording_journal import (
    BYTES_PER_SAMPLE,
    JOURNAL_SUFFIX,
    PARTIAL_PREFIX,
    WAV_HEADER_BYTES,
    journals_dir,
    sidecar_path,
    wav_header,
    write_header_sizes,
)
from app.core.output.history import HistoryEntry, HistoryStore, audio_dir

log = logging.getLogger(__name__)


class JournalError(Exception):
    """A journal could not be read or repaired; the message is written for the user."""


@dataclass(frozen=True)
class UnfinishedJournal:
    """A journal whose dictation never ended, as found on disk."""

    path: Path
    duration_s: float
    started_at: float
    model: str
    source: str


def find_unfinished_journals(folder: Path | None = None) -> list[UnfinishedJournal]:
    """The journals of dead processes, oldest first; those still being recorded are skipped."""
    folder = folder or journals_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(PARTIAL_PREFIX):
            _remove_stale_partial(path)
            continue
        if path.suffix != JOURNAL_SUFFIX or not path.is_file() or _is_locked(path):
            continue
        info = _read_sidecar(path)
        found.append(
            UnfinishedJournal(
                path=path,
                duration_s=_audio_bytes(path) / BYTES_PER_SAMPLE / SAMPLE_RATE,
                started_at=_started_at(path, info),
                model=str(info.get("model") or ""),
                source=str(info.get("source") or ""),
            )
        )
    return found


def _started_at(path: Path, info: dict[str, object]) -> float:
    """When the dictation started: from the sidecar, else the file's last change."""
    started_at = info.get("started_at")
    if isinstance(started_at, int | float):
        return float(started_at)
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


def _is_locked(path: Path) -> bool:
    """Whether a live process holds the journal's lock (it is still recording)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # vanished or unreadable: not ours to offer
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing also drops a lock we just took
    return False


def _remove_stale_partial(path: Path) -> None:
    """A journal that died while being created holds no audio; remove it once unlocked."""
    if path.suffix == JOURNAL_SUFFIX and not _is_locked(path):
        with contextlib.suppress(OSError):
            path.unlink()


def _read_sidecar(path: Path) -> dict[str, object]:
    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # the audio matters; a lost or torn sidecar only costs the model name
    return data if isinstance(data, dict) else {}


def _audio_bytes(path: Path) -> int:
    """Whole samples of audio after the header (a torn last sample does not count)."""
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    data = max(0, size - WAV_HEADER_BYTES)
    return data - data % BYTES_PER_SAMPLE


class ClaimedJournal:
    """An unfinished journal locked by this process for recovery.

    Use as a context manager (or call :meth:`release`); a claimed journal that
    is neither discarded nor adopted stays on disk for a later attempt.

    Raises:
        JournalError: from :meth:`claim` when it cannot be opened.
    """

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor: int | None = descriptor
        info = _read_sidecar(path)
        self.model = str(info.get("model") or "")
        self.started_at = _started_at(path, info)
        self.duration_s = 0.0

    @classmethod
    def claim(cls, path: Path) -> ClaimedJournal | None:
        """Lock ``path`` for recovery; None when another process holds it (still recording)
        or has taken it already (``saytype recover`` while the window offered it).

        Raises:
            JournalError: the journal cannot be opened for repair.
        """
        try:
            descriptor = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalError(f"The recording journal {path} cannot be opened: {exc}.") from exc
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        return cls(path, descriptor)

    def repair(self) -> float:
        """Make the file a valid WAV of all its whole samples; return its seconds of audio.

        Raises:
            JournalError: it is not a Saytype journal, or it could not be written.
        """
        descriptor = self._open_descriptor()
        try:
            size = os.fstat(descriptor).st_size
            head = os.pread(descriptor, WAV_HEADER_BYTES, 0)
            if size < WAV_HEADER_BYTES:
                self.duration_s = 0.0  # died before its header reached the disk: no audio
                return 0.0
            data_bytes = _audio_bytes(self.path)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE" or head[36:40] != b"data":
                if not sidecar_path(self.path).is_file():
                    raise JournalError(
                        f"{self.path} is not a Saytype recording journal; move it out of "
                        f"{self.path.parent} if it is yours, or delete it."
                    )
                # Its sidecar says it is ours: 16 kHz mono PCM after a 44-byte header, so a
                # damaged header is rebuilt and the audio after it is recovered.
                log.warning("rebuilt the damaged header of the journal %s", self.path)
                head = wav_header(data_bytes)
                os.pwrite(descriptor, head, 0)
                os.fsync(descriptor)
            if size != WAV_HEADER_BYTES + data_bytes:
                os.ftruncate(descriptor, WAV_HEADER_BYTES + data_bytes)  # the torn last sample
            (declared,) = struct.unpack("<I", head[40:44])
            if declared != data_bytes:
                write_header_sizes(descriptor, data_bytes)
                os.fsync(descriptor)
        except OSError as exc:
            raise JournalError(
                f"The recording journal {self.path} cannot be repaired: {exc}."
            ) from exc
        self.duration_s = data_bytes / BYTES_PER_SAMPLE / SAMPLE_RATE
        return self.duration_s

    def read_audio(self) -> AudioArray:
        """The journal's samples as 16 kHz mono float32 (call :meth:`repair` first)."""
        descriptor = self._open_descriptor()
        try:
            size = os.fstat(descriptor).st_size
            data = os.pread(descriptor, max(0, size - WAV_HEADER_BYTES), WAV_HEADER_BYTES)
        except OSError as exc:
            raise JournalError(f"The recording journal {self.path} cannot be read: {exc}.") from exc
        data = data[: len(data) - len(data) % BYTES_PER_SAMPLE]
        return (np.frombuffer(data, dtype="<i2").astype(np.float32) / 32767).astype(np.float32)

    def discard(self) -> None:
        """Delete the journal and its sidecar (it was recovered, or the user does not want it)."""
        for path in (self.path, sidecar_path(self.path)):
            path.unlink(missing_ok=True)
        self.release()

    def release(self) -> None:
        """Unlock the journal (it stays on disk unless discarded or adopted)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def _open_descriptor(self) -> int:
        if self._descriptor is None:
            raise JournalError(f"The recording journal {self.path} was already released.")
        return self._descriptor

    def __enter__(self) -> ClaimedJournal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def kept_audio_name(started_at: float) -> str:
    """The file name a recovered dictation's audio gets beside history."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started_at))
    return f"dictation-{stamp}-recovered.wav"


def save_recovered(
    claim: ClaimedJournal, text: str, history: HistoryStore, *, model: str, keep_audio: bool
) -> HistoryEntry | None:
    """Put a recovered text into history, then let the journal go.

    With ``keep_audio`` the repaired WAV becomes the entry's kept audio; otherwise
    it is deleted. An empty text (nothing was said) saves nothing.

    Raises:
        HistoryError: the entry could not be saved; the journal then stays, for a later try.
    """
    if not text:
        claim.discard()
        return None
    kept: Path | None = None
    if keep_audio:
        try:
            kept = audio_dir() / kept_audio_name(claim.started_at)
            os.link(claim.path, kept)  # a second name, so a failed save below loses nothing
        except OSError as exc:
            log.warning("could not keep the recovered audio %s: %s", claim.path, exc)
            kept = None
    try:
        audio = str(kept) if kept else None
        entry = history.add(text, claim.duration_s, model, audio, created_at=claim.started_at)
    except Exception:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
    claim.discard()
    return entry
