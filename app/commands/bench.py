"""``saytype bench``: run a benchmark and print its figures (never pass/fail on time).

Only the benchmarks a user can run with the runtime dependencies live here. The
developer ones (accuracy, files, fuzz, live, soak, vocabulary) need the test
extra and the shared speech corpus; they run from a source checkout as
``python bench/NAME.py`` (``bench/saytype_bench``), and naming one here says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from app.core.engine.model_folder import ModelError
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.paths import models_dir

BENCHMARKS = {
    "idle": "CPU used while waiting, the microphone held open and closed (--seconds)",
    "memory": "memory of the loaded model, and what unloading gives back",
    "responsiveness": "GUI thread stalls from start through a dictation, settings and quit",
    "startup": "time from launch to a window and to a loaded model",
}
# Moved out of the shipped package: they need the test extra (and the speech corpus).
DEVELOPER_BENCHMARKS = ("accuracy", "files", "fuzz", "live", "remote", "soak", "vocabulary")
# Optional packages a kept benchmark may import, by import name: what pip installs.
OPTIONAL_PACKAGES = {"hibari": "hibari-tts"}

Runner = Callable[[argparse.Namespace, TextIO, TextIO], int]


def developer_benchmark_line(name: str) -> str:
    """The one line that answers ``saytype bench NAME`` for a moved benchmark."""
    return (
        f"saytype bench: '{name}' is a developer benchmark now, not part of saytype: run "
        f"`python bench/{name}.py` from a source checkout (see docs/benchmarks.md).\n"
    )


class _WhichAction(argparse.Action):
    """Stores the benchmark's name; a developer benchmark's name ends the parse at once.

    At once, so that the old command lines (``saytype bench live --buckets 3,10``)
    get the line that says where the benchmark went, not "unrecognized arguments".
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values in DEVELOPER_BENCHMARKS:
            parser.exit(2, developer_benchmark_line(str(values)))
        setattr(namespace, self.dest, values)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``bench`` subcommand."""
    parser = subparsers.add_parser(
        "bench",
        help="run a benchmark and print its figures",
        description="Benchmarks print figures and a ratio against a baseline measured in the "
        "same run. The developer benchmarks (" + ", ".join(DEVELOPER_BENCHMARKS) + ") run "
        "from a source checkout: python bench/NAME.py.",
    )
    parser.add_argument(
        "which",
        nargs="?",
        choices=[*BENCHMARKS, *DEVELOPER_BENCHMARKS],
        metavar="NAME",
        action=_WhichAction,
        help=f"benchmark to run: {', '.join(BENCHMARKS)} (without one, the list is printed)",
    )
    parser.add_argument("--model", default=BUNDLED_MODEL, metavar="M", help="model to measure")
    parser.add_argument(
        "--speech-dir",
        type=Path,
        help="memory, responsiveness: folder of recordings with a manifest.tsv (default: the "
        "shared corpus of a source checkout, else hibari-tts speech for memory and a tone for "
        "responsiveness)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    from app.commands.bench_idle import add_arguments as add_idle_arguments

    add_idle_arguments(parser)
    memory = parser.add_argument_group("memory", "RSS with the model loaded, unloaded, reloaded.")
    memory.add_argument(
        "--dictations", type=_count(1), default=500, metavar="N", help="dictations for the drift"
    )
    startup = parser.add_argument_group("startup", "Process start to window shown and model ready.")
    startup.add_argument("--runs", type=_count(1), default=5, metavar="N", help="starts to time")
    responsiveness = parser.add_argument_group("responsiveness", "Event-loop stalls of the app.")
    responsiveness.add_argument("--mic", action="store_true", help="use the real microphone")
    parser.set_defaults(run=run)


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more: {value}")
        return value

    return parse


def _list_benchmarks(stdout: TextIO) -> int:
    stdout.write("Benchmarks (run one with `saytype bench NAME`, --json for figures):\n")
    width = max(map(len, BENCHMARKS))
    stdout.writelines(f"  {name:<{width}}  {about}\n" for name, about in BENCHMARKS.items())
    stdout.write(
        "Developer benchmarks (" + ", ".join(DEVELOPER_BENCHMARKS) + ") run from a source "
        "checkout with the test extra: python bench/NAME.py\n"
    )
    return 0


def missing_package_line(exc: ModuleNotFoundError) -> str | None:
    """What to install for an optional package a benchmark lacks, or None if not optional."""
    top = (exc.name or "").split(".")[0]
    package = OPTIONAL_PACKAGES.get(top)
    if package is None:
        return None
    return f"saytype bench: error: this benchmark needs {package}: pip install {package}\n"


def run(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the chosen benchmark (to this moment's ``sys.stdout``/``sys.stderr`` by default)."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    if args.which is None:
        return _list_benchmarks(stdout)
    if args.which in DEVELOPER_BENCHMARKS:  # when called without the parser's action
        stderr.write(developer_benchmark_line(args.which))
        return 2
    runners: dict[str, Runner] = {
        "idle": _run_idle,
        "memory": _run_memory,
        "startup": _run_startup,
        "responsiveness": _run_responsiveness,
    }
    try:
        return runners[args.which](args, stdout, stderr)
    except ModuleNotFoundError as exc:  # an optional package, not a broken install
        line = missing_package_line(exc)
        if line is None:
            raise
        stderr.write(line)
        return 1


def _run_idle(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """The desktop app in this process, waiting."""
    from app.commands.bench_idle import run_idle

    return run_idle(args, stdout, stderr)


def _run_memory(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.benchmarks.memory import format_report, run_memory_benchmark, to_json
    from app.benchmarks.speech_clips import load_clips
    from app.benchmarks.speech_corpus import CorpusMissingError
    from app.commands.progress import TerminalProgress
    from app.core.audio.file_decoder import AudioFileError

    progress = TerminalProgress(stderr)
    try:
        source = resolve_model(args.model, models_dir())
        progress.status("Preparing speech…")
        clips, _source = load_clips(args.speech_dir)
        figures = run_memory_benchmark(
            source, [clip.audio for clip in clips], args.dictations, progress=progress.status
        )
    except ModuleNotFoundError as exc:
        progress.clear()
        if missing_package_line(exc) is None:
            raise
        stderr.write(
            f"saytype bench: error: the memory benchmark dictates speech: without the shared "
            f"corpus it makes it with hibari-tts, which is not installed: pip install "
            f"{OPTIONAL_PACKAGES['hibari']} (or give --speech-dir FOLDER with a manifest.tsv)\n"
        )
        return 1
    except (CorpusMissingError, ModelError, AudioFileError, ImportError, ValueError) as exc:
        progress.clear()
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    progress.clear()
    if args.json:
        stdout.write(json.dumps(to_json(figures, args.model)) + "\n")
    else:
        stdout.write(format_report(figures, args.model) + "\n")
    return 0


def _run_startup(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.benchmarks.startup import format_startup, run_startup

    try:
        figures = run_startup(args.runs)
    except RuntimeError as exc:
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    if args.json:
        payload = {"benchmark": "startup", **asdict(figures), "ratio": figures.ratio}
        stdout.write(json.dumps(payload) + "\n")
    else:
        stdout.write(format_startup(figures) + "\n")
    return 0


def _run_responsiveness(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.commands.bench_responsiveness import run_responsiveness_command

    return run_responsiveness_command(args, stdout, stderr)
