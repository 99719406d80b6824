"""``saytype bench``: run a benchmark and print its figures (never pass/fail on time)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.paths import models_dir


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``bench`` subcommand."""
    parser = subparsers.add_parser(
        "bench",
        help="run a benchmark and print its figures",
        description="Benchmarks print figures and a ratio against a baseline measured in the "
        "same run.",
    )
    parser.add_argument("which", choices=["accuracy"], help="benchmark to run")
    parser.add_argument("--model", default=BUNDLED_MODEL, metavar="M", help="model to measure")
    parser.add_argument("--speech-dir", type=Path, help="corpus folder (default ../shared/speech)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per recording")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """Run the chosen benchmark."""
    from app.benchmarks.accuracy import format_report, run_accuracy
    from app.benchmarks.speech_corpus import CorpusMissingError, find_speech_dir, load_corpus

    try:
        speech_dir = find_speech_dir(args.speech_dir)
        host = ModelHost(resolve_model(args.model, models_dir()))
        host.get()
    except (CorpusMissingError, ModelError) as exc:
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    except ImportError as exc:
        stderr.write(
            f"saytype bench: error: {exc}; install the test extra: pip install '.[test]'\n"
        )
        return 1
    result = run_accuracy(host, load_corpus(speech_dir), repeats=max(1, args.repeats))
    if args.json:
        payload = asdict(result) | {"speed_ratio": result.speed_ratio, "model": args.model}
        stdout.write(json.dumps(payload) + "\n")
    else:
        stdout.write(format_report(result, args.model, speech_dir) + "\n")
    return 0
