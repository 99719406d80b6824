"""``saytype models list|download|remove|verify|path``: the model manager on the command line.

Downloads read ``HF_ENDPOINT`` and ``HF_HUB_OFFLINE`` here, at the edge, and
hand them to the Qt-free downloader. Ctrl+C keeps the partial files, so the
same command resumes where it stopped. A download that failed before any of the
model's bytes arrived leaves only a lock file; the list shows that model as
available rather than as a "partial · 0 MB" model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from app.commands.progress import TerminalProgress
from app.core.engine.cancellation import Cancelled
from app.core.engine.model_catalog import (
    MODEL_REPOSITORIES,
    ModelStatus,
    list_models,
    remove_model,
)
from app.core.engine.model_download import DownloadProgress, HubAccess, download_model
from app.core.engine.model_folder import ModelError
from app.core.engine.model_integrity import (
    BUNDLED_REPAIR,
    MANIFEST_NAME,
    checksums_known,
    verify_installed,
)
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.paths import models_dir


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``models`` subcommand and its actions."""
    parser = subparsers.add_parser(
        "models",
        help="list, download, remove and verify models",
        description="Manage Whisper models. Downloads come from the Hugging Face hub "
        "(HF_ENDPOINT, HF_HUB_OFFLINE are honoured) and are checked before they are installed.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="show bundled, installed and downloadable models")
    listing.add_argument("--json", action="store_true", help="print one JSON object per model")
    listing.set_defaults(run=run_list)
    for action, text, run in (
        ("download", "download and install a model (resumes an interrupted one)", run_download),
        ("remove", "delete an installed model or an unfinished download", run_remove),
        ("verify", "check a model's files against their recorded sizes and hashes", run_verify),
        ("path", "print the folder a model loads from", run_path),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("name", metavar="NAME", help="model name, e.g. base.en")
        sub.set_defaults(run=run)


def run_list(args: argparse.Namespace, stdout: TextIO = sys.stdout) -> int:
    """Print the models, one per line (or JSON)."""
    for model in list_models(models_dir()):
        if args.json:
            record = {
                "name": model.name,
                "status": model.status.value,
                "size_bytes": model.size_bytes,
                "size_is_estimate": model.size_is_estimate,
                "hint": model.hint,
                "path": str(model.path) if model.path else None,
            }
            stdout.write(json.dumps(record) + "\n")
        else:
            size = _format_size(model.size_bytes, estimate=model.size_is_estimate)
            stdout.write(f"{model.name:<18} {model.status.value:<10} {size:>9}  {model.hint}\n")
    return 0


def run_download(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Download a model with a progress bar; Ctrl+C keeps the partial files for a resume."""
    progress = TerminalProgress(stderr)

    def show(step: DownloadProgress) -> None:
        label = f"{args.name}: {step.done_bytes / 1e6:.0f}/{step.total_bytes / 1e6:.0f} MB"
        progress.update(label, step.fraction)

    try:
        folder = download_model(
            args.name, models_dir(), HubAccess.from_environment(os.environ), progress=show
        )
    except ModelError as exc:
        progress.clear()
        stderr.write(f"saytype models: error: {exc}\n")
        return 1
    except (KeyboardInterrupt, Cancelled):
        progress.clear()
        stderr.write(
            f"saytype models: download of '{args.name}' stopped; "
            "run the same command again to resume.\n"
        )
        return 130
    progress.clear()
    stdout.write(f"Installed {args.name} in {folder}\n")
    return 0


def run_remove(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Delete an installed model and any unfinished download of it."""
    try:
        removed = remove_model(args.name, models_dir())
    except (ModelError, OSError) as exc:
        stderr.write(f"saytype models: error: {exc}\n")
        return 1
    for folder in removed:
        stdout.write(f"Removed {folder}\n")
    return 0


def run_verify(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Check a model; exit 1 and name each problem when it is damaged."""
    folder = _model_folder(args.name)
    if folder is None:
        stderr.write(f"saytype models: error: model '{args.name}' is not installed.\n")
        return 1
    problems = verify_installed(folder)
    if problems:
        for problem in problems:
            stderr.write(f"saytype models: {problem}\n")
        bundled = checksums_known(folder) and not (folder / MANIFEST_NAME).is_file()
        repair = BUNDLED_REPAIR if bundled else "remove it and download it again"
        stderr.write(f"Model '{args.name}' is damaged: {repair}.\n")
        return 1
    if checksums_known(folder):
        stdout.write(f"{args.name}: OK ({folder})\n")
        return 0
    # No checksums for a folder copied by hand: listen to a known recording instead.
    from app.core.engine.model_hearing import hearing_problem, welcome_sample

    sample = welcome_sample()
    if sample is None:  # an install without the sample: nothing to listen to, nothing claimed
        stdout.write(
            f"{args.name}: its files are all there ({folder}); no checksums were recorded "
            "for a folder copied by hand, so their contents could not be checked\n"
        )
        return 0
    stderr.write("Listening to the welcome sample to check its weights…\n")
    heard = hearing_problem(folder, sample)
    if heard is not None:
        stderr.write(f"saytype models: {heard}\n")
        stderr.write(f"Model '{args.name}' is damaged: remove it and download or copy it again.\n")
        return 1
    stdout.write(
        f"{args.name}: OK ({folder}); no checksums were recorded for a folder copied by hand, "
        "and it heard the welcome sample as it was said\n"
    )
    return 0


def run_path(
    args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Print the folder the model loads from."""
    folder = models_dir()
    hint = download_hint(args.name, folder)
    if hint:  # "never downloads while loading" answers a load, not this question
        stderr.write(
            f"saytype models: error: Model '{args.name.strip()}' is not installed (it would be "
            f"in {folder / args.name.strip()}).{hint}\n"
        )
        return 1
    try:
        source = resolve_model(args.name, folder)
    except ModelError as exc:
        stderr.write(f"saytype models: error: {exc}\n")
        return 1
    stdout.write(f"{source.path}\n")
    return 0


def download_hint(spec: str, folder: Path) -> str:
    """How to get model ``spec`` when it is a downloadable name not yet installed, else "".

    Args:
        spec: the model name or folder the user gave.
        folder: where downloaded models are installed.

    Returns:
        A sentence to append to a "not installed" error, with a leading space.
    """
    name = spec.strip()
    if name == BUNDLED_MODEL or name not in MODEL_REPOSITORIES or (folder / name).exists():
        return ""
    return f" Download it with: saytype models download {name}"


def _model_folder(name: str) -> Path | None:
    """The folder of a bundled, installed or given model, even a damaged one."""
    for model in list_models(models_dir()):
        if model.name == name and model.status in {ModelStatus.BUNDLED, ModelStatus.INSTALLED}:
            return model.path
    candidate = Path(name).expanduser()
    return candidate if ("/" in name and candidate.is_dir()) else None


def _format_size(size: int, estimate: bool) -> str:
    prefix = "~" if estimate else ""
    if size >= 1_000_000_000:
        return f"{prefix}{size / 1e9:.1f} GB"
    return f"{prefix}{size / 1e6:.0f} MB"
