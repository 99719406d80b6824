"""``saytype recover``: transcribe the dictations a crash left unfinished into history.

Each recording journal whose process died (:mod:`app.core.audio.journal_recovery`)
is repaired, transcribed with the file transcriber and saved to history; then
it is deleted, or kept beside the history entry when "Keep recordings" is on.
Nothing is typed anywhere. Journals still being recorded by a running Saytype
are left alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from dataclasses import dataclass
from typing import TextIO

from app.commands.cli_settings import settings_for_command
from app.core.audio.file_decoder import AudioFileError
from app.core.audio.journal_recovery import (
    ClaimedJournal,
    JournalError,
    UnfinishedJournal,
    find_unfinished_journals,
    save_recovered,
)
from app.core.control_channel import ControlError, send_command
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.output.history import HistoryError, HistoryStore
from app.core.paths import models_dir
from app.core.settings import Settings
from app.core.text.shaper import ShapingOptions, TextShaper


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``recover`` subcommand."""
    parser = subparsers.add_parser(
        "recover",
        help="transcribe dictations left unfinished by a crash",
        description="Transcribe the recording journals a crash left behind into history. "
        "Nothing is typed.",
    )
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='one JSON object per journal: {"text", "duration", "journal", "history_id"}',
    )
    parser.add_argument(
        "--model",
        default=BUNDLED_MODEL,
        metavar="M",
        help=f"model name or CTranslate2 model folder (default: bundled {BUNDLED_MODEL})",
    )
    parser.set_defaults(run=run)


@dataclass
class _Recovery:
    """What one run needs: settings, model, history and where to print."""

    settings: Settings
    model: str
    history: HistoryStore | None
    stdout: TextIO
    stderr: TextIO
    jsonl: bool
    transcriber: FileTranscriber | None = None

    def note(self, message: str) -> None:
        self.stderr.write(f"saytype recover: {message}\n")
        self.stderr.flush()


def run(args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Recover every unfinished journal; 0 when all went well (or none was found)."""
    settings = settings_for_command(stderr)
    journals = find_unfinished_journals()
    if not journals:
        (stderr if args.jsonl else stdout).write("Nothing to recover.\n")
        return 0
    history: HistoryStore | None = None
    if not settings.pause_history:
        try:
            history = HistoryStore()
        except HistoryError as exc:
            stderr.write(f"saytype: error: {exc} The recordings were left for a later try.\n")
            return 1
        if history.notice:  # a damaged history was set aside: say so, as the window would
            stderr.write(f"saytype: warning: {history.notice}\n")
    recovery = _Recovery(settings, args.model, history, stdout, stderr, args.jsonl)
    try:
        failures = 0
        for journal in journals:
            failures += _recover_one(recovery, journal)
    except (ModelError, HistoryError) as exc:
        stderr.write(f"saytype: error: {exc} The recordings were left for a later try.\n")
        return 1
    finally:
        if history is not None:
            history.close()
            _tell_running_app()
    return 1 if failures else 0


def _tell_running_app() -> None:
    """A running Saytype's History list shows the recovered dictations now, not at its restart."""
    # None running (or out of reach): its next start reads the history anyway.
    with contextlib.suppress(ControlError):
        send_command("history")


def _recover_one(recovery: _Recovery, journal: UnfinishedJournal) -> int:
    """Recover one journal; the number of failures (0 or 1)."""
    try:
        claim = ClaimedJournal.claim(journal.path)
    except JournalError as exc:
        recovery.note(str(exc))
        return 1
    if claim is None:
        return 0  # another Saytype took it since we looked
    with claim:
        try:
            duration = claim.repair()
        except JournalError as exc:
            recovery.note(str(exc))
            return 1
        if duration == 0:
            claim.discard()
            recovery.note(f"removed an empty recording journal ({journal.path.name}).")
            return 0
        try:
            text = _transcribe(recovery, claim)
        except AudioFileError as exc:
            recovery.note(f"{exc} It was left for a later try.")
            return 1
        entry = None
        if recovery.history is None:  # history is paused: show the text, keep nothing
            claim.discard()
        else:
            entry = save_recovered(
                claim,
                text,
                recovery.history,
                model=recovery.model,
                keep_audio=recovery.settings.keep_audio,
            )
    _report(recovery, journal, duration, text, entry.id if entry else None)
    return 0


def _transcribe(recovery: _Recovery, claim: ClaimedJournal) -> str:
    if recovery.transcriber is None:  # the model loads only once there is audio to hear
        host = ModelHost(resolve_model(recovery.model, models_dir()))
        recovery.transcriber = FileTranscriber(host)
    settings = recovery.settings
    options = TranscribeOptions(
        language=settings.language or None, vocabulary=tuple(settings.vocabulary)
    )
    transcript = recovery.transcriber.transcribe_file(claim.path, options)
    shaper = TextShaper(ShapingOptions.from_settings(settings))
    return shaper.shape_transcript(transcript).text


def _report(
    recovery: _Recovery,
    journal: UnfinishedJournal,
    duration: float,
    text: str,
    history_id: int | None,
) -> None:
    if recovery.jsonl:
        record = {
            "text": text,
            "duration": round(duration, 3),
            "journal": str(journal.path),
            "history_id": history_id,
        }
        recovery.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(journal.started_at))
        if not text:
            where = "no speech was heard"
        elif history_id is None:
            where = "not saved: history is paused"
        else:
            where = f"saved to history as #{history_id}"
        colon = ":" if text else "."
        recovery.stdout.write(f"Recovered {duration:.1f} s dictated at {when} ({where}){colon}\n")
        if text:
            recovery.stdout.write(f"  {text}\n")
    recovery.stdout.flush()
