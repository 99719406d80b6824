"""``saytype listen``: the live dictation pipeline from the command line.

With ``--input FILE`` the file stands in for the microphone (same ring buffer,
VAD, streaming passes and commit policy), fed at ``--speed`` times real time.
Without it, the microphone is used (:mod:`app.commands.listen_mic`) until Enter
or Ctrl+C is pressed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TextIO

from app.commands.models import download_hint
from app.core.atomic_file import describe_os_error
from app.core.audio.file_decoder import SAMPLE_RATE, AudioFileError, check_has_audio
from app.core.audio.file_source import FileSource
from app.core.audio.recording_journal import RingJournalWriter, start_dictation_journal
from app.core.audio.ring_buffer import DEFAULT_PRE_ROLL_S, RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.engine.streaming_transcriber import DictationEvent
from app.core.paths import models_dir
from app.core.settings_file import load_settings
from app.core.text.shaper import ShapingOptions, TextShaper
from app.core.text.streaming import StreamingShaper


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
        default=1.0,
        metavar="X",
        help="feed --input at X times real time",
    )
    parser.add_argument(
        "--push-to-talk",
        action="store_true",
        help="release the key when the input ends, so the last line is the final text "
        "(--input always does this; the option states it)",
    )
    parser.add_argument("--model", default=BUNDLED_MODEL, metavar="M", help="model to use")
    parser.add_argument(
        "--pre-roll",
        type=_pre_roll,
        default=DEFAULT_PRE_ROLL_S,
        metavar="S",
        help=f"microphone audio kept from before the start (default {DEFAULT_PRE_ROLL_S} s)",
    )
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per event")
    add_shaping_arguments(parser)
    parser.set_defaults(run=run)


def add_shaping_arguments(parser: argparse.ArgumentParser) -> None:
    """``--spoken-commands/--no-spoken-commands`` and ``--vocabulary`` (listen, transcribe)."""
    parser.add_argument(
        "--spoken-commands",
        action=argparse.BooleanOptionalAction,
        default=True,
        help='obey "comma", "new paragraph", "scratch that"… (default: on; see the README)',
    )
    parser.add_argument(
        "--vocabulary",
        type=_word_list,
        default=(),
        metavar="WORDS",
        help="names and terms to recognise as spelled, separated by commas",
    )


def _word_list(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


def shaper_from_args(args: argparse.Namespace) -> TextShaper:
    """The text shaping the command line asks for."""
    return TextShaper(ShapingOptions(spoken_commands=getattr(args, "spoken_commands", True)))


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
    if args.input is None:
        from app.commands.listen_mic import run_mic

        return run_mic(args, stdout, stderr, sys.stdin)
    try:
        # A file with no audio is named before the model loads, and nothing is printed.
        check_has_audio(args.input)
    except AudioFileError as exc:
        stderr.write(f"saytype: error: {exc}\n")
        return 1
    pipeline = load_pipeline(args.model, stderr, args.vocabulary)
    if pipeline is None:
        return 1
    ring = RingBuffer(capacity_seconds=60.0)
    new_audio = threading.Event()
    release = Release()

    def end_of_input() -> None:
        release.release(ring.position)
        printer.release()
        new_audio.set()

    transcriber = pipeline.new_transcriber()

    def room() -> int:
        # The loop hands everything it reads to the transcriber (from ring position 0).
        return ring.capacity - (ring.position - round(transcriber.audio_seconds * SAMPLE_RATE))

    source = FileSource(
        args.input,
        ring,
        speed=args.speed,
        on_block=new_audio.set,
        on_end=end_of_input,
        room=room,
    )

    printer = EventPrinter(stdout, source, jsonl=args.jsonl, shaper=shaper_from_args(args))
    with crash_journal(ring, 0, args.model, stderr), _first_ctrl_c_ends(source.stop):
        source.start()
        try:
            final = run_dictation(
                ring, 0, transcriber, release, CancellationToken(), printer, new_audio
            )
        finally:  # also when stdout's reader left: no thread decodes on into a dying process
            source.stop()
    if isinstance(source.error, AudioFileError):
        stderr.write(f"saytype: error: {source.error}\n")
        return 1
    if source.error is not None:
        raise source.error
    return 0 if final is not None else 1


@contextlib.contextmanager
def _first_ctrl_c_ends(end_input: Callable[[], None]) -> Iterator[None]:
    """While the block runs: the first Ctrl+C ends the input and the final follows (as
    Enter or Ctrl+C does from the microphone); a second one interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (tests call run())
        return
    pressed = False

    def on_interrupt(_signum: int, _frame: object) -> None:
        nonlocal pressed
        if pressed:
            raise KeyboardInterrupt
        pressed = True
        end_input()  # the source then releases at what it has fed

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def crash_journal(
    ring: RingBuffer, start: int, model: str, stderr: TextIO
) -> Iterator[RingJournalWriter | None]:
    """Journal the dictation's audio from ``start`` while the block runs.

    The journal is deleted when the block ends (Ctrl+C included) and kept for
    ``saytype recover`` when it raises; a process killed outright leaves it too.
    A closed stdout (``| head -1``) is not a crash: the reader left, so the
    journal is deleted. Nothing is written while the settings pause history.
    """
    try:
        writer = start_dictation_journal(
            ring,
            start,
            pause_history=load_settings().settings.pause_history,
            model=model,
            source="listen",
        )
    except OSError as exc:
        stderr.write(f"saytype: warning: no crash journal ({describe_os_error(exc)}).\n")
        writer = None
    if writer is not None:
        writer.run_in_background()
    crashed = False
    try:
        yield writer
    except BrokenPipeError:
        raise  # the reader of stdout left; the dictation did not fail
    except Exception:
        crashed = True
        raise
    finally:
        if writer is not None:
            writer.stop()
            if crashed:
                writer.journal.close()
            else:
                writer.journal.discard()


def load_pipeline(
    model: str, stderr: TextIO, vocabulary: tuple[str, ...] = ()
) -> LivePipeline | None:
    """Load and warm up the live pipeline; None (after a message) when the model fails."""
    try:
        host = ModelHost(resolve_model(model, models_dir()))
        pipeline = LivePipeline(host, vocabulary=vocabulary)
        pipeline.warm_up()
    except ModelError as exc:
        stderr.write(f"saytype: error: {exc}{download_hint(model, models_dir())}\n")
        return None
    return pipeline


class AudioClock(Protocol):
    """Where the printed times come from: a FileSource, or the microphone's clock."""

    @property
    def started_at(self) -> float | None:
        """``perf_counter()`` when audio started, or None before."""

    @property
    def fed_seconds(self) -> float:
        """Seconds of audio delivered so far."""


class EventPrinter:
    """Writes events as JSON lines (``--jsonl``) or as plain text, shaped.

    With a shaper, a ``commit`` carries the shaped text to append (nothing is
    printed while its words are held back) and, after "scratch that", an
    ``erase`` count of characters to remove first; a ``final`` is the shaped
    utterance; a ``partial`` shows held-back words and the guess as heard.
    """

    def __init__(
        self, stream: TextIO, source: AudioClock, jsonl: bool, shaper: TextShaper | None = None
    ) -> None:
        self._stream = stream
        self._source = source
        self._jsonl = jsonl
        self._shaper = shaper or TextShaper()
        self._typing = StreamingShaper(self._shaper)
        self._released = False
        self._release: dict[str, object] | None = None  # stamped, until printed

    def release(self) -> None:
        """The key counts as released now (the last sample is fed): a ``release`` line.

        Release → final is measured from this line's ``wall_t``, not from the
        file's duration, which the audio clock reaches a little before or after.
        Only the moment is taken here (this may run in a signal handler or on
        the audio's thread); the line goes out before the next event, the final
        at the latest, from the dictation's thread.
        """
        if not self._released and self._jsonl:
            self._released = True
            # Every line has the same four fields: readers need no special case.
            self._release = self._stamped({"type": "release", "text": ""})

    def __call__(self, event: DictationEvent) -> None:
        release, self._release = self._release, None
        if release is not None:
            self._stream.write(json.dumps(release, ensure_ascii=False) + "\n")
        record: dict[str, object] = {"type": event.kind, "text": event.text}
        if event.kind == "commit":
            edit = self._typing.on_commit(event.text)
            if not edit:
                return
            record["text"] = edit.text
            if edit.erase:
                record["erase"] = edit.erase
        elif event.kind == "partial":
            record["text"] = " ".join(p for p in (self._typing.held, event.text) if p)
        else:
            record["text"] = self._shaper.shape(event.text)
            self._typing = StreamingShaper(self._shaper)
        if self._jsonl:
            self._write_record(record)
            return
        if event.kind == "final":
            self._stream.write(f"{record['text']}\n")
        self._stream.flush()

    def _write_record(self, record: dict[str, object]) -> None:
        self._stream.write(json.dumps(self._stamped(record), ensure_ascii=False) + "\n")
        self._stream.flush()

    def _stamped(self, record: dict[str, object]) -> dict[str, object]:
        """``record`` with the audio fed so far and the seconds since the start."""
        started = self._source.started_at or time.perf_counter()
        return record | {
            "audio_t": round(self._source.fed_seconds, 3),
            "wall_t": round(time.perf_counter() - started, 3),
        }
