"""Unloads the model after the app has sat idle for a while, and retries when it was busy.

Handy unloads after 5 idle minutes; whisper-writer never does, and users notice
the few hundred MB it keeps. The countdown restarts whenever the worker becomes
idle or the model is (re)loaded, and stops while a job runs. The unload itself
is the worker's: it runs on the inference thread, between jobs, so it never
breaks a job; when it finds one queued it answers ``unload_deferred`` and we try
again a little later. The next dictation reloads the model on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance

log = logging.getLogger(__name__)

NEVER = -1
RETRY_MS = 30_000


class UnloadableWorker(Protocol):
    """The parts of :class:`app.ui.dictation.inference_worker.InferenceWorker` the unloader uses."""

    idle: SignalInstance
    model_ready: SignalInstance
    unload_deferred: SignalInstance

    @property
    def is_running(self) -> bool: ...

    def unload_model(self) -> None: ...


class IdleUnloader(QObject):
    """Owns the idle countdown.

    Args:
        worker: the inference worker whose model is unloaded.
        minutes: the ``idle_unload_minutes`` setting: -1 never, 0 as soon as idle, N minutes.
        ms_per_minute: tests shrink minutes to milliseconds.
        retry_ms: how long to wait after a busy refusal before trying again.
        also_busy: other users of the same model (file transcription), checked too.
    """

    def __init__(
        self,
        worker: UnloadableWorker,
        minutes: int,
        parent: QObject | None = None,
        *,
        ms_per_minute: int = 60_000,
        retry_ms: int = RETRY_MS,
        also_busy: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(parent)
        self._worker = worker
        self._minutes = minutes
        self._ms_per_minute = ms_per_minute
        self._retry_ms = retry_ms
        self._also_busy = also_busy
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._unload)
        worker.idle.connect(self.restart)
        worker.model_ready.connect(self.restart)
        worker.unload_deferred.connect(self._retry_later)

    @property
    def minutes(self) -> int:
        """The idle period in minutes (-1 never, 0 immediately)."""
        return self._minutes

    @property
    def pending(self) -> bool:
        """Whether an unload is scheduled."""
        return self._timer.isActive()

    def set_minutes(self, minutes: int) -> None:
        """Apply a changed setting; the countdown starts over."""
        self._minutes = minutes
        self.restart()

    def restart(self) -> None:
        """Start the countdown from now (or stop it, for "never" and while busy)."""
        if self._minutes == NEVER or self._busy():
            self._timer.stop()
            return
        self._timer.start(max(0, self._minutes) * self._ms_per_minute)

    def stop(self) -> None:
        """Cancel any scheduled unload (at shutdown)."""
        self._timer.stop()

    def _busy(self) -> bool:
        return self._worker.is_running or self._also_busy()

    def _unload(self) -> None:
        if self._busy():
            self._retry_later()
            return
        log.info("idle for %d min: unloading the model", self._minutes)
        self._worker.unload_model()

    def _retry_later(self) -> None:
        if self._minutes == NEVER:
            return
        self._timer.start(self._retry_ms)
