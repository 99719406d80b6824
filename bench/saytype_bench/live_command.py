"""``python bench/live.py``: live dictation against faster-whisper beam 5 after release.

By default each recording is dictated once, the way people dictate (one key
hold per utterance), on the shared speech corpus and on hibari-tts dictation
sentences; ``--buckets`` joins recordings into utterances of given lengths for
long-utterance latency instead.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

from app.commands.progress import TerminalProgress
from app.core.audio.file_decoder import AudioFileError
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.engine.streaming_options import StreamingOptions
from app.core.paths import models_dir


def run_live(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``python bench/live.py``: per-utterance dictation on both corpora, or bucket mode."""
    from app.benchmarks.speech_corpus import CorpusMissingError
    from saytype_bench.live import run_live_benchmark
    from saytype_bench.live_figures import summarise
    from saytype_bench.live_report import format_report

    if args.speed <= 0:
        stderr.write("bench: error: --speed must be more than 0.\n")
        return 2
    if args.schedule is not None and not args.replay:
        stderr.write("bench: error: --schedule needs --replay.\n")
        return 2
    if args.per_utterance and args.buckets is not None:
        stderr.write("bench: error: --per-utterance and --buckets exclude each other.\n")
        return 2
    progress = TerminalProgress(stderr)
    try:
        host = ModelHost(resolve_model(args.model, models_dir()))
        progress.status("Preparing utterances…")
        corpora = _live_corpora(args)
    except (CorpusMissingError, ModelError, AudioFileError, ValueError) as exc:
        progress.clear()
        stderr.write(f"bench: error: {exc}\n")
        return 1
    except ImportError as exc:
        progress.clear()
        stderr.write(f"bench: error: {exc}; install the test extra: pip install '.[test]'\n")
        return 1
    reports: list[dict[str, Any]] = []
    texts: list[str] = []
    for name, source, utterances in corpora:
        try:
            result = run_live_benchmark(
                host,
                utterances,
                speed=args.speed,
                cancels=args.cancels,
                seed=args.seed,
                pause_variant=args.pause_variant,
                progress=progress.status,
                options=_options(args),
                replayed=args.replay,
                schedule=args.schedule,
            )
        except ModelError as exc:
            progress.clear()
            stderr.write(f"bench: error: {exc}\n")
            return 1
        summary = summarise(result)
        reports.append({"corpus": name, "source": source} | summary)
        texts.append(f"== {name} ==\n" + format_report(summary, args.model, source))
    progress.clear()
    if args.json:
        mode = "buckets" if args.buckets is not None else "per-utterance"
        payload: dict[str, Any] = {"benchmark": "live", "mode": mode, "model": args.model}
        if len(reports) == 1:
            payload |= reports[0]
        payload["corpora"] = reports
        stdout.write(json.dumps(payload) + "\n")
    else:
        stdout.write("\n\n".join(texts) + "\n")
    return 0


def _live_corpora(args: argparse.Namespace) -> list[tuple[str, str, list[Any]]]:
    """(name, source, utterances) for each corpus the live benchmark dictates."""
    from app.benchmarks.speech_clips import load_clips
    from saytype_bench.live_utterances import build_utterances, dictation_clips, one_per_clip
    from saytype_bench.recording_conditions import under_condition

    if args.buckets is not None:
        clips, source = load_clips(args.speech_dir)
        return [("buckets", source, build_utterances(clips, args.buckets, args.per_bucket))]
    corpora: list[tuple[str, str, list[Any]]] = []
    if args.corpus in {"both", "speech"}:
        clips, source = load_clips(args.speech_dir)
        corpora.append(("speech", source, one_per_clip(clips)))
    if args.corpus in {"both", "dictation"}:
        source = "hibari-tts reading 64 dictation sentences at 0.9, 1.0 and 1.15x"
        corpora.append(("dictation", source, one_per_clip(dictation_clips())))
    if args.condition != "clean":
        corpora = [
            (
                name,
                f"{source}, recorded {args.condition}",
                [under_condition(utterance, args.condition) for utterance in utterances],
            )
            for name, source, utterances in corpora
        ]
    return corpora


def add_tuning_options(
    group: argparse._ArgumentGroup,
    positive: Callable[[str], int],
    whole: Callable[[str], int],
) -> None:
    """Options that change the live loop's tuning, to measure a lever against the app's."""
    group.add_argument(
        "--final-beam",
        type=positive,
        default=None,
        metavar="N",
        help="beam size of the live final decode, to measure it (default: the app's)",
    )
    group.add_argument(
        "--pass-beam",
        type=positive,
        default=None,
        metavar="N",
        help="beam size of the live passes (partials and commits), to measure it "
        "(default: the app's)",
    )
    group.add_argument(
        "--careful-window",
        type=whole,
        default=None,
        metavar="S",
        help="encoder window floor in seconds of the careful final and blocks, to measure "
        f"it (0: the passes' window; default: the app's, {StreamingOptions().careful_window_s:g})",
    )


def _options(args: argparse.Namespace) -> StreamingOptions | None:
    """The live loop's tuning with the options under measurement, or None for the app's."""
    options = StreamingOptions()
    if args.final_beam is not None:
        options = replace(options, final_beam_size=args.final_beam)
    if args.pass_beam is not None:
        options = replace(options, pass_beam_size=args.pass_beam)
    if args.careful_window is not None:
        options = replace(options, careful_window_s=float(args.careful_window))
    return None if options == StreamingOptions() else options
