"""The file queue's runner: one thread transcribes queued files, one after another.

It shares the dictation's model (one ModelHost) and yields to dictation through
the PauseGate: the controller closes the gate while someone dictates, and the
file job waits at its next segment boundary. Jobs carry ids; a cancel stops the
job at the next segment and keeps what was done (the transcript comes back
with ``complete=False``, exportable as partial). Durations are probed on a
separate small thread, so the queue shows each file's length at once even
while a long job keeps the runner busy. A WAV cut short (a crashed recorder)
is transcribed as far as it goes and reported with ``truncated``, as the CLI
warns about it. While Settings → Engine has a server active, jobs go to it
instead (:mod:`app.core.engine.remote.file_route`) and need neither the model
nor the gate; when the server fails, ``fell_back`` says so and the local model
takes the file, or the job fails, as the fallback setting says. A finished
transcript is saved at once (Settings → Files: the folder, or next to the
file, and the format), under a name no other file has: ``saved`` or
``save_failed`` follows ``finished``.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.core.audio.file_decoder import AudioFileError, probe_duration
from app.core.audio.wav_header import TruncatedWav
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.core.engine.remote.api_keys import saved_api_key
from app.core.engine.remote.endpoint_book import Endpoint
from app.core.engine.remote.file_route import FileRoute
from app.core.engine.transcript import Segment, Transcript
from app.core.file_job_options import is_dictation_recording
from app.core.output.exporters import ExportError
from app.core.output.queue_journal import QueueJournal
from app.core.task_lane import TaskLane
from app.core.text.shaper import TextShaper
from app.ui.files.file_compute import FileCompute, FileJob, TranscriptSaving, save_transcript
from app.ui.shell.background import run_in_background
from app.ui.shell.owned_threads import new_thread

log = logging.getLogger(__name__)


class FileJobRunner(QObject):
    """GUI-side handle of the file queue.

    Signals (job id first): ``added(path)``, ``duration_known(seconds)`` (or
    ``failed`` when the probe already shows a bad file), ``started``,
    ``progress(fraction)``, ``segment(Segment)``, ``truncated(TruncatedWav)``
    (just before ``finished``: the file is a WAV cut short, the transcript holds
    what is there), ``finished(Transcript | None)`` (None: cancelled before it
    started) and ``failed(message)``; ``idle`` when the queue is empty. After a
    transcript, ``saved(path)`` or ``save_failed(message)``. ``already_queued`` names
    the job a file added again already has, while it waits or runs.
    """

    added = Signal(int, str)
    already_queued = Signal(int)
    duration_known = Signal(int, float)
    started = Signal(int)
    progress = Signal(int, float)
    segment = Signal(int, object)
    truncated = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, str)
    fell_back = Signal(int, str)
    saved = Signal(int, str)
    save_failed = Signal(int, str)
    idle = Signal()
    route_changed = Signal(str)
    thread_ended = Signal()  # the thread has stopped (after request_stop)

    _submit = Signal(object)
    _probed = Signal(int, object)  # id, seconds | error message (from the probe thread)

    def __init__(
        self,
        host: ModelHost,
        gate: PauseGate,
        parent: QObject | None = None,
        *,
        api_key_of: Callable[[Endpoint], str] = saved_api_key,
    ) -> None:
        super().__init__(parent)
        self.gate = gate
        self.options = TranscribeOptions()
        self.shaper: TextShaper | None = None
        self.dictation_shaper: TextShaper | None = None  # Saytype's own dictation recordings
        self.route: FileRoute | None = None
        self.saving: TranscriptSaving | None = None  # the app sets it from the settings
        self.journal: QueueJournal | None = None  # the app's: what waits survives a crash
        self._save_lane = TaskLane("file-saves", max_threads=1)
        self._thread = new_thread("saytype-files")
        self._compute = FileCompute(host, gate, api_key_of)
        self._compute.moveToThread(self._thread)
        self._submit.connect(self._compute.run)
        self._compute.started.connect(self._on_started)
        self._compute.progress.connect(self._on_progress)
        self._compute.segment.connect(self._on_segment)
        self._compute.truncated.connect(self._on_truncated)
        self._compute.finished.connect(self._on_finished)
        self._compute.failed.connect(self._on_failed)
        self._compute.fell_back.connect(self._on_fell_back)
        self._probed.connect(self._on_probed)
        self._probe_pool = concurrent.futures.ThreadPoolExecutor(1, "saytype-probe")
        self._jobs: dict[int, FileJob] = {}
        self._running: int | None = None  # the job the file thread said it started
        self._running_fraction = 0.0  # how far it got, for `saytype status`
        self.history_only: set[int] = set()  # jobs whose text goes to history, not a file
        # Done, but their transcript's save failed: listed as waiting, so a crash before
        # the user exports them offers their files again at the next start.
        self.unsaved: dict[int, Path] = {}
        self._next_id = 1
        self._thread.finished.connect(self.thread_ended)
        self._thread.start()

    def configure(
        self,
        options: TranscribeOptions,
        shaper: TextShaper | None,
        dictation_shaper: TextShaper | None = None,
    ) -> None:
        """Decoding options and text shaping for jobs added from now on (``dictation_shaper``:
        for Saytype's own recordings of dictations; ``shaper`` when None)."""
        self.options = options
        self.shaper = shaper
        self.dictation_shaper = dictation_shaper or shaper

    def use_endpoint(self, endpoint: Endpoint | None, fallback: bool = True) -> None:
        """Send files added from now on to ``endpoint`` (None: the local model)."""
        self.route = FileRoute(endpoint, fallback) if endpoint is not None else None
        self.route_changed.emit(self.where)

    @property
    def where(self) -> str:
        """Where files added now are transcribed ("" = this computer)."""
        return self.route.where if self.route is not None else ""

    def route_of(self, job_id: int) -> FileRoute | None:
        """The server the job ``job_id`` goes to (None: this computer, or an unknown job)."""
        job = self._jobs.get(job_id)
        return job.route if job is not None else None

    def summary(self) -> str:
        """The queue in a few words ("" when empty): "transcribing talk.wav (24 %), 1 waiting"."""
        if not self._jobs:
            return ""
        running = self._jobs.get(self._running) if self._running is not None else None
        waiting = len(self._jobs) - (running is not None)
        parts = []
        if running is not None:
            parts.append(
                f"transcribing {running.path.name} ({round(self._running_fraction * 100)} %)"
            )
        if waiting:
            parts.append(f"{waiting} waiting")
        return ", ".join(parts)

    @property
    def is_busy(self) -> bool:
        """Whether any job is queued or running."""
        return bool(self._jobs)

    @property
    def jobs_left(self) -> int:
        """How many jobs are queued or running."""
        return len(self._jobs)

    def add(self, path: Path, *, save: bool = True) -> int:
        """Queue ``path``; returns its job id. ``save=False``: never saved as a file (a
        recovered dictation goes to history only)."""
        if save:  # the same file dropped or opened twice, or queued again at a restart
            same = [i for i, job in self._jobs.items() if _same_file(job.path, path)]
            if same and same[0] not in self.history_only:
                self.already_queued.emit(same[0])
                return same[0]
        saving = self.saving if save else None
        shaper = self.dictation_shaper if is_dictation_recording(path) else self.shaper
        job = FileJob(self._next_id, path, self.options, shaper, self.route, saving=saving)
        self._next_id += 1
        self._jobs[job.job_id] = job
        if not save:
            self.history_only.add(job.job_id)
        self.added.emit(job.job_id, str(path))
        self._probe_pool.submit(self._probe, job.job_id, path)
        self._submit.emit(job)
        self.write_down()
        return job.job_id

    def cancel(self, job_id: int) -> None:
        """Stop the job at its next segment, keeping what was done; a queued one at once.

        A job not yet started is done as soon as it is cancelled: waiting for the file
        thread to reach it kept its row "Queued", as if the click had missed, for as long
        as the running file took.
        """
        job = self._jobs.get(job_id)
        if job is None:
            return
        job.cancel.cancel()
        if job_id != self._running:  # the file thread drops it when it comes to it
            del self._jobs[job_id]
            self.finished.emit(job_id, None)
            self._maybe_idle()

    def cancel_all(self) -> None:
        """Cancel every queued and running job."""
        for job_id in list(self._jobs):
            self.cancel(job_id)

    @property
    def thread_running(self) -> bool:
        """Whether the file thread is still running (it ends after its current model call)."""
        return self._thread.isRunning()

    def request_stop(self) -> None:
        """Cancel everything and ask the thread to end, without waiting (see shutdown).

        What still waits is left in the journal, to be offered at the next start: a quit
        stops the files, it does not forget them.
        """
        self.write_down()
        self.journal = None  # the cancellations below must not write the list away
        self.cancel_all()
        self._probe_pool.shutdown(wait=False, cancel_futures=True)
        self._thread.quit()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and stop the thread; True if it stopped in time."""
        self.request_stop()
        stopped = bool(self._thread.wait(timeout_ms))
        self._save_lane.wait_idle(timeout_ms / 1000)  # the saves and the queue's journal
        if not stopped:
            log.warning("the file thread was still busy after %d ms", timeout_ms)
        return stopped

    def _probe(self, job_id: int, path: Path) -> None:
        try:
            self._probed.emit(job_id, probe_duration(path))
        except AudioFileError as exc:
            self._probed.emit(job_id, str(exc))
        except Exception:  # the job itself will fail with a reason; keep the trace for a report
            log.exception("probing %s failed", path)

    @Slot(int, object)
    def _on_probed(self, job_id: int, result: object) -> None:
        if job_id not in self._jobs:
            return
        if isinstance(result, float):
            self.duration_known.emit(job_id, result)
        # A bad file fails when its turn comes, with the same reason; nothing to do now.

    @Slot(int)
    def _on_started(self, job_id: int) -> None:
        self._running = job_id
        self._running_fraction = 0.0
        if job_id in self._jobs:  # not one cancelled while the start was on its way
            self.started.emit(job_id)

    @Slot(int, float)
    def _on_progress(self, job_id: int, fraction: float) -> None:
        if job_id == self._running:
            self._running_fraction = fraction
        if job_id in self._jobs:
            self.progress.emit(job_id, fraction)

    @Slot(int, object)
    def _on_segment(self, job_id: int, segment: Segment) -> None:
        if job_id in self._jobs:
            self.segment.emit(job_id, segment)

    @Slot(int, object)
    def _on_truncated(self, job_id: int, truncation: TruncatedWav) -> None:
        if job_id in self._jobs:
            self.truncated.emit(job_id, truncation)

    @Slot(int, object)
    def _on_finished(self, job_id: int, transcript: Transcript | None) -> None:
        self._running = None if self._running == job_id else self._running
        job = self._jobs.pop(job_id, None)
        if job is not None:
            # What became of each file, for a "where did my transcript go?" (no words said).
            ended = (
                "cancelled" if transcript is None else "done" if transcript.complete else "partial"
            )
            log.info("file job %d (%s) %s", job_id, job.path.name, ended)
            if transcript is not None and job.shaper is not None:
                transcript = job.shaper.shape_transcript(transcript)
            self.finished.emit(job_id, transcript)
            # A cancelled job's part too (NAME.partial.FMT): a crash or a quit then loses nothing.
            saving = job.saving if transcript is not None else None
            if transcript is not None and saving is not None and transcript.text.strip():
                self._save(job_id, job.path, transcript, saving)  # never an empty .srt
        self._maybe_idle()

    def _save(
        self, job_id: int, source: Path, transcript: Transcript, saving: TranscriptSaving
    ) -> None:
        def failed(exc: BaseException) -> None:
            reason = str(exc) if isinstance(exc, ExportError) else f"internal error ({exc})"
            log.warning("file job %d: transcript not saved: %s", job_id, reason)
            self.unsaved[job_id] = source
            self.write_down()
            self.save_failed.emit(job_id, reason)

        def saved(path: Path) -> None:
            log.info("file job %d: transcript saved to %s", job_id, path)
            self.saved.emit(job_id, str(path))

        run_in_background(
            lambda: save_transcript(transcript, source, saving),
            saved,
            failed,
            lane=self._save_lane,
            receiver=self,
        )

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        self._running = None if self._running == job_id else self._running
        job = self._jobs.pop(job_id, None)
        if job is not None:
            log.info("file job %d (%s) failed: %s", job_id, job.path.name, message)
            self.failed.emit(job_id, message)
        self._maybe_idle()

    @Slot(int, str)
    def _on_fell_back(self, job_id: int, notice: str) -> None:
        if job_id in self._jobs:
            self.fell_back.emit(job_id, notice)

    def _maybe_idle(self) -> None:
        self.write_down()
        if not self._jobs:
            self.idle.emit()

    def write_down(self) -> None:
        """List the files still to transcribe in the journal, off the GUI thread, in order."""
        journal = self.journal
        if journal is None:
            return
        jobs = self._jobs.items()
        waiting = [job.path for job_id, job in jobs if job_id not in self.history_only]
        self._save_lane.submit(journal.save, [*self.unsaved.values(), *waiting])

    def saved_after_all(self, job_id: int) -> None:
        """The transcript of ``job_id`` is in a file now, or the user let it go."""
        if self.unsaved.pop(job_id, None) is not None:
            self.write_down()


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:  # gone, or never there: by name
        return one.absolute() == other.absolute()
