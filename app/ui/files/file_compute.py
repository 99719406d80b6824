"""The file thread's side of the queue: one job at a time, reported through signals.

:class:`FileCompute` lives on the queue's thread (:mod:`app.ui.files.file_jobs`) and
never raises across it: a failure is a ``failed`` signal naming the file. A job goes
to the local model, or to the server Settings → Engine made active
(:mod:`app.core.engine.remote.file_route`). A finished transcript is saved, as
Settings → Files says, under a name no other file has.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.core.audio.file_decoder import AudioFileError
from app.core.audio.wav_header import find_truncation
from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.engine.remote.endpoint_book import Endpoint
from app.core.engine.remote.file_route import FileRoute, transcribe_routed
from app.core.engine.remote.remote_errors import RemoteEngineError
from app.core.engine.transcript import Transcript
from app.core.output.exporters import render, unused_path, write_text_atomically
from app.core.text.paragraphs import with_paragraphs
from app.core.text.shaper import TextShaper

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranscriptSaving:
    """Where finished transcripts are saved: a folder (None: next to the file), a format."""

    folder: Path | None = None
    fmt: str = "txt"

    def target(self, source: Path, *, partial: bool = False) -> Path:
        """The file ``source``'s transcript would be saved as (before avoiding a taken name);
        a ``partial`` one (cancelled part way) as ``NAME.partial.FMT``, as the CLI names it."""
        suffix = f".partial.{self.fmt}" if partial else f".{self.fmt}"
        return (self.folder or source.parent) / f"{source.stem or 'transcript'}{suffix}"


def save_transcript(transcript: Transcript, source: Path, saving: TranscriptSaving) -> Path:
    """Write ``transcript`` as ``saving`` says, never over an existing file; the file written.

    Raises:
        ExportError: the folder is missing, read-only or full (one sentence).
    """
    text = render(with_paragraphs(transcript), saving.fmt)
    target = saving.target(source, partial=not transcript.complete)
    target = unused_path(target, holding=text)  # the same file again: reused
    write_text_atomically(target, text)
    return target


@dataclass(frozen=True)
class FileJob:
    """One queued file: its id, path, options, the server it goes to, and cancel token."""

    job_id: int
    path: Path
    options: TranscribeOptions
    shaper: TextShaper | None = None  # spoken commands, replacements… as in dictation
    route: FileRoute | None = None  # None: the local model
    cancel: CancellationToken = field(default_factory=CancellationToken)
    saving: TranscriptSaving | None = None  # None: not saved on its own


class FileCompute(QObject):
    """Runs on the file thread; never raises across threads."""

    started = Signal(int)
    progress = Signal(int, float)
    segment = Signal(int, object)
    truncated = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, str)
    fell_back = Signal(int, str)

    def __init__(
        self, host: ModelHost, gate: PauseGate, api_key_of: Callable[[Endpoint], str]
    ) -> None:
        super().__init__()
        self._transcriber = FileTranscriber(host)
        self._host = host
        self._gate = gate
        self._api_key_of = api_key_of

    @Slot(object)
    def run(self, job: FileJob) -> None:
        if job.cancel.cancelled:
            self.finished.emit(job.job_id, None)  # cancelled while queued: nothing was done
            return
        self.started.emit(job.job_id)
        log.info("file job %d started: %s", job.job_id, job.path.name)
        try:
            transcript = self._transcribe_remote(job) if job.route else self._transcribe(job)
        except (AudioFileError, ModelError, RemoteEngineError) as exc:
            self.failed.emit(job.job_id, str(exc))
        except OSError as exc:
            self.failed.emit(job.job_id, f"{job.path}: {exc.strerror or exc}")
        except Exception as exc:  # a bug must fail one job, not the queue
            log.exception("file job %d failed", job.job_id)
            self.failed.emit(job.job_id, f"{job.path}: internal error ({exc})")
        else:
            # Here, off the GUI thread: it reads a few header bytes (None for other formats).
            truncation = find_truncation(job.path)
            if truncation is not None:
                self.truncated.emit(job.job_id, truncation)  # queued: it arrives before finished
                transcript = replace(transcript, cut_short=truncation.reason)  # saved JSON says it
            self.finished.emit(job.job_id, transcript)

    def _transcribe(self, job: FileJob) -> Transcript:
        with self._host.held():  # an idle unload waits until this job is done
            return self._transcriber.transcribe_file(
                job.path,
                job.options,
                on_segment=lambda s: self.segment.emit(job.job_id, s),
                on_progress=lambda f: self.progress.emit(job.job_id, f),
                cancel=job.cancel,
                gate=self._gate,
            )

    def _transcribe_remote(self, job: FileJob) -> Transcript:
        assert job.route is not None
        notices: list[str] = []

        def fall_back(notice: str) -> None:
            notices.append(notice)
            self.fell_back.emit(job.job_id, notice)

        transcript = transcribe_routed(
            job.route,
            job.path,
            job.options,
            local=lambda: self._transcribe(job),
            api_key=self._api_key_of(job.route.endpoint),  # here: the keyring may wait
            on_fallback=fall_back,
            on_progress=lambda f: self.progress.emit(job.job_id, f),
            cancel=job.cancel,
        )
        if not notices:  # a server answers whole: its segments come at once
            for segment in transcript.segments:
                self.segment.emit(job.job_id, segment)
        return transcript
