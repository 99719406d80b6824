"""``saytype transcribe``: files in, transcripts out, one bad file never stops the rest."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from functools import partial
from pathlib import Path
from typing import TextIO

from app.commands.models import download_hint
from app.commands.progress import TerminalProgress
from app.commands.shaping_args import add_shaping_arguments, shaper_from_args
from app.core.audio.file_decoder import AudioFileError
from app.core.audio.wav_header import find_truncation
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.engine.transcript import Transcript
from app.core.engine.whisper_internals import language_codes
from app.core.output.exporters import FORMATS, ExportError, export, render, to_json_object
from app.core.paths import models_dir

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``transcribe`` subcommand."""
    parser = subparsers.add_parser(
        "transcribe",
        help="transcribe audio or video files",
        description="Transcribe audio or video files with a local Whisper model.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="audio or video files")
    parser.add_argument(
        "--model",
        default=BUNDLED_MODEL,
        metavar="M",
        help=f"model name or CTranslate2 model folder (default: bundled {BUNDLED_MODEL})",
    )
    parser.add_argument("--format", choices=FORMATS, default="txt", help="output format")
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write FILE's transcript to DIR/<name>.<format> instead of stdout "
        "(each file written is named on stderr)",
    )
    parser.add_argument("--language", metavar="L", help="language code, e.g. en (default: detect)")
    parser.add_argument("--beam-size", type=_positive_int, default=5, metavar="N", help="beam size")
    add_shaping_arguments(parser)
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
    if args.language is not None and args.language not in language_codes():
        stderr.write(f"saytype transcribe: error: unknown language code '{args.language}'.\n")
        return 2
    progress = TerminalProgress(stderr)
    try:
        host = ModelHost(resolve_model(args.model, models_dir()))
    except ModelError as exc:
        _error(stderr, progress, f"{exc}{download_hint(args.model, models_dir())}")
        return 1
    transcriber = FileTranscriber(host)
    options = TranscribeOptions(
        language=args.language, beam_size=args.beam_size, vocabulary=args.vocabulary
    )
    shaper = shaper_from_args(args)
    used_names: set[str] = set()
    failures = 0
    for path in args.files:
        label = path.name or str(path)
        if not host.loaded:
            progress.status(f"Loading model {host.source.name}…")
        try:
            transcript = transcriber.transcribe_file(
                path, options, on_progress=partial(progress.update, label)
            )
        except AudioFileError as exc:
            _error(stderr, progress, str(exc))
            failures += 1
            continue
        except ModelError as exc:
            _error(stderr, progress, str(exc))
            return 1
        except Exception as exc:  # a decoder bug must fail this file, not the whole run
            log.warning("transcribing %s failed", path, exc_info=True)  # shown with -v
            _error(
                stderr,
                progress,
                f"{path}: unexpected {type(exc).__name__} while transcribing; run with -v "
                "for the details and please report it.",
            )
            failures += 1
            continue
        progress.clear()
        truncation = find_truncation(path)
        if truncation is not None:
            stderr.write(f"saytype: warning: {truncation.message}; transcribed what is there.\n")
        transcript = shaper.shape_transcript(transcript)
        try:
            written = _deliver(transcript, path, args, stdout, used_names, many=len(args.files) > 1)
        except ExportError as exc:
            _error(stderr, progress, str(exc))
            failures += 1
            continue
        if written is not None:
            stderr.write(f"wrote {written}\n")  # on stderr: stdout stays for transcripts
            stderr.flush()
    progress.clear()
    return 1 if failures else 0


def _deliver(
    transcript: Transcript,
    path: Path,
    args: argparse.Namespace,
    stdout: TextIO,
    used_names: set[str],
    *,
    many: bool,
) -> Path | None:
    """Write the transcript to its file under ``-o DIR`` (returned) or to ``stdout``."""
    if args.output_dir is not None:
        target = _unique_target(args.output_dir, path, args.format, used_names)
        export(transcript, args.format, target)
        return target
    if args.format == "json":
        obj = to_json_object(transcript, file=str(path))
        stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        if many:
            stdout.write(f"==> {path} <==\n")
        stdout.write(render(transcript, args.format))
    stdout.flush()
    return None


def _unique_target(folder: Path, source: Path, fmt: str, used: set[str]) -> Path:
    """``DIR/<stem>.<fmt>``; a second input with the same stem in this run gets ``-2``..."""
    stem = source.stem or "transcript"
    name = f"{stem}.{fmt}"
    counter = 2
    while name in used:
        name = f"{stem}-{counter}.{fmt}"
        counter += 1
    used.add(name)
    return folder / name


def _error(stderr: TextIO, progress: TerminalProgress, message: str) -> None:
    progress.clear()
    stderr.write(f"saytype: error: {message}\n")
    stderr.flush()
