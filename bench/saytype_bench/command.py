"""The developer benchmarks' command line: ``python bench/NAME.py [options] [--json]``.

Each script in ``bench/`` calls :func:`main` with its name. The options and the
output are those the benchmarks had as ``saytype bench NAME``; each script now
takes only its own options (and ``--model``, ``--speech-dir``, ``--json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from app.benchmarks.speech_corpus import CorpusMissingError
from app.commands.progress import TerminalProgress
from app.core.audio.file_decoder import AudioFileError
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import BUNDLED_MODEL, resolve_model
from app.core.paths import models_dir
from saytype_bench.live_command import add_tuning_options
from saytype_bench.live_utterances import DEFAULT_BUCKETS
from saytype_bench.recording_conditions import CONDITION_HELP, CONDITIONS

Runner = Callable[[argparse.Namespace, TextIO, TextIO], int]

BENCHMARKS = {
    "accuracy": "WER and speed of `saytype transcribe` against faster-whisper itself",
    "files": "long-file memory, batched against sequential speed, dictation while busy",
    "fuzz": "damaged media files through the decoder and `saytype transcribe`",
    "live": "live dictation: each recording dictated once, against beam 5 after release",
    "remote": "a remote engine's file throughput at 1-8 in flight, and release → final",
    "soak": "one long dictation (--minutes) or many short ones (--n)",
    "vocabulary": "WER and exact spellings with and without a custom vocabulary",
}
_TEST_EXTRA = "install the test extra from the source checkout: pip install -e '.[test]'"


def main(which: str, argv: Sequence[str] | None = None) -> int:
    """Run benchmark ``which`` with ``argv`` (default: the script's arguments)."""
    from app.core.log_file import start_logging
    from app.core.offline import enforce_offline

    enforce_offline()  # before the model libraries load: they read the switches at import
    args = build_parser(which).parse_args(sys.argv[1:] if argv is None else argv)
    start_logging(logging.ERROR, logging.INFO)
    try:
        status = run(which, args, sys.stdout, sys.stderr)
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("\nbench: interrupted.\n")
        return 130
    return status


def build_parser(which: str) -> argparse.ArgumentParser:
    """The options of benchmark ``which``: the shared ones and its own."""
    parser = argparse.ArgumentParser(
        prog=f"python bench/{which}.py",
        description=f"{BENCHMARKS[which]}. Benchmarks print figures and a ratio against a "
        "baseline measured in the same run; they need the test extra.",
    )
    parser.add_argument("--model", default=BUNDLED_MODEL, metavar="M", help="model to measure")
    parser.add_argument("--speech-dir", type=Path, help="corpus folder (default ../shared/speech)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    _OPTIONS[which](parser)
    return parser


def run(which: str, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run benchmark ``which`` as ``args`` say; print its figures to ``stdout``."""
    runners: dict[str, Runner] = {
        "accuracy": _run_accuracy,
        "files": _run_files,
        "fuzz": _run_fuzz,
        "live": _run_live,
        "remote": _run_remote,
        "soak": _run_soak,
        "vocabulary": _run_vocabulary,
    }
    return runners[which](args, stdout, stderr)


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


def _accuracy_options(parser: argparse.ArgumentParser) -> None:
    accuracy = parser.add_argument_group("accuracy")
    accuracy.add_argument("--repeats", type=int, default=3, help="timed repeats per recording")


def _live_options(parser: argparse.ArgumentParser) -> None:
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
        "--condition",
        choices=CONDITIONS,
        default="clean",
        help=f"per-utterance mode: how the words are recorded ({CONDITION_HELP}; default clean)",
    )
    add_tuning_options(live, _count(1), _count(0))
    live.add_argument(
        "--per-bucket", type=_count(1), default=3, metavar="N", help="utterances per length"
    )
    live.add_argument(
        "--cancels", type=_count(0), default=20, metavar="N", help="dictations cancelled at random"
    )
    live.add_argument("--seed", type=int, default=0, help="seed of the cancel points")
    _speed_option(live, "feed at X times real time (default 1; latencies are meaningful at 1 only)")
    live.add_argument(
        "--replay",
        action="store_true",
        help="no clock: a pass after every 0.3 s of audio, so engine changes compare word for "
        "word whatever the machine does (only WER and the final's own cost mean something)",
    )
    live.add_argument(
        "--schedule",
        type=int,
        default=None,
        metavar="SEED",
        help="with --replay: schedule the passes as a busy machine does, seeded (a pass lands "
        "up to 0.5 s late, idle work is sometimes skipped), to reproduce what a 1x run did "
        "that the plain replay does not",
    )
    live.add_argument(
        "--pause-variant",
        action="store_true",
        help="also dictate each utterance with 0.5 s of silence before release (twice as long)",
    )


def _speed_option(group: argparse._ArgumentGroup, help_text: str) -> None:
    group.add_argument("--speed", type=float, default=None, metavar="X", help=help_text)


def _soak_options(parser: argparse.ArgumentParser) -> None:
    soak = parser.add_argument_group(
        "soak", "One long continuous dictation (--minutes) or N short ones (--n)."
    )
    soak.add_argument(
        "--n",
        type=_count(1),
        default=None,
        metavar="N",
        help="N short dictations back to back instead of one long one",
    )
    soak.add_argument(
        "--minutes",
        type=float,
        default=None,
        metavar="M",
        help="length of the dictation (default 10)",
    )
    _speed_option(soak, "feed at X times real time (default 1; 8 with --n)")


def _remote_options(parser: argparse.ArgumentParser) -> None:
    from saytype_bench.remote import add_arguments

    add_arguments(parser)


def _run_remote(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """File throughput against a server at 1, 2, 4, 8 in flight, and release → final."""
    from app.benchmarks.speech_corpus import find_speech_dir, load_corpus
    from app.core.engine.engine_choice import EngineChoiceError
    from app.core.engine.remote.remote_errors import RemoteEngineError
    from saytype_bench.remote import format_report, run_remote_benchmark, to_json

    progress = TerminalProgress(stderr)
    try:
        host = ModelHost(resolve_model(args.model, models_dir()))
        items = load_corpus(find_speech_dir(args.speech_dir))
        items = items[: args.limit] if args.limit > 0 else items
        progress.status(f"Measuring {args.url} on {len(items)} recordings…")
        result = run_remote_benchmark(host, items, args)
    except (
        CorpusMissingError,
        ModelError,
        AudioFileError,
        EngineChoiceError,
        RemoteEngineError,
    ) as exc:
        progress.clear()
        stderr.write(f"bench: error: {exc}\n")
        return 1
    progress.clear()
    stdout.write((json.dumps(to_json(result)) if args.json else format_report(result)) + "\n")
    return 0


def _files_options(parser: argparse.ArgumentParser) -> None:
    from saytype_bench.files import add_arguments

    parser.add_argument(
        "--minutes",
        type=float,
        default=None,
        metavar="M",
        help="length of the long file (default 120)",
    )
    add_arguments(parser)


def _fuzz_options(parser: argparse.ArgumentParser) -> None:
    from saytype_bench.fuzz_bench import add_arguments

    add_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutations")


def _no_options(parser: argparse.ArgumentParser) -> None:
    del parser


_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "accuracy": _accuracy_options,
    "files": _files_options,
    "fuzz": _fuzz_options,
    "live": _live_options,
    "soak": _soak_options,
    "vocabulary": _no_options,
    "remote": _remote_options,
}


def _run_accuracy(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.benchmarks.speech_corpus import find_speech_dir, load_corpus
    from saytype_bench.accuracy import format_report, run_accuracy

    try:
        speech_dir = find_speech_dir(args.speech_dir)
        host = ModelHost(resolve_model(args.model, models_dir()))
        host.get()
    except (CorpusMissingError, ModelError) as exc:
        stderr.write(f"bench: error: {exc}\n")
        return 1
    except ImportError as exc:
        stderr.write(f"bench: error: {exc}; {_TEST_EXTRA}\n")
        return 1
    result = run_accuracy(host, load_corpus(speech_dir), repeats=max(1, args.repeats))
    if args.json:
        payload = asdict(result) | {"speed_ratio": result.speed_ratio, "model": args.model}
        stdout.write(json.dumps(payload) + "\n")
    else:
        stdout.write(format_report(result, args.model, speech_dir) + "\n")
    return 0


def _run_live(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from saytype_bench.live_command import run_live

    args.speed = 1.0 if args.speed is None else args.speed
    return run_live(args, stdout, stderr)


def _run_fuzz(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from saytype_bench.fuzz_bench import run_bench

    return run_bench(args, stdout, stderr)


def _run_soak(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from app.benchmarks.speech_clips import load_clips
    from app.core.engine.live_pipeline import LivePipeline
    from saytype_bench.soak import format_soak, run_soak

    if args.speed is None:  # the soak by dictations feeds faster by default
        args.speed = 8.0 if args.n is not None else 1.0
    if args.n is not None and args.minutes is not None:
        stderr.write("bench: error: give --n (short dictations) or --minutes, not both.\n")
        return 2
    args.minutes = 10.0 if args.minutes is None else args.minutes
    if args.speed <= 0 or args.minutes <= 0:
        stderr.write("bench: error: --speed and --minutes must be more than 0.\n")
        return 2
    progress = TerminalProgress(stderr)
    try:
        progress.status("Loading the model and the speech…")
        pipeline = LivePipeline(ModelHost(resolve_model(args.model, models_dir())))
        pipeline.warm_up()
        clips, source = load_clips(args.speech_dir)
    except (CorpusMissingError, ModelError, AudioFileError, ImportError) as exc:
        progress.clear()
        stderr.write(f"bench: error: {exc}\n")
        return 1
    if args.n is not None:
        from saytype_bench import soak_dictations

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


def _run_vocabulary(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """WER and exact spellings with and without the vocabulary (hibari-tts sentences)."""
    from saytype_bench.vocabulary import format_report, run_vocabulary, to_json

    progress = TerminalProgress(stderr)
    try:
        host = ModelHost(resolve_model(args.model, models_dir()))
        progress.status("Reading the sentences with hibari-tts…")
        rows = run_vocabulary(host)
    except (ModelError, ImportError) as exc:
        progress.clear()
        stderr.write(f"bench: error: {exc}\n")
        return 1
    progress.clear()
    stdout.write((json.dumps(to_json(rows)) if args.json else format_report(rows)) + "\n")
    return 0


def _run_files(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Long-file memory, batched vs sequential speed, and dictation latency while busy."""
    from app.benchmarks.speech_clips import load_clips
    from saytype_bench.files import format_report, run_files_benchmark, to_json

    minutes = 120.0 if args.minutes is None else args.minutes
    if minutes <= 0 or args.clip_minutes <= 0 or args.latency_dictations < 1:
        stderr.write("bench: error: --minutes, --clip-minutes, --latency-dictations must be > 0.\n")
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
        stderr.write(f"bench: error: {exc}\n")
        return 1
    progress.clear()
    stdout.write((json.dumps(to_json(result)) if args.json else format_report(result)) + "\n")
    return 0
