"""``saytype listen`` without ``--input``: live dictation from the microphone.

The microphone opens first, so a missing or unknown device is reported at once,
before the model loads. Dictation runs on its own thread while this one waits
for Enter, the end of input (Ctrl+D) or Ctrl+C; each releases the utterance at
the current ring position and the final text follows, exactly as a hotkey
release does in the GUI (a second Ctrl+C cancels it). A
microphone failure (unplugged, stalled) also releases it, so what was heard is
still transcribed, and then exits with status 1; with ``--jsonl`` an
``{"type": "error"}`` line comes first, when the failure happens (the only line when
the microphone cannot open at all).
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TextIO

from app.commands.ctrl_c import sigterm_as_ctrl_c
from app.commands.event_printer import EventPrinter, print_failure
from app.commands.live_setup import crash_journal, load_pipeline
from app.commands.remote_dictation import closing_connection, dictation_transcriber
from app.commands.shaping_args import shaper_from_args
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.lost_sound import lost_sound_notice
from app.core.audio.mic_source import MicError, MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.live_dictation import (
    LiveTranscriber,
    Release,
    in_flight_wait_s,
    run_dictation,
)
from app.core.engine.remote.remote_errors import RemoteEngineError


class MicClock:
    """Audio time for printed events: seconds captured since dictation started."""

    def __init__(self, ring: RingBuffer, start: int) -> None:
        self._ring = ring
        self._start = start
        self.started_at: float | None = time.perf_counter()

    @property
    def fed_seconds(self) -> float:
        """Seconds of microphone audio since the start position."""
        return (self._ring.position - self._start) / SAMPLE_RATE


class MicDictation:
    """One utterance from the microphone: its ring, release, cancel and outcome.

    Args:
        ring: the ring buffer the microphone writes.
    """

    def __init__(self, ring: RingBuffer) -> None:
        self.ring = ring
        self.start = 0  # set when dictation begins, a pre-roll before the current position
        self.new_audio = threading.Event()
        self.release = Release()
        self.cancel = CancellationToken()
        self.failures: list[str] = []
        # The mic fails on its own thread while events print on the dictation's.
        self.output_lock = threading.Lock()
        self.print_error: Callable[[str], None] | None = None
        self.on_release: Callable[[], None] | None = None  # the JSONL ``release`` line
        # Where a release now ends the utterance (the microphone's audio still on its way).
        self.release_position: Callable[[], int] = lambda: ring.position
        self.final: DictationEvent | None = None
        self.crashed: BaseException | None = None
        self.finished = threading.Event()  # the live loop has returned (or raised)

    def end_utterance(self) -> None:
        """Release at the current position (the first call counts); wake the loop."""
        if not self.release.released:
            end = self.release_position()
            self.release.release(end, wait_s=in_flight_wait_s(self.ring, end))
            if self.on_release is not None:
                with self.output_lock:
                    self.on_release()
        self.new_audio.set()

    def on_mic_error(self, message: str) -> None:
        """The microphone failed: keep the message and finish with what was heard."""
        self.failures.append(message)
        if self.print_error is not None:
            with self.output_lock:
                self.print_error(message)
        self.end_utterance()

    def run(self, transcriber: LiveTranscriber, printer: EventPrinter) -> None:
        """Run the live loop from the start position (a thread's target)."""

        def print_event(event: DictationEvent) -> None:
            with self.output_lock:
                printer(event)

        try:
            self.final = run_dictation(
                self.ring,
                self.start,
                transcriber,
                self.release,
                self.cancel,
                print_event,
                self.new_audio,
            )
        except BaseException as exc:  # re-raised on the command's thread
            self.crashed = exc
        finally:
            self.finished.set()

    def wait(self) -> None:
        """Wait for the live loop: the first Ctrl+C finishes it, a second one cancels.

        It waits on an event, not ``Thread.join()``: on Python 3.11 a Ctrl+C inside
        ``join()`` marks the thread as stopped while it still runs, and the process
        then exited in the middle of an inference (SIGABRT) and lost the dictation.
        """
        while not self.finished.is_set():
            try:
                self.finished.wait()
            except KeyboardInterrupt:
                if self.release.released:
                    self.cancel.cancel()
                self.end_utterance()


def run_mic(
    args: argparse.Namespace,
    stdout: TextIO,
    stderr: TextIO,
    stdin: TextIO,
    *,
    on_listening: Callable[[], None] | None = None,
) -> int:
    """Dictate from ``args.device`` until Enter (a line on ``stdin``) or Ctrl+C.

    Args:
        args: parsed ``listen`` options (``device``, ``model``, ``jsonl``).
        stdout: where events go.
        stderr: prompts and errors.
        stdin: a line here ends the utterance; end of file does not (use Ctrl+C).
        on_listening: called once dictation has started (tests wait for it).

    Returns:
        0 after a final text; 1 when the microphone or the model failed; 130 when a
        second Ctrl+C cancelled the final text.
    """
    ring = RingBuffer(capacity_seconds=120.0)
    dictation = MicDictation(ring)
    mic = MicSource(
        ring,
        device=args.device,
        on_block=dictation.new_audio.set,
        on_error=dictation.on_mic_error,
        on_lost=partial(_warn_lost_sound, stderr),
    )
    dictation.release_position = mic.release_position
    try:
        mic.start()
    except MicError as exc:
        stderr.write(f"saytype: error: {exc}\n")
        print_failure(stdout, args.jsonl, str(exc))
        return 1
    try:
        pipeline = load_pipeline(
            args.model, stderr, args.vocabulary, partial(print_failure, stdout, args.jsonl)
        )
        if pipeline is None:
            return 1
        # Start a little in the past (the pre-roll), as a hotkey press does.
        dictation.start = ring.position_before(args.pre_roll)
        clock = MicClock(ring, dictation.start)
        printer = EventPrinter(stdout, clock, jsonl=args.jsonl, shaper=shaper_from_args(args))
        dictation.on_release = printer.release
        dictation.print_error = printer.error
        transcriber = dictation_transcriber(args, pipeline, dictation.cancel, stderr)
        worker = threading.Thread(
            target=dictation.run, args=(transcriber, printer), name="dictation", daemon=True
        )
        enter = threading.Thread(
            target=_end_on_enter, args=(stdin, dictation.end_utterance), name="enter", daemon=True
        )
        how = (
            "press Enter, Ctrl+D or Ctrl+C to stop"
            if _someone_could_type(stdin)
            else f"stop it with kill -TERM {os.getpid()} (or -INT)"
        )
        stderr.write(f"Listening on {mic.device_name}: {how}.\n")
        stderr.flush()
        with (
            closing_connection(transcriber),
            crash_journal(ring, dictation.start, args.model, stderr),
            sigterm_as_ctrl_c(),
        ):
            worker.start()
            enter.start()
            if on_listening is not None:
                on_listening()
            dictation.wait()
            if dictation.crashed is not None:  # the journal stays for `saytype recover`
                if isinstance(dictation.crashed, RemoteEngineError):
                    printer.error(str(dictation.crashed.args[0]))
                raise dictation.crashed
    finally:
        mic.stop()
    if dictation.crashed is not None:
        raise dictation.crashed
    if dictation.cancel.cancelled:
        stderr.write("saytype: interrupted.\n")
        return 130
    if dictation.failures:
        stderr.write(f"saytype: error: {dictation.failures[0]}\n")
        return 1
    return 0 if dictation.final is not None else 1


def _warn_lost_sound(stderr: TextIO, lost_s: float, gone: str | None) -> None:
    """The microphone's supervisor thread: sound never arrived while the dictation went on."""
    notice = lost_sound_notice(lost_s, gone, dictating=True)
    if notice is not None:
        stderr.write(f"saytype: warning: {notice}\n")
        stderr.flush()


def _end_on_enter(stdin: TextIO, end_utterance: Callable[[], None]) -> None:
    """Release on the first line, or at the end of input from a terminal or a pipe.

    Ctrl+D at a terminal and a script closing its pipe both mean "done". Input that
    was never anyone's (``/dev/null``, as a script's ``listen &`` gets) keeps
    listening until Ctrl+C or a signal.
    """
    try:
        line = stdin.readline()
    except (OSError, ValueError):  # stdin closed or not readable
        return
    if line or _someone_could_type(stdin):
        end_utterance()


def _someone_could_type(stdin: TextIO) -> bool:
    """Whether ``stdin`` is a terminal or a pipe, where an end of input is a person's choice."""
    try:
        return stdin.isatty() or stat.S_ISFIFO(os.fstat(stdin.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):  # no file behind it
        return False
