"""The app's microphone: the ring buffer, the MicSource that fills it, and Qt-side errors.

Opening a PortAudio stream can take a while (a sound server waking up, a
device rescan), and closing one joins the source's supervisor thread, so
neither happens on the GUI thread: every open, close and device switch runs,
in the order asked, on the microphone's own one-thread :class:`TaskLane`, and
its outcome comes back on the GUI thread through :func:`run_in_background`
(``opened``, ``failed``, or the caller's ``on_result``). MicSource reports later
failures on its supervisor thread; this wrapper turns them into the same queued
``failed`` signal. The level meter reads the newest samples from the ring (a GUI
timer polls :meth:`level_dbfs`), so the audio callback stays a plain copy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.core.audio.lost_sound import MOVED_TO_DEFAULT
from app.core.audio.mic_devices import PULSE_PREFIX, MicError, chosen_input_back
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.live_dictation import in_flight_wait_s
from app.core.task_lane import TaskLane
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)

_RING_SECONDS = 180.0
_LEVEL_WINDOW_S = 0.05
SILENCE_DBFS = -60.0
CLOSE_WAIT_S = 5.0  # close_and_wait's bound: MicSource gives a stuck driver 3 s
FIRST_AUDIO_WAIT_S = 5.0  # MicSource's own wait for a first block before it fails

OpenResult = Callable[[str | None], object]


class Microphone(QObject):
    """Owns the capture ring and the input stream; opens and closes it off the GUI thread.

    Args:
        device: input device name ("" or None: the system default).
        backend: the sounddevice module or a fake (tests).

    Signals:
        opened(): capture started (the device name is known from here on).
        failed(message): capture could not start (for a request without its own
            ``on_result``) or stopped working. Always delivered on the GUI thread.
        problem(message): any failure, also one answered to ``on_result``; a notice
            showing it no longer holds once ``opened`` follows.
        lost(seconds, gone): a stretch of sound never arrived while capture went on;
            ``gone`` names the chosen input when it went away ("" otherwise).
        stands_in(message): the chosen input is not there; the default one opened.
        returned(name): the chosen input is back and records again (:meth:`look_at_chosen`).
    """

    failed = Signal(str)
    opened = Signal()
    problem = Signal(str)  # every failure, however it is reported: the notices to take back
    lost = Signal(float, str)
    stands_in = Signal(str)  # the default input opened for a saved one that is not there
    returned = Signal(str)

    def __init__(
        self, device: str | None = None, backend: Any = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ring = RingBuffer(capacity_seconds=_RING_SECONDS)
        self.new_audio = threading.Event()
        self._audio_arrived = threading.Event()  # the lane's own: the worker clears new_audio
        self._backend = backend
        self._source = self._make_source(device or None)  # replaced only in the lane
        self._lane = TaskLane("microphone", max_threads=1)
        self._closes_queued = 0  # GUI thread: closes asked for and not done yet
        self._records = False  # the lane's: the open stream's first audio has arrived

    def _make_source(self, device: str | None) -> MicSource:
        return MicSource(
            self.ring,
            device=device,
            backend=self._backend,
            on_block=self._on_block,
            on_error=self._report,
            on_lost=self._report_lost,
            default_stands_in=True,  # a saved microphone unplugged: the default hears instead
        )

    def _on_block(self) -> None:
        """PortAudio's thread: wake the readers, nothing else."""
        self.new_audio.set()
        self._audio_arrived.set()

    @property
    def is_open(self) -> bool:
        """Whether the stream is capturing (requests still queued are not counted)."""
        return self._source.is_running

    @property
    def records(self) -> bool:
        """Whether audio flows now: a dictation asked for now hears its first words."""
        return self._records and self.is_open and not self._closes_queued

    @property
    def device_name(self) -> str | None:
        """The name of the device in use, once opened."""
        return self._source.device_name

    def start_position(self, pre_roll_s: float) -> int:
        """Where a dictation asked for now starts: ``pre_roll_s`` back, within this capture.

        When the stream is closed, or a close is still queued, the capture that will
        hear the dictation has not begun yet: it starts at the ring's end, so no
        audio from an earlier capture (another dictation's tail) leaks into it.
        """
        if self._closes_queued or not self.is_open:
            return self.ring.position
        return self.ring.position_before(pre_roll_s)

    def open(self, on_result: OpenResult | None = None) -> None:
        """Ask for capture to start (nothing happens when it is open by then).

        The outcome arrives on the GUI thread: ``opened`` when the stream opened,
        then ``on_result(None)``; on failure ``on_result(message)``, or ``failed(message)``
        when no ``on_result`` was given.
        """
        self._submit(self._open_now, on_result)

    def release_position(self) -> int:
        """Where a key let go now ends the dictation, audio still on its way included."""
        if self._closes_queued:
            return self.ring.position
        return self._source.release_position()

    def close(self, after: int | None = None) -> None:
        """Ask for capture to stop; the audio so far stays in the ring.

        Args:
            after: a ring position (a release's end): the stream stops once the
                audio up to it arrived, or when it should have.
        """
        self._closes_queued += 1
        run_in_background(
            partial(self._close_now, after),
            self._closed,
            self._close_crashed,
            lane=self._lane,
            receiver=self,
        )

    def close_and_wait(self, timeout_s: float = CLOSE_WAIT_S) -> bool:
        """Close, and wait (at most ``timeout_s``) until the stream has ended; for quitting.

        Returns:
            False when the lane was still busy after ``timeout_s``.
        """
        self.close()
        ended = self._lane.wait_idle(timeout_s)
        if not ended:
            log.warning("the microphone did not close within %.0f s", timeout_s)
        return ended

    def set_device(self, device: str | None) -> None:
        """Switch to another input device; reopens it when it was open.

        A failure to reopen arrives as ``failed`` (see :meth:`open`).
        """
        self._submit(partial(self._switch_now, device or None), None)

    @property
    def away_from_chosen(self) -> bool:
        """Whether another input records for the chosen one (it was missing, or went away)."""
        source = self._source
        moved = source.standing_in is not None or source.device_name == MOVED_TO_DEFAULT
        return source.is_running and moved

    @property
    def chosen_can_be_watched(self) -> bool:
        """Whether the stream is open on a sound-server source that can come and go."""
        device = self._source.device
        return self.is_open and isinstance(device, str) and device.startswith(PULSE_PREFIX)

    def look_at_chosen(self, *, switch_back: bool) -> None:
        """Ask the sound server whether the chosen source went, or came back.

        Gone: ``lost`` says so (the server moved the stream, maybe losing no sound).
        Back, with ``switch_back``: it records again and ``returned`` says so. A switch
        drops the stream for a moment: ask for it only while no dictation is under way.
        """
        run_in_background(
            partial(self._look_now, switch_back),
            self._returned,
            partial(self._open_crashed, None),
            lane=self._lane,
            receiver=self,
        )

    def level_dbfs(self) -> float:
        """Loudness of the newest 50 ms in dBFS (SILENCE_DBFS when closed or silent)."""
        if not self.is_open:
            return SILENCE_DBFS
        start = self.ring.position_before(_LEVEL_WINDOW_S)
        samples = self.ring.read_since(start).samples
        if len(samples) == 0:
            return SILENCE_DBFS
        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
        return max(SILENCE_DBFS, 20.0 * float(np.log10(max(rms, 1e-9))))

    # GUI thread: requests out, outcomes back ------------------------------------------

    def _submit(
        self, call: Callable[[], tuple[bool, str | None]], on_result: OpenResult | None
    ) -> None:
        run_in_background(
            call,
            partial(self._open_outcome, on_result),
            partial(self._open_crashed, on_result),
            lane=self._lane,
            receiver=self,
        )

    def _open_outcome(self, on_result: OpenResult | None, outcome: tuple[bool, str | None]) -> None:
        started, error = outcome
        if started:
            self.opened.emit()
        if error is not None:
            self.problem.emit(error)
        if error is not None and on_result is None:
            self.failed.emit(error)
        elif on_result is not None:
            on_result(error)

    def _open_crashed(self, on_result: OpenResult | None, exc: BaseException) -> None:
        log.error("opening the microphone failed", exc_info=exc)
        self._open_outcome(on_result, (False, f"The microphone could not be opened: {exc}"))

    def _returned(self, name: str | None) -> None:
        if name is not None:
            self.opened.emit()
            self.returned.emit(name)

    def _closed(self, _outcome: object = None) -> None:
        self._closes_queued -= 1

    def _close_crashed(self, exc: BaseException) -> None:
        self._closed()
        log.error("closing the microphone failed", exc_info=exc)

    # The microphone lane ----------------------------------------------------------------

    def _open_now(self) -> tuple[bool, str | None]:
        """(whether a stream opened now, the error) — never on the GUI thread.

        It returns once the first audio arrived: a sound server may take 1-2 s to send
        it, and what is said before is never recorded, so "opened" (and the start cue
        that follows it) must not come sooner.
        """
        if self._source.is_running:
            return False, None
        self._records = False
        self._audio_arrived.clear()
        try:
            self._source.start()
        except MicError as exc:
            return False, str(exc)
        if self._source.standing_in:  # queued to the GUI thread
            self.stands_in.emit(self._source.standing_in)
        deadline = time.monotonic() + FIRST_AUDIO_WAIT_S
        while self._source.is_running and not self._audio_arrived.wait(0.05):
            if time.monotonic() > deadline:  # the source's own check fails it soon
                log.warning("no audio %.0f s after the microphone opened", FIRST_AUDIO_WAIT_S)
                break
        self._records = self._source.is_running
        return True, None

    def _close_now(self, after: int | None = None) -> None:
        if after is not None:
            deadline = time.monotonic() + in_flight_wait_s(self.ring, after)
            while self._source.is_running and self.ring.position < after:
                self._audio_arrived.clear()  # before the check: a later block wakes us
                left = deadline - time.monotonic()
                if self.ring.position >= after or left <= 0:
                    break
                self._audio_arrived.wait(left)
        self._source.stop()

    def _switch_now(self, device: str | None) -> tuple[bool, str | None]:
        was_open = self._source.is_running
        self._source.stop()
        self._source = self._make_source(device)
        return self._open_now() if was_open else (False, None)

    def _look_now(self, switch_back: bool) -> str | None:
        """The chosen input's name once it records again; None otherwise."""
        self._source.look_for_a_move()
        device = self._source.device
        if not switch_back or not self.away_from_chosen or not chosen_input_back(device):
            return None
        self._switch_now(str(device))
        return None if self.away_from_chosen else self._source.device_name or str(device)

    def _report(self, message: str) -> None:
        # Supervisor thread: signals are the only thing done here (queued to the GUI).
        self.problem.emit(message)
        self.failed.emit(message)

    def _report_lost(self, lost_s: float, gone: str | None) -> None:
        self.lost.emit(lost_s, gone or "")  # supervisor thread: queued to the GUI


def mic_failure_notice(message: str, *, words_kept: bool) -> str:
    """What to tell the user when the microphone stopped (``message``: how it failed)."""
    kept = "The words said before it are kept. " if words_kept else ""
    return f"{message} {kept}Reconnect it, or choose another in Settings."


def mic_notices(message: str) -> tuple[str, ...]:
    """Every notice the microphone's failure ``message`` can be shown as (to take them back)."""
    return (message, *(mic_failure_notice(message, words_kept=kept) for kept in (False, True)))
