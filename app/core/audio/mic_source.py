"""The microphone: PortAudio (via sounddevice) into the 16 kHz ring buffer.

PortAudio calls back on a real-time thread; anything slow there (allocation,
logging, locks, Qt) causes dropouts. So the callback only copies the block into
a preallocated :class:`RingBuffer` and wakes the reader. Everything else happens
on one small supervisor thread owned by :class:`MicSource`:

* When the device cannot open at 16 kHz, the callback copies into a raw ring at
  the device's own rate and the supervisor resamples that to 16 kHz with PyAV,
  outside the callback.
* It notices a stream that ended without being asked to (device unplugged,
  PortAudio error) or stopped calling back (a stall), reports it once through
  ``on_error`` and closes the stream. Audio already captured stays in the ring.
  Reporting from this thread, never from PortAudio's, lets ``on_error`` call
  :meth:`MicSource.stop` safely.

``sounddevice`` is imported lazily (it raises OSError at import when the
PortAudio library is missing) and can be injected, so tests pass a fake.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from app.core.audio.device_resampler import DeviceRateResampler
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.file_source import MIC_BLOCK_SAMPLES
from app.core.audio.lost_sound import MOVED_TO_DEFAULT, LostSoundWatch
from app.core.audio.mic_devices import (
    MicError,
    MicNotFound,
    find_input,
    load_backend,
    open_failure,
    rescan_devices,
    stand_in_notice,
)
from app.core.audio.pulse_sources import PactlRunner, route_to_source, run_pactl
from app.core.audio.ring_buffer import RingBuffer
from app.core.log_file import log_path_for_messages

__all__ = ["MicError", "MicSource"]

log = logging.getLogger(__name__)

# The supervisor's longest nap between stall checks. A stream that ends wakes it at
# once; only a silent stall waits for the nap, so it is reported within
# stall_timeout_s + this. Idle, these wake-ups are most of what the thread costs.
_WAKE_TIMEOUT_S = 0.5
_STOP_TIMEOUT_S = 3.0  # stop() gives up waiting for a stuck audio driver after this
# More audio than this "in flight" at a release means the stream's clock and its
# ADC times do not match (some drivers report neither well): trust the ring then.
_MAX_IN_FLIGHT_S = 1.0
# A block heard this much later than the previous one ended: sound between them was lost
# (the server moved or dropped the stream). Longer than any block: a late one never counts.
_LOST_SOUND_S = 0.3


class MicSource:
    """Captures mono float32 audio from an input device into a 16 kHz ring buffer.

    Args:
        ring: where 16 kHz audio goes; MicSource is its only writer.
        device: input device index, ``pulse:<source name>``, or (part of) a name or
            a sound-server source's description; None for the default.
        backend: the ``sounddevice`` module or a fake with the same API.
        on_block: called after new audio is in ``ring`` (wakes the reader).
            Must be cheap: it may run on PortAudio's real-time thread.
        on_error: called once, on the supervisor thread, when capture fails.
        on_lost: (supervisor thread) sound never arrived while the stream went on: its
            seconds, and the device's name when its source went away (else None).
        default_stands_in: a ``device`` not there opens the default input instead
            (``standing_in`` says so): for a saved choice, not a command line's.
        stall_timeout_s: no callback for this long while running is a failure. A busy
            machine can hold callbacks back for over a second (load 6 on two cores); an
            unplugged device usually ends the stream at once, so waiting costs little.
        startup_timeout_s: the same before the first callback. Longer, because
            servers may take seconds to begin: PulseAudio's idle null-sink monitor
            delivers its first block only after up to 2 s.
        clock: monotonic seconds, for the stall check.
        pactl: runs ``pactl``, to find sound-server sources (tests pass canned output).
    """

    def __init__(
        self,
        ring: RingBuffer,
        device: str | int | None = None,
        backend: Any = None,
        on_block: Callable[[], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        *,
        on_lost: Callable[[float, str | None], None] | None = None,
        default_stands_in: bool = False,
        stall_timeout_s: float = 3.0,
        startup_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        pactl: PactlRunner = run_pactl,
    ) -> None:
        if ring.sample_rate != SAMPLE_RATE:
            raise ValueError(f"the ring buffer must hold {SAMPLE_RATE} Hz audio")
        self.ring = ring
        self.device = device
        self._backend = backend
        self._on_block = on_block
        self._on_error = on_error
        self._on_lost = on_lost  # told by a LostSoundWatch, one per stream
        self._default_stands_in = default_stands_in
        self._stall_timeout_s = stall_timeout_s
        self._startup_timeout_s = startup_timeout_s
        self._clock = clock
        self._pactl = pactl
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._stream_ended = threading.Event()
        self._thread: threading.Thread | None = None
        self._stream: Any = None
        self._running = False
        self._reset()

    def _reset(self) -> None:
        self._capture = self.ring  # what the callback writes into
        self._notify: Callable[[], None] = self._on_block or _nothing
        self._resampling: DeviceRateResampler | None = None
        self._blocks = 0
        self._frames = 0  # device-rate frames captured by this stream
        self._capture_start = self.ring.position  # ring position of this stream's first sample
        # (frames captured, ADC time just after them): when the newest block was heard.
        self._heard: tuple[int, float] | None = None
        self._seen_blocks = 0
        self._seen_at = self._clock()
        self._overflows = 0
        self._lost_s = 0.0  # sound that never arrived (written by the callback only)
        self._lost = LostSoundWatch(self._on_lost, self._pactl)
        self._pulse_source: str | None = None
        self.standing_in: str | None = None  # why the default input stands in for the chosen
        self.error: str | None = None
        self.device_name: str | None = None
        self.sample_rate: int | None = None
        self._closing.clear()
        self._stream_ended.clear()
        self._wake.clear()

    @property
    def is_running(self) -> bool:
        """True from a successful :meth:`start` until :meth:`stop` or a failure."""
        return self._running

    @property
    def overflows(self) -> int:
        """Blocks PortAudio flagged as input overflow (audio lost before we saw it)."""
        return self._overflows

    def start(self) -> None:
        """Open the device and start capturing; does nothing when already running.

        Raises:
            MicError: PortAudio is missing, there is no such device, or it cannot open.
        """
        if self._running:
            return
        if self._thread is not None:
            self.stop()
        self._reset()
        backend = self._backend = load_backend(self._backend)
        # The ring still holds what an earlier capture (another device, or before a
        # close or a failure) recorded: a pre-roll must not reach back into that.
        self.ring.mark_capture_start()
        self._capture_start = self.ring.position
        try:
            self._open(backend, self.device)
        except MicError as first:
            # A device plugged in (or a sound server back) since PortAudio listed them
            # shows up only once PortAudio looks again: do so, then try once more.
            again = rescan_devices(backend)
            if again:
                log.info("microphone did not open (%s); looking for devices again", first)
                self._reset()
            self._open_chosen_or_default(backend, first, again=again)
        self._running = True
        self._seen_at = self._clock()
        self._thread = threading.Thread(target=self._supervise, name="mic-source", daemon=True)
        self._thread.start()
        log.info("microphone %r open at %d Hz", self.device_name, self.sample_rate)

    def _open_chosen_or_default(self, backend: Any, first: MicError, *, again: bool) -> None:
        """The chosen input once more; when it is not there, the default one stands in (with
        the chosen input unplugged, every press failed until the setting was changed)."""
        try:
            if not again:
                raise first  # PortAudio did not look again: nothing new to try
            self._open(backend, self.device)
        except MicNotFound:
            if self.device is None or not self._default_stands_in:
                raise
            log.warning("microphone %r missing (%s); the default stands in", self.device, first)
            self._reset()
            self._open(backend, None)
            self.standing_in = stand_in_notice(self.device)

    def _open(self, backend: Any, device: str | int | None) -> None:
        """Resolve ``device`` (afresh: indexes change) and start its stream."""
        target = find_input(backend, device, self._pactl)
        index, info = target.index, target.info
        self.device_name = target.label
        self._pulse_source = target.pulse_source
        # libpulse reads it when PortAudio's "pulse" device connects, just below.
        route_to_source(os.environ, target.pulse_source)
        rate = SAMPLE_RATE
        try:
            backend.check_input_settings(
                device=index, samplerate=SAMPLE_RATE, channels=1, dtype="float32"
            )
        except (backend.PortAudioError, ValueError):
            rate = int(info["default_samplerate"])
            self._start_resampling(rate)
        self.sample_rate = rate
        try:
            self._stream = backend.InputStream(
                samplerate=rate,
                blocksize=round(MIC_BLOCK_SAMPLES * rate / SAMPLE_RATE),
                device=index,
                channels=1,
                dtype="float32",
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except (backend.PortAudioError, ValueError) as exc:
            self._close_stream()
            log.info("opening %r failed: %s", self.device_name, exc)
            raise open_failure(self.device_name, exc) from exc

    def stop(self) -> None:
        """Stop capturing and close the device. Idempotent; never waits long.

        Audio captured so far (resampled, when the device is not at 16 kHz) is in
        the ring when this returns.
        """
        self._running = False
        self._closing.set()
        self._wake.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return  # never started, or called from on_error: the supervisor finishes up
        thread.join(_STOP_TIMEOUT_S)
        if thread.is_alive():
            log.warning("the audio device did not close within %.0f s", _STOP_TIMEOUT_S)
        self._thread = None

    def release_position(self) -> int:
        """The ring position the audio heard now will have: where a key let go now ends.

        PortAudio hands audio over a block (and the sound server's buffer) after
        the microphone heard it, so the ring lags the speaker: 0.2-0.4 s through
        PulseAudio. Ending an utterance at ``ring.position`` would cut its last
        words. The lag is the stream's clock now less the ADC time of the newest
        block's end; without sane times, the ring's position.
        """
        position = self.ring.position
        stream, heard, rate = self._stream, self._heard, self.sample_rate
        if not self._running or stream is None or heard is None or not rate:
            return position
        frames, heard_until = heard
        try:
            in_flight = float(stream.time) - heard_until
        except Exception as exc:  # a closing stream, or a driver without a clock
            log.debug("no stream time for the release: %s", exc)
            return position
        if not 0.0 <= in_flight <= _MAX_IN_FLIGHT_S:
            return position
        captured = frames + in_flight * rate
        return max(position, self._capture_start + round(captured * SAMPLE_RATE / rate))

    def check_alive(self) -> bool:
        """Detect a stalled or ended stream; report it through ``on_error`` (once).

        The supervisor calls this twice a second (and on every wake-up); an owner
        may poll it too.

        Returns:
            False once capture has failed, True otherwise.
        """
        if self.error is not None:
            return False
        if not self._running:
            return True
        if self._stream_ended.is_set():
            self._fail("The microphone stopped working (unplugged or an audio system error).")
            return False
        now = self._clock()
        blocks = self._blocks
        with self._lock:
            if blocks != self._seen_blocks:
                self._seen_blocks, self._seen_at = blocks, now
                return True
            limit = self._stall_timeout_s if blocks else self._startup_timeout_s
            if now - self._seen_at <= limit:
                return True
        if blocks:
            self._fail(
                f"The microphone stopped sending audio for more than {limit:g} s "
                "(unplugged or busy?)."
            )
        else:
            self._fail(f"The microphone sent no audio within {limit:g} s of opening it.")
        return False

    # PortAudio's threads --------------------------------------------------------

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        """Real-time thread: copy, count, wake. Nothing else."""
        if status.input_overflow:
            self._overflows += 1
        self._capture.write(indata[:, 0])
        self._blocks += 1
        self._frames += frames
        adc_time = getattr(time_info, "inputBufferAdcTime", 0.0)
        if adc_time and self.sample_rate:
            heard = self._heard
            if heard is not None and adc_time - heard[1] > _LOST_SOUND_S:
                self._lost_s += adc_time - heard[1]
            self._heard = (self._frames, adc_time + frames / self.sample_rate)
        self._notify()

    def _finished(self) -> None:
        """The stream became inactive; unexpected unless we are closing it."""
        if not self._closing.is_set():
            self._stream_ended.set()
            self._wake.set()

    # The supervisor thread ----------------------------------------------------

    def _supervise(self) -> None:
        try:
            while not self._closing.is_set():
                self._wake.wait(_WAKE_TIMEOUT_S)
                self._wake.clear()  # before draining: later audio wakes us again
                self._resample()
                self._tell_lost_sound()
                if not self.check_alive():
                    break
        except Exception:  # a bug here must not kill capture silently
            log.exception("microphone supervisor failed")
            self._fail(
                "The microphone stopped because of an internal error; the details are in "
                f"the log, {log_path_for_messages()}."
            )
        finally:
            self._close_stream()
            self._resample(flush=True)

    def look_for_a_move(self) -> None:
        """Ask the sound server whether the chosen source went (a move may lose no sound)."""
        self._tell_lost_sound(look=self._pulse_source is not None and self._running)

    def _tell_lost_sound(self, *, look: bool = False) -> None:
        if self._lost.check(self._lost_s, self.device_name, self._pulse_source, look=look):
            self.device_name, self._pulse_source = MOVED_TO_DEFAULT, None  # the window says so

    def _fail(self, message: str) -> None:
        with self._lock:
            if self.error is not None:
                return
            self.error = message
            self._running = False
            self._closing.set()
        self._wake.set()
        log.warning("microphone %r: %s", self.device_name, message)
        if self._on_error is not None:
            self._on_error(message)

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._closing.set()
        try:
            stream.close()
        except Exception as exc:  # the device may already be gone
            log.info("closing the audio stream: %s", exc)

    def _start_resampling(self, rate: int) -> None:
        """The device cannot do 16 kHz: the callback fills a device-rate ring instead."""
        self._resampling = DeviceRateResampler(rate, self.ring, self._on_block)
        self._capture = self._resampling.raw
        self._notify = self._wake.set

    def _resample(self, *, flush: bool = False) -> None:
        if self._resampling is not None:
            self._resampling.drain(flush=flush)


def _nothing() -> None:
    """The callback's wake-up when nobody listens."""
