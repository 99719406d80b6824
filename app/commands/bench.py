"""``saytype bench``: run a benchmark and print its figures (never pass/fail on time)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from app.benchmarks.live_utterances import DEFAULT_BUCKETS
from app.commands.progress import TerminalProgress
from app.core.audio.file_decoder import AudioFileError
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.paths import models_dir

BENCHMARKS = {
    "accuracy": "WER and speed of `saytype transcribe` against faster-whisper itself",
    "files": "long-file memory, batched against sequential speed, dictation while busy",
    "fuzz": "damaged media files through the decoder and `saytype transcribe`",
    "idle": "CPU used while waiting, the microphone held open and closed (--seconds)",
    "live": "live dictation: each recording dictated once, against beam 5 after release",
    "memory": "memory of the loaded model, and what unloading gives back",
    "responsiveness": "GUI thread stalls from start through a dictation, settings and quit",
    "soak": "one long dictation (--minutes) or many short ones (--n)",
    "startup": "time from launch to a window and to a loaded model",
    "vocabulary": "WER and exact spellings with and without a custom vocabulary",
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``bench`` subcommand."""
    parser = subparsers.add_parser(
        "bench",
        help="run a benchmark and print its figures",
        description="Benchmarks print figures and a ratio against a baseline measured in the "
        "same run.",
    )
    parser.add_argument(
        "which",
        nargs="?",
        choices=list(BENCHMARKS),
        help="benchmark to run (without one, the list of benchmarks is printed)",
    )
    parser.add_argument("--model", default=BUNDLED_MODEL, metavar="M", help="model to measure")
    parser.add_argument("--speech-dir", type=Path, help="corpus folder (default ../shared/speech)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    accuracy = parser.add_argument_group("accuracy")
    accuracy.add_argument("--repeats", type=int, default=3, help="timed repeats per recording")
    live = parser.add_argument_group(
        "live",
        "Live dictation against faster-whisper beam 5. By default each recording is dictated "
        "once (one key hold per utterance), on the speech corpus and on hibari-tts dictation "
        "sentences; --buckets joins recordings into utterances of given lengths instead.",
    )
    live.add_argument(
        "--per-utterance",
        action="store_true",
        help="each recording dictated once, on both corpora (the default)",
    )
    live.add_argument(
        "--buckets",
        type=_buckets,
        default=None,
        metavar="S,S",
        help=f"bucket mode: utterances of these lengths in seconds (e.g. "
        f"{','.join(map(str, DEFAULT_BUCKETS))}), for long-utterance latency",
    )
    live.add_argument(
        "--corpus",
        choices=["both", "speech", "dictation"],
        default="both",
        help="per-utterance mode: which corpus (default both)",
    )
    live.add_argument(
        "--final-beam",
        type=_count(1),
        default=None,
        metavar="N",
        help="beam size of the live final decode, to measure it (default: the app's)",
    )
    live.add_argument(
        "--per-bucket", type=_count(1), default=3, metavar="N", help="utterances per length"
    )
    live.add_argument(
        "--cancels", type=_count(0), default=20, metavar="N", help="dictations cancelled at random"
    )
    live.add_argument("--seed", type=int, default=0, help="seed of the cancel points")
    live.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="X",
        help="feed at X times real time (default 1; 8 for soak --n; latencies are meaningful "
        "at 1 only)",
    )
    live.add_argument(
        "--pause-variant",
        action="store_true",
        help="also dictate each utterance with 0.5 s of silence before release (twice as long)",
    )
    soak = parser.add_argument_group(
        "soak", "One long continuous dictation (--minutes) or N short ones (--n); uses --speed."
    )
    soak.add_argument(
        "--n",
        type=_count(1),
        default=None,
        metavar="N",
        help="soak: N short dictations back to back instead of one long one",
    )
    soak.add_argument(
        "--minutes",
        type=float,
        default=None,
        metavar="M",
        help="soak: length of the dictation (default 10); files: of the long file (default 120)",
    )
    from app.benchmarks.files import add_arguments as add_files_arguments

    add_files_arguments(parser)
    from app.benchmarks.fuzz_bench import add_arguments as add_fuzz_arguments

    add_fuzz_arguments(parser)
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


def _buckets(text: str) -> tuple[int, ...]:
    parse = _count(1)
    values = tuple(parse(part.strip()) for part in text.split(",") if part.strip())
    if not values:
        raise argparse.ArgumentTypeError("give at least one length, e.g. 3,10")
    return values


def _list_benchmarks(stdout: TextIO) -> int:
    stdout.write("Benchmarks (run one with `saytype bench NAME`, --json for figures):\n")
    stdout.writelines(f"  {name:<11} {about}\n" for name, about in BENCHMARKS.items())
    return 0


def run(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the chosen benchmark (to this moment's ``sys.stdout``/``sys.stderr`` by default)."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    if args.which is None:
        return _list_benchmarks(stdout)
    if args.speed is None:  # the soak by dictations feeds faster by default
        args.speed = 8.0 if args.which == "soak" and args.n is not None else 1.0
    if args.which == "live":
        from app.commands.bench_live import run_live

        return run_live(args, stdout, stderr)
    if args.which == "idle":  # the desktop app in this process, waiting
        from app.commands.bench_idle import run_idle

        return run_idle(args, stdout, stderr)
    if args.which == "fuzz":  # mutated media files through the decoder and `saytype transcribe`
        from app.benchmarks.fuzz_bench import run_bench as run_fuzz_bench

        return run_fuzz_bench(args, stdout, stderr)
    runners = {
        "soak": _run_soak,
        "files": _run_files,
        "vocabulary": _run_vocabulary,
        "memory": _run_memory,
        "startup": _run_startup,
        "responsiveness": _run_responsiveness,
    }
    if args.which in runners:
        return runners[args.which](args, stdout, stderr)
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


def _run_soak(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.benchmarks.live_utterances import load_clips
    from app.benchmarks.soak import format_soak, run_soak
    from app.benchmarks.speech_corpus import CorpusMissingError
    from app.core.engine.live_pipeline import LivePipeline

    if args.n is not None and args.minutes is not None:
        stderr.write("saytype bench: error: give --n (short dictations) or --minutes, not both.\n")
        return 2
    args.minutes = 10.0 if args.minutes is None else args.minutes
    if args.speed <= 0 or args.minutes <= 0:
        stderr.write("saytype bench: error: --speed and --minutes must be more than 0.\n")
        return 2
    progress = TerminalProgress(stderr)
    try:
        progress.status("Loading the model and the speech…")
        pipeline = LivePipeline(ModelHost(resolve_model(args.model, models_dir())))
        pipeline.warm_up()
        clips, source = load_clips(args.speech_dir)
    except (CorpusMissingError, ModelError, AudioFileError, ImportError) as exc:
        progress.clear()
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    if args.n is not None:
        from app.benchmarks import soak_dictations

        soak = soak_dictations.run_dictation_soak(
            pipeline,
            soak_dictations.dictation_clips(clips),
            args.n,
            speed=args.speed,
            progress=progress.status,
        )
        progress.clear()
        summary = {"model": args.model, "source": source} | soak_dictations.summarise(soak)
        report = soak_dictations.format_report(summary, args.model, source)
        stdout.write((json.dumps(summary) if args.json else report) + "\n")
        return 0
    progress.clear()
    result = run_soak(pipeline, clips, minutes=args.minutes, speed=args.speed)
    if args.json:
        payload = asdict(result) | {
            "benchmark": "soak",
            "max_lag_s": result.max_lag_s,
            "rss_growth_mb_per_min": result.rss_growth_mb_per_min,
        }
        stdout.write(json.dumps(payload) + "\n")
    else:
        stdout.write(format_soak(result) + "\n")
    return 0


def _run_memory(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.benchmarks.live_utterances import load_clips
    from app.benchmarks.memory import format_report, run_memory_benchmark, to_json
    from app.benchmarks.speech_corpus import CorpusMissingError

    progress = TerminalProgress(stderr)
    try:
        source = resolve_model(args.model, models_dir())
        progress.status("Preparing speech…")
        clips, _source = load_clips(args.speech_dir)
        figures = run_memory_benchmark(
            source, [clip.audio for clip in clips], args.dictations, progress=progress.status
        )
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


def _run_vocabulary(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """WER and exact spellings with and without the vocabulary (hibari-tts sentences)."""
    from app.benchmarks.vocabulary import format_report, run_vocabulary, to_json

    progress = TerminalProgress(stderr)
    try:
        host = ModelHost(resolve_model(args.model, models_dir()))
        progress.status("Reading the sentences with hibari-tts…")
        rows = run_vocabulary(host)
    except (ModelError, ImportError) as exc:
        progress.clear()
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    progress.clear()
    stdout.write((json.dumps(to_json(rows)) if args.json else format_report(rows)) + "\n")
    return 0


def _run_files(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Long-file memory, batched vs sequential speed, and dictation latency while busy."""
    from app.benchmarks.files import format_report, run_files_benchmark, to_json
    from app.benchmarks.live_utterances import load_clips
    from app.benchmarks.speech_corpus import CorpusMissingError

    minutes = 120.0 if args.minutes is None else args.minutes
    if minutes <= 0 or args.clip_minutes <= 0 or args.latency_dictations < 1:
        stderr.write(
            "saytype bench: error: --minutes, --clip-minutes, --latency-dictations must be > 0.\n"
        )
        return 2
    progress = TerminalProgress(stderr)
    try:
        host = ModelHost(resolve_model(args.model, models_dir()))
        progress.status("Preparing speech…")
        clips, source = load_clips(args.speech_dir)
        result = run_files_benchmark(
            host,
            clips,
            minutes=minutes,
            clip_minutes=args.clip_minutes,
            dictations=args.latency_dictations,
            source=source,
            progress=progress.status,
        )
    except (CorpusMissingError, ModelError, AudioFileError, ImportError, RuntimeError) as exc:
        progress.clear()
        stderr.write(f"saytype bench: error: {exc}\n")
        return 1
    progress.clear()
    stdout.write((json.dumps(to_json(result)) if args.json else format_report(result)) + "\n")
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
