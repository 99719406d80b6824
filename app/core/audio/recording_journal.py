"""The crash journal: a dictation's audio on disk while it is being recorded.

The ring buffer lives in memory, so a crash (``kill -9``, a segfault in a native
library, a power cut) would lose everything said so far. While a dictation runs,
its audio is therefore appended to a 16-bit mono WAV file in
``data_dir()/journals``. Appends happen away from the audio callback (which only
copies into the ring): :class:`RingJournalWriter` reads "everything since
position P" from the ring, on the thread of the one journal writer,
:class:`app.core.audio.crash_journal.CrashJournal`.

Each append reaches the kernel at once, so a killed process loses only what was
not yet appended; ``fsync`` (against power cuts) runs at most once per
``sync_interval_s``, and each sync also rewrites the header's sizes, so the file
is a valid WAV up to the last sync. Recovery (:mod:`app.core.audio.journal_recovery`)
fixes the header from the file's real length anyway.

The writer holds an exclusive ``flock`` on the file for as long as it records.
The kernel drops it when the process dies, however it dies, so "locked" means
"a live process is still recording this" and recovery leaves it alone. A small
JSON sidecar says when the dictation started and with which model. Files are
owner-only (0600) in an owner-only folder (0700): they hold speech.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.core.atomic_file import write_text_atomically
from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.ring_buffer import RingBuffer
from app.core.paths import data_dir
from app.core.private_files import private_folder

log = logging.getLogger(__name__)

WAV_HEADER_BYTES = 44
BYTES_PER_SAMPLE = 2
DEFAULT_SYNC_INTERVAL_S = 1.0
DEFAULT_PUMP_INTERVAL_S = 0.25
JOURNAL_SUFFIX = ".wav"
SIDECAR_SUFFIX = ".json"
PARTIAL_PREFIX = "."  # a journal being created; never offered for recovery


def journals_dir() -> Path:
    """The folder holding recording journals."""
    return data_dir() / "journals"


def sidecar_path(journal: Path) -> Path:
    """The JSON file describing ``journal``."""
    return journal.with_suffix(SIDECAR_SUFFIX)


def wav_header(data_bytes: int, sample_rate: int = SAMPLE_RATE) -> bytes:
    """The canonical 44-byte header of a 16-bit mono PCM WAV holding ``data_bytes``."""
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        1,  # mono
        sample_rate,
        sample_rate * BYTES_PER_SAMPLE,
        BYTES_PER_SAMPLE,
        8 * BYTES_PER_SAMPLE,
        b"data",
        data_bytes,
    )


def write_header_sizes(descriptor: int, data_bytes: int) -> None:
    """Rewrite the RIFF and data sizes of an open journal in place (no seek)."""
    os.pwrite(descriptor, struct.pack("<I", 36 + data_bytes), 4)
    os.pwrite(descriptor, struct.pack("<I", data_bytes), 40)


def _to_pcm16(samples: AudioArray) -> bytes:
    # The same conversion as app.core.audio.wav_file, so a kept journal equals a kept WAV.
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


class RecordingJournal:
    """One dictation's audio file, appended to while it is recorded.

    Create it with :meth:`create`; end it with :meth:`discard` (a normal end
    without kept audio), :meth:`keep_as` (the audio goes with the history entry)
    or :meth:`close` (stop writing but leave it for recovery).
    """

    def __init__(
        self,
        path: Path,
        descriptor: int,
        *,
        sample_rate: int,
        sync_interval_s: float,
        clock: Callable[[], float],
    ) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self._descriptor: int | None = descriptor
        self._sync_interval_s = sync_interval_s
        self._clock = clock
        self._last_sync = clock()
        self._data_bytes = 0
        self._unsynced = False
        self.syncs = 0  # how many times the audio was fsynced (tests check the cadence)

    @classmethod
    def create(
        cls,
        *,
        model: str = "",
        source: str = "",
        folder: Path | None = None,
        sample_rate: int = SAMPLE_RATE,
        sync_interval_s: float = DEFAULT_SYNC_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> RecordingJournal:
        """Start a new, locked journal (and its sidecar) in ``folder``.

        Raises:
            OSError: the folder or the file could not be created.
        """
        folder = folder or journals_dir()
        if folder.parent == data_dir():
            # The first run may be `saytype listen`: the data folder is created private too,
            # as the history makes it, not with the umask's 0755.
            private_folder(folder.parent)
        private_folder(folder)
        started_at = time.time()
        stem = time.strftime("%Y%m%d-%H%M%S", time.localtime(started_at)) + f"-{os.getpid()}"
        descriptor, path = _create_unique(folder, stem)
        try:
            # Locked before the file gets its real name, so nobody ever sees it unlocked.
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(descriptor, wav_header(0, sample_rate))
            os.fsync(descriptor)
            info = {
                "version": 1,
                "started_at": started_at,
                "sample_rate": sample_rate,
                "model": model,
                "source": source,
                "pid": os.getpid(),
            }
            final = path.with_name(path.name.removeprefix(PARTIAL_PREFIX))
            write_text_atomically(sidecar_path(final), json.dumps(info), file_mode=0o600)
            path.replace(final)
        except BaseException:
            os.close(descriptor)
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        log.info("recording journal %s started", final)
        return cls(
            final,
            descriptor,
            sample_rate=sample_rate,
            sync_interval_s=sync_interval_s,
            clock=clock,
        )

    @property
    def open(self) -> bool:
        """Whether the journal is still being written."""
        return self._descriptor is not None

    @property
    def duration_s(self) -> float:
        """Seconds of audio appended so far."""
        return self._data_bytes / BYTES_PER_SAMPLE / self.sample_rate

    def append(self, samples: AudioArray) -> None:
        """Append float samples; fsync when the last sync is ``sync_interval_s`` old.

        Raises:
            OSError: the disk refused the write (full, removed…).
        """
        if self._descriptor is None or len(samples) == 0:
            return
        data = _to_pcm16(samples)
        written = 0
        while written < len(data):  # os.write may write less than asked
            written += os.write(self._descriptor, data[written:])
        self._data_bytes += len(data)
        self._unsynced = True
        if self._clock() - self._last_sync >= self._sync_interval_s:
            self.sync()

    def sync(self) -> None:
        """Make the audio so far durable and the header's sizes true."""
        if self._descriptor is None or not self._unsynced:
            return
        write_header_sizes(self._descriptor, self._data_bytes)
        os.fsync(self._descriptor)
        self._last_sync = self._clock()
        self._unsynced = False
        self.syncs += 1

    def close(self) -> None:
        """Stop writing; the file stays (a failed dictation can be recovered later)."""
        if self._descriptor is None:
            return
        try:
            self.sync()
        except OSError as exc:
            log.warning("could not sync the journal %s: %s", self.path, exc)
        finally:
            os.close(self._descriptor)  # also releases the lock
            self._descriptor = None

    def discard(self) -> None:
        """Close and delete the journal and its sidecar (the dictation ended normally)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        for path in (self.path, sidecar_path(self.path)):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not delete the journal %s: %s", path, exc)

    def keep_as(self, target: Path) -> Path | None:
        """Finish the WAV and move it to ``target`` (kept audio beside history).

        Returns:
            ``target``, or None when the journal was already closed (a disk error).

        Raises:
            OSError: it could not be synced or moved (the journal then stays for recovery).
        """
        if self._descriptor is None:
            return None
        self.sync()
        target.parent.mkdir(parents=True, exist_ok=True)
        self.path.replace(target)  # same file system: both live in data_dir()
        os.close(self._descriptor)
        self._descriptor = None
        sidecar_path(self.path).unlink(missing_ok=True)
        self.path = target
        return target


def _create_unique(folder: Path, stem: str) -> tuple[int, Path]:
    for attempt in range(100):
        suffix = f"-{attempt}" if attempt else ""
        path = folder / f"{PARTIAL_PREFIX}{stem}{suffix}{JOURNAL_SUFFIX}"
        final = folder / f"{stem}{suffix}{JOURNAL_SUFFIX}"
        if final.exists():
            continue
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"too many journals named {stem} in {folder}")


class RingJournalWriter:
    """Copies a dictation's audio from the ring buffer into its journal.

    :meth:`pump` appends everything since the last call. Only
    :class:`app.core.audio.crash_journal.CrashJournal`'s thread calls it: never the
    audio callback or the GUI thread, since a write or an fsync can block.

    Args:
        ring: the ring the microphone (or a file source) writes.
        start: the dictation's first sample (its pre-roll included).
        journal: where the audio goes.
    """

    def __init__(self, ring: RingBuffer, start: int, journal: RecordingJournal) -> None:
        self.ring = ring
        self.position = start
        self.journal = journal
        self.error: OSError | None = None

    def pump(self, end: int | None = None) -> None:
        """Append the ring's samples since the last pump, up to ``end`` when given.

        A disk error stops journaling (kept in :attr:`error`); the dictation goes on.
        """
        if self.error is not None or not self.journal.open:
            return
        limit = None if end is None else max(0, end - self.position)
        read = self.ring.read_since(self.position, limit)
        if read.lost:
            log.warning("the journal fell behind the ring: %d samples lost", read.lost)
        self.position = read.end
        try:
            self.journal.append(read.samples)
        except OSError as exc:
            log.warning("the recording journal %s failed: %s", self.journal.path, exc)
            self.error = exc
            self.journal.close()
