"""``saytype listen``: the live dictation pipeline from the command line.

With ``--input FILE`` the file stands in for the microphone (same ring buffer,
VAD, streaming passes and commit policy), fed at ``--speed`` times real time.
Without it, the microphone is used (:mod:`app.commands.listen_mic`) until Enter
or Ctrl+C is pressed.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TextIO

from app.commands.ctrl_c import FINISHING, say_from_a_signal
from app.commands.engine_args import add_engine_arguments, check_engine_arguments
from app.commands.event_printer import EventPrinter, print_failure
from app.commands.listen_mic import run_mic
from app.commands.live_setup import crash_journal, load_pipeline
from app.commands.remote_dictation import (
    add_fallback_argument,
    closing_connection,
    dictation_transcriber,
)
from app.commands.shaping_args import add_shaping_arguments, shaper_from_args
from app.commands.standard_output import OutputError, drop_stdout
from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileError, check_has_audio
from app.core.audio.file_source import FileSource
from app.core.audio.ring_buffer import DEFAULT_PRE_ROLL_S, RingBuffer
from app.core.audio.wav_header import find_truncation
from app.core.engine.cancellation import CancellationToken
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.model_registry import BUNDLED_MODEL
from app.core.engine.remote.remote_errors import RemoteEngineError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``listen`` subcommand."""
    parser = subparsers.add_parser(
        "listen",
        help="live dictation from the microphone or a file",
        description="Live dictation: partial, committed and final text as you speak.",
    )
    parser.add_argument(
        "--input",
        type=_input_file,
        metavar="FILE",
        help="a file standing in for the mic (default: mic)",
    )
    parser.add_argument(
        "--device",
        type=_device,
        metavar="NAME",
        help="input device name (or part of it) or number; default: the system's default mic",
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        metavar="X",
        help="feed --input at X times real time (default 1; 0: as fast as possible)",
    )
    parser.add_argument(
        "--push-to-talk",
        action="store_true",
        help="release the key when the input ends, so the last line is the final text "
        "(--input always does this; the option states it)",
    )
    parser.add_argument(
        "--model",
        default=BUNDLED_MODEL,
        metavar="M",
        help=f"model to use (default {BUNDLED_MODEL})",
    )
    parser.add_argument(
        "--pre-roll",
        type=_pre_roll,
        default=DEFAULT_PRE_ROLL_S,
        metavar="S",
        help=f"microphone audio kept from before the start (default {DEFAULT_PRE_ROLL_S} s)",
    )
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per event")
    add_shaping_arguments(parser)
    add_engine_arguments(parser)
    add_fallback_argument(parser)
    parser.set_defaults(run=run)


MAX_SPEED = 1000.0
MAX_PRE_ROLL_S = 2.0  # as the settings allow


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _speed(text: str) -> float:
    """0 (as fast as the pipeline goes) or a multiple of real time a file can be fed at."""
    value = _number(text)
    if value != 0 and not 0.1 <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"must be 0 (as fast as possible) or from 0.1 to {MAX_SPEED:g}: {text}"
        )
    return value


def _pre_roll(text: str) -> float:
    """Seconds of microphone audio from before the start: 0 to 2, as in the settings."""
    value = _number(text)
    if not 0 <= value <= MAX_PRE_ROLL_S:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_PRE_ROLL_S:g} seconds: {text}")
    return value


def _input_file(text: str) -> Path:
    # Path("") is ".", which would be refused later as a folder; say what is wrong.
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name")
    return Path(text)


def _device(value: str) -> str | int:
    """A device number when ``value`` is all digits, else a name."""
    return int(value) if value.isdigit() else value


def run(args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Run one dictation and print its events."""
    usage = check_engine_arguments(args) or _mixed_sources(args)
    if usage is not None:
        stderr.write(f"saytype listen: error: {usage}.\n")
        return 2
    try:
        if args.input is None:
            return run_mic(args, stdout, stderr, sys.stdin)
        return _run_file(args, stdout, stderr)
    except (RemoteEngineError, OutputError) as exc:  # the crash journal kept the audio
        if isinstance(exc, OutputError):
            drop_stdout()
        stderr.write(
            f"saytype: error: {str(exc.args[0]).rstrip('.')}; the recording is kept: "
            "'saytype recover' transcribes it.\n"
        )
        return 1


def _mixed_sources(args: argparse.Namespace) -> str | None:
    """An option of the other source (they were ignored without a word)."""
    if args.input is not None and args.device is not None:
        return "--device chooses the microphone; with --input the file stands in for it"
    if args.input is None and args.speed is not None:
        return "--speed feeds --input; the microphone is heard as it speaks"
    return None


def _run_file(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``--input FILE``: the file stands in for the microphone."""
    try:
        # A file with no audio is named before the model loads, with an error line only.
        check_has_audio(args.input)
    except AudioFileError as exc:
        stderr.write(f"saytype: error: {exc}\n")
        print_failure(stdout, args.jsonl, str(exc))
        return 1
    truncation = find_truncation(args.input)
    if truncation is not None:  # as `transcribe` says it
        stderr.write(f"saytype: warning: {truncation.message}; dictating what is there.\n")
    pipeline = load_pipeline(
        args.model, stderr, args.vocabulary, partial(print_failure, stdout, args.jsonl)
    )
    if pipeline is None:
        return 1
    ring = RingBuffer(capacity_seconds=60.0)
    new_audio = threading.Event()
    release = Release()

    def end_of_input() -> None:
        release.release(ring.position)
        printer.release()
        new_audio.set()

    cancel = CancellationToken()
    transcriber = dictation_transcriber(args, pipeline, cancel, stderr)

    def room() -> int:
        # The loop hands everything it reads to the transcriber (from ring position 0).
        return ring.capacity - (ring.position - round(transcriber.audio_seconds * SAMPLE_RATE))

    source = FileSource(
        args.input,
        ring,
        speed=1.0 if args.speed is None else args.speed,
        on_block=new_audio.set,
        on_end=end_of_input,
        room=room,
    )

    printer = EventPrinter(stdout, source, jsonl=args.jsonl, shaper=shaper_from_args(args))
    with (
        closing_connection(transcriber),
        crash_journal(ring, 0, args.model, stderr),
        _first_ctrl_c_ends(source.stop, lambda: release.released, stderr),
    ):
        source.start()
        try:
            final = run_dictation(ring, 0, transcriber, release, cancel, printer, new_audio)
        except RemoteEngineError as exc:  # --no-fallback: stdout, too, says how it ended
            printer.error(str(exc.args[0]))
            raise
        finally:  # also when stdout's reader left: no thread decodes on into a dying process
            source.stop()
    if isinstance(source.error, AudioFileError):
        stderr.write(f"saytype: error: {source.error}\n")
        printer.error(str(source.error))
        return 1
    if source.cut_short and truncation is None:  # a WAV's was said before the dictation
        stderr.write(
            f"saytype: warning: {args.input} {source.cut_short}; dictated what is there.\n"
        )
    if source.error is not None:
        raise source.error
    return 0 if final is not None else 1


@contextlib.contextmanager
def _first_ctrl_c_ends(
    end_input: Callable[[], None], ended: Callable[[], bool], stderr: TextIO
) -> Iterator[None]:
    """While the block runs: the first Ctrl+C ends the input and the final follows (as
    Enter or Ctrl+C does from the microphone), and stderr says so (a long file's final
    can take a while); a second one, or one after the input ended (the final, or a
    server's reply, under way), interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (tests call run())
        return
    pressed = False

    def on_interrupt(_signum: int, _frame: object) -> None:
        nonlocal pressed
        if pressed or ended():
            raise KeyboardInterrupt
        pressed = True
        end_input()  # the source then releases at what it has fed
        say_from_a_signal(stderr, f"saytype: {FINISHING}\n")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
