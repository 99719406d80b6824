"""Where ``saytype transcribe`` puts a transcript: a file under ``-o DIR``, or standard output."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from app.commands.standard_output import write_out
from app.core.engine.transcript import Transcript
from app.core.output.exporters import (
    holds_text,
    render,
    to_json_object,
    transcript_name,
    write_text_atomically,
)


def deliver_transcript(
    transcript: Transcript,
    path: Path,
    args: argparse.Namespace,
    stdout: TextIO,
    written: set[Path],
    *,
    many: bool,
) -> Path | None:
    """Write the transcript to its file under ``-o DIR`` (returned) or to ``stdout``.

    A transcript stopped part way (Ctrl+C) is ``NAME.partial.FMT``, as the window names
    one: a script that looks for ``NAME.FMT`` must not take it for the whole.
    """
    if args.output_dir is not None:
        text = render(transcript, args.format)
        fmt = args.format if transcript.complete else f"partial.{args.format}"
        target = free_target(args.output_dir, path, fmt, written, args.overwrite, text)
        write_text_atomically(target, text)
        return target
    print_transcript(transcript, path, args.format, stdout, many=many)
    return None


def print_transcript(
    transcript: Transcript, path: Path, fmt: str, stdout: TextIO, *, many: bool
) -> None:
    """The transcript on ``stdout``: one JSON object per file, or the text under its name."""
    if fmt == "json":
        obj = to_json_object(transcript, file=str(path))
        write_out(stdout, json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        write_out(stdout, (f"==> {path} <==\n" if many else "") + render(transcript, fmt))


def free_target(  # noqa: PLR0917 - the run's parts, each distinct
    folder: Path, source: Path, fmt: str, written: set[Path], overwrite: bool, text: str
) -> Path:
    """``DIR/<stem>.<fmt>``, or ``-2``, ``-3``…: never a file this run wrote, nor one already there.

    A transcript already in the folder may be one the user edited, so it is kept
    unless ``--overwrite`` says to replace it (as the window's exports never do).
    One holding exactly ``text`` (the same file transcribed again) is reused.
    """
    path = folder / transcript_name(source.stem or "transcript", f".{fmt}")
    candidate, counter = path, 2
    while candidate in written or (
        not overwrite and candidate.exists() and not holds_text(candidate, text)
    ):
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
        counter += 1
    written.add(candidate)
    return candidate
