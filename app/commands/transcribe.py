"""``saytype transcribe``: files in, transcripts out, one bad file never stops the rest."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from app.commands.ctrl_c import CtrlC
from app.commands.engine_args import (
    add_engine_arguments,
    check_engine_arguments,
    remote_file_engine,
    remote_target,
)
from app.commands.models import download_hint
from app.commands.progress import TerminalProgress
from app.commands.saved_words import VOCABULARY_HELP, add_saved_words_argument, words_from_args
from app.commands.shaping_args import add_shaping_arguments, shaper_from_args
from app.commands.transcript_out import deliver_transcript, print_transcript
from app.core.audio.file_decoder import AudioFileError
from app.core.audio.media_files import with_folders_opened
from app.core.audio.wav_header import find_truncation
from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_engine import FileEngine
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url
from app.core.engine.transcript import Transcript
from app.core.engine.whisper_internals import language_codes
from app.core.output.exporters import (
    FORMATS,
    ExportError,
    check_folder_writable,
)
from app.core.paths import models_dir
from app.core.text.clock import clock
from app.core.text.counted import counted
from app.core.text.shaper import TextShaper

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``transcribe`` subcommand."""
    parser = subparsers.add_parser(
        "transcribe",
        help="transcribe audio or video files",
        description="Transcribe audio or video files with a local Whisper model, or on an "
        "OpenAI-compatible or Wyoming server named with --engine.",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        type=Path,
        help="audio or video files, or folders of them (searched as a drop on the window is)",
    )
    parser.add_argument(
        "--model",
        metavar="M",
        help=f"model name or CTranslate2 model folder (default: bundled {BUNDLED_MODEL}); "
        "with a remote --engine, the model name the server knows (default: the saved "
        "endpoint's, else whisper-1 for OpenAI-compatible servers)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="txt", help="output format (default: txt)"
    )
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write FILE's transcript to DIR/<name>.<format> instead of stdout "
        "(each file written is named on stderr); a file already there is kept and the "
        "new one named <name>-2.<format>, -3… unless --overwrite",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="with -o: replace a transcript already in DIR instead of choosing a free name",
    )
    parser.add_argument(
        "--language",
        metavar="L",
        type=str.lower,  # "EN" is English too
        help="language code, e.g. en (default: detect)",
    )
    parser.add_argument(
        "--beam-size",
        type=_positive_int,
        default=5,
        metavar="N",
        help="beam size: larger is slower and sometimes more accurate (default: 5)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="with a remote --engine: requests in flight at once (default 1), whether files "
        "or the chunks a long file is cut into at pauses; the transcripts still come out in "
        "the order given",
    )
    add_shaping_arguments(parser, vocabulary_help=VOCABULARY_HELP)
    add_saved_words_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(run=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


def run(args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Transcribe every file; return 0 if all succeeded, 1 if any failed."""
    usage = _usage_error(args)
    if usage is not None:
        stderr.write(f"saytype transcribe: error: {usage}.\n")
        return 2
    args.files = with_folders_opened(args.files)
    words = words_from_args(args, stderr)
    progress = TerminalProgress(stderr)
    if args.output_dir is not None:
        try:
            check_folder_writable(args.output_dir)
        except ExportError as exc:
            _error(stderr, progress, f"{exc} Choose another folder with -o.")
            return 1
    try:
        engine, host = _file_engine(args)
    except (ModelError, RemoteEngineError) as exc:
        _error(stderr, progress, str(exc))
        return 1
    saved = args.engine.saved
    options = TranscribeOptions(
        language=args.language or (saved.language if saved else None) or None,
        beam_size=args.beam_size,
        vocabulary=words.vocabulary,
    )
    shaper = shaper_from_args(args, words.shaping)
    written: set[Path] = set()
    failures = 0
    cancel = CancellationToken()
    outcomes = (
        _in_parallel(engine, args, options, progress, stderr, cancel=cancel)
        if args.jobs > 1
        else _one_by_one(engine, host, args, options, progress, stderr, cancel=cancel)
    )
    done = 0
    untouched: list[Path] = []  # stopped with Ctrl+C before any of it was transcribed
    ctrl_c = CtrlC(cancel, stderr, clear_line=progress.enabled)
    try:
        with contextlib.closing(outcomes), ctrl_c.cancels():
            for path, transcript in outcomes:
                done += 1
                if transcript is None:
                    failures += 1
                elif not transcript.complete and not (transcript.segments or transcript.text):
                    untouched.append(path)
                else:
                    failures += _write_out(
                        path, transcript, args, shaper, stdout, (progress, stderr), written
                    )
    except _EngineUnusable:
        _not_transcribed(args.files[done + 1 :], stderr, progress)
        return 1
    progress.clear()
    if ctrl_c.pressed:
        _not_transcribed(untouched + args.files[done:], stderr, progress)
        return ctrl_c.exit_status
    return 1 if failures else 0


def _not_transcribed(left: list[Path], stderr: TextIO, progress: TerminalProgress) -> None:
    if left:
        names = ", ".join(str(path) for path in left)
        _error(stderr, progress, f"stopped there; not transcribed: {names}.")


def _one_by_one(  # noqa: PLR0917 - the run's parts, each distinct
    engine: FileEngine,
    host: ModelHost | None,
    args: argparse.Namespace,
    options: TranscribeOptions,
    progress: TerminalProgress,
    stderr: TextIO,
    *,
    cancel: CancellationToken,
) -> Generator[tuple[Path, Transcript | None], None, None]:
    """Each file's transcript (None when it failed), one file at a time, until cancelled."""
    for number, path in enumerate(args.files, start=1):
        if cancel.cancelled:
            return
        label = path.name or str(path)
        if len(args.files) > 1:  # thirty files: how far the run is, not only the file
            label = f"{label} ({number} of {len(args.files)})"
        if host is None:
            progress.status(f"Transcribing {label} on {display_url(args.engine.url)}…")
        elif not host.loaded:
            progress.status(f"Loading model {host.source.name}…")
        transcribe = partial(
            engine.transcribe_file,
            path,
            options,
            on_progress=partial(progress.update, label),
            cancel=cancel,
        )
        yield path, _outcome(transcribe, path, progress, stderr, many=len(args.files) > 1)


def _in_parallel(
    engine: FileEngine,
    args: argparse.Namespace,
    options: TranscribeOptions,
    progress: TerminalProgress,
    stderr: TextIO,
    *,
    cancel: CancellationToken,
) -> Generator[tuple[Path, Transcript | None], None, None]:
    """Each file's transcript in the given order, ``--jobs`` requests in flight at once.

    When the run stops (a failure every file would meet, Ctrl+C), the requests
    still in flight are aborted and the files not yet sent are never sent.
    """
    where = display_url(args.engine.url)
    files = counted(len(args.files), "file")
    progress.status(f"Transcribing {files} on {where}, {args.jobs} at a time…")
    with ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="upload") as pool:
        futures = [
            pool.submit(engine.transcribe_file, path, options, cancel=cancel) for path in args.files
        ]
        try:
            for path, future in zip(args.files, futures, strict=True):
                yield (
                    path,
                    _outcome(future.result, path, progress, stderr, many=len(args.files) > 1),
                )
        finally:
            cancel.cancel()
            for future in futures:
                future.cancel()


def _write_out(  # noqa: PLR0917 - the run's parts, each distinct
    path: Path,
    transcript: Transcript,
    args: argparse.Namespace,
    shaper: TextShaper,
    stdout: TextIO,
    terminal: tuple[TerminalProgress, TextIO],
    written: set[Path],
) -> int:
    """Shape and deliver one transcript; 1 when that failed (reported), else 0."""
    progress, stderr = terminal
    progress.clear()
    truncation = find_truncation(path)
    if truncation is not None:
        stderr.write(f"saytype: warning: {truncation.message}; transcribed what is there.\n")
        transcript = replace(transcript, cut_short=truncation.reason)  # JSON says it too
    elif transcript.cut_short:
        stderr.write(
            f"saytype: warning: {path} {transcript.cut_short}; transcribed what is there.\n"
        )
    if not transcript.complete:
        reached = transcript.segments[-1].end if transcript.segments else 0.0
        where = f"{clock(reached)} of {clock(transcript.duration)}"
        stderr.write(f"saytype: warning: {path} was stopped at {where}; kept what was done.\n")
    transcript = shaper.shape_transcript(transcript)
    if not transcript.text:  # stdout stays empty, as the transcript is; say why on stderr
        stderr.write(f"saytype: no speech was heard in {path}.\n")
    try:
        target = deliver_transcript(
            transcript, path, args, stdout, written, many=len(args.files) > 1
        )
    except ExportError as exc:
        # The disk filled or the folder went away during the work: the words still go out.
        _error(stderr, progress, f"{exc} The transcript follows on standard output.")
        print_transcript(transcript, path, args.format, stdout, many=len(args.files) > 1)
        return 1
    if target is not None:  # on stderr: stdout stays for transcripts
        # A numbered name (talk.mp3 beside talk.wav) says whose transcript it holds; so does
        # the first of them, or "wrote talk.txt" was anyone's.
        namesakes = sum(Path(other).stem == path.stem for other in args.files)
        numbered = target.stem != (path.stem or "transcript")
        whose = f" (from {path})" if numbered or namesakes > 1 else ""
        stderr.write(f"wrote {target}{whose}\n")
        stderr.flush()
    return 0


def _usage_error(args: argparse.Namespace) -> str | None:
    if args.language is not None and args.language not in language_codes():
        return f"unknown language code '{args.language}'"
    if args.jobs > 1 and not args.engine.remote:
        return "--jobs needs a remote --engine (the local model transcribes one file at a time)"
    if any(str(path) == "-" for path in args.files):
        return "'-' (standard input) is not supported: give the audio as a file"
    if args.output_dir is not None and args.output_dir.exists() and not args.output_dir.is_dir():
        return f"-o {args.output_dir} is a file, not a folder"
    if args.overwrite and args.output_dir is None:
        return "--overwrite needs -o DIR (without it the transcripts go to standard output)"
    return check_engine_arguments(args)


class _EngineUnusable(Exception):
    """No other file can succeed either (no model, server unreachable): stop the run."""


def _outcome(
    transcribe: Callable[[], Transcript],
    path: Path,
    progress: TerminalProgress,
    stderr: TextIO,
    *,
    many: bool,
) -> Transcript | None:
    """``transcribe()``'s transcript of ``path``, or None once its failure is reported.

    With ``many`` files, a server's message is preceded by the file's name (a local
    error names it already).

    Raises:
        _EngineUnusable: after reporting a failure that every file would meet.
    """
    try:
        return transcribe()
    except AudioFileError as exc:
        _error(stderr, progress, str(exc))
    except ModelError as exc:
        _error(stderr, progress, str(exc))
        raise _EngineUnusable from None
    except RemoteEngineError as exc:
        _error(stderr, progress, f"{path}: {exc}" if many else str(exc))
        if exc.endpoint_unusable:
            raise _EngineUnusable from None
    except Exception as exc:  # a decoder bug must fail this file, not the whole run
        log.warning("transcribing %s failed", path, exc_info=True)  # shown with -v
        _error(
            stderr,
            progress,
            f"{path}: unexpected {type(exc).__name__} while transcribing; run with -v "
            "for the details and please report it.",
        )
    return None


def _file_engine(args: argparse.Namespace) -> tuple[FileEngine, ModelHost | None]:
    """The engine ``--engine`` asks for, and the local model host when it is local.

    Raises:
        ModelError: the local model cannot be found.
        RemoteEngineError: the remote engine cannot be set up (its CA file).
    """
    if not args.engine.remote:
        name = args.model or BUNDLED_MODEL
        try:
            host = ModelHost(resolve_model(name, models_dir()))
        except ModelError as exc:
            raise ModelError(f"{exc}{download_hint(name, models_dir())}") from None
        return FileTranscriber(host), host
    return remote_file_engine(remote_target(args), in_flight=args.jobs), None


def _error(stderr: TextIO, progress: TerminalProgress, message: str) -> None:
    progress.clear()
    stderr.write(f"saytype: error: {message}\n")
    stderr.flush()
