"""``python bench/fuzz.py``: the decode fuzz, then a sample through the real ``saytype transcribe``.

Running the model on every fuzzed file would take hours, and the model never
sees a file the decoder rejected, so the decode stage takes all the cases
(:mod:`saytype_bench.fuzz_media`) and a sample of them, drawn from every kind
of outcome, goes through the command end to end: one ``saytype transcribe``
process for the whole sample, as a user naming many files would run it. Every
file must come out as a transcript or as one clear ``saytype: error:`` line,
the exit status must be 0 or 1, and nothing may look like a traceback.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from saytype_bench.fuzz_media import (
    Finding,
    FuzzReport,
    format_report,
    message_problem,
    run_fuzz,
    to_json,
)
from saytype_bench.fuzz_mutations import Recipe, apply_recipe, parse_recipe

_DECODED = "decoded"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python bench/fuzz.py`` (``--seed`` and ``--model`` are shared)."""
    group = parser.add_argument_group("fuzz", "Mutated media files through the decoder and CLI.")
    group.add_argument(
        "--cases", type=int, default=10_000, metavar="N", help="fuzz cases (default 10000)"
    )
    group.add_argument(
        "--transcribe-sample",
        type=int,
        default=60,
        metavar="N",
        help="cases also run through `saytype transcribe` (default 60)",
    )
    group.add_argument(
        "--replay", metavar="RECIPE", help="check one recipe printed by an earlier run"
    )


def run_bench(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run the fuzz as ``args`` say; print the report. 0 when it ran (findings or not)."""
    if args.cases < 1 or args.transcribe_sample < 0:
        stderr.write("bench: error: --cases must be 1 or more, --transcribe-sample 0+.\n")
        return 2
    try:
        recipes = [parse_recipe(args.replay)] if args.replay else None
    except ValueError as exc:
        stderr.write(f"bench: error: not a fuzz recipe: {exc}.\n")
        return 2

    def show(done: int, total: int) -> None:
        if stderr.isatty() and (done % 100 == 0 or done == total):
            stderr.write(f"\r{done}/{total} cases")
            stderr.flush()

    report = run_fuzz(args.cases, seed=args.seed, recipes=recipes, progress=show)
    if stderr.isatty():
        stderr.write("\n")
    if recipes is None:
        recipes = [parse_recipe(text) for text in pick_sample(report, args.transcribe_sample)]
    sample = recipes
    with tempfile.TemporaryDirectory(prefix="saytype-fuzz-cli-") as folder:
        cli_findings = run_transcribe_sample(sample, Path(folder), model=args.model)
    if args.json:
        payload = to_json(report) | {
            "transcribe_sample": len(sample),
            "transcribe_findings": [vars(finding) for finding in cli_findings],
        }
        stdout.write(json.dumps(payload) + "\n")
    else:
        stdout.write(format_report(report) + "\n")
        stdout.write(f"saytype transcribe on {len(sample)} of these files: ")
        stdout.write(f"{len(cli_findings)} findings\n")
        for finding in cli_findings:
            stdout.write(f"  FINDING {finding.problem}\n    recipe: {finding.recipe}\n")
    return 0


def pick_sample(report: FuzzReport, count: int) -> list[str]:
    """Up to ``count`` recipes, taken in turn from every outcome (a quarter at most decoded,
    since those are the ones the model has to transcribe)."""
    pools = {label: list(recipes) for label, recipes in sorted(report.examples.items())}
    if _DECODED in pools:
        del pools[_DECODED][max(1, count // 4) :]
    picked: list[str] = []
    while len(picked) < count and any(pools.values()):
        for pool in pools.values():
            if pool and len(picked) < count:
                picked.append(pool.pop(0))
    return picked


def run_transcribe_sample(
    recipes: list[Recipe], folder: Path, *, model: str = "tiny.en", timeout_s: float = 900.0
) -> list[Finding]:
    """Run the real ``saytype transcribe`` on these recipes' files in one process."""
    from saytype_bench.fuzz_seeds import make_seeds

    if not recipes:
        return []
    seeds = make_seeds()
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for index, recipe in enumerate(recipes):
        path = folder / f"case-{index:05d}{recipe.suffix}"
        path.write_bytes(apply_recipe(recipe, seeds))
        files[str(path)] = recipe.describe()
    command = [sys.executable, "-m", "app", "transcribe", "--format", "json"]
    command += ["--model", model, "--beam-size", "1", *files]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return [Finding(-1, "(the whole sample)", f"saytype transcribe hung past {timeout_s} s")]
    return judge_transcribe(done.returncode, done.stdout, done.stderr, files)


def judge_transcribe(
    returncode: int, stdout: str, stderr: str, files: dict[str, str]
) -> list[Finding]:
    """Findings in one ``saytype transcribe --format json`` run over ``files`` (path → recipe)."""
    findings: list[Finding] = []

    def whole(problem: str) -> None:
        findings.append(Finding(-1, "(the whole sample)", problem))

    if returncode not in (0, 1):
        whole(f"exit status {returncode}: {stderr[-400:]}")
    if "Traceback" in stderr:
        whole(f"traceback on stderr: {stderr[-800:]}")
    answered: set[str] = set()
    for line in stdout.splitlines():
        try:
            answered.add(str(json.loads(line)["file"]))
        except (ValueError, KeyError, TypeError):
            whole(f"stdout line is not a transcript: {line[:300]}")
    for line in stderr.splitlines():
        if any(line.startswith(f"saytype: warning: {p} ") for p in files):
            continue  # a file cut short, transcribed as far as it goes: its transcript follows
        path = next((p for p in files if line.startswith(f"saytype: error: {p}: ")), None)
        if path is None:
            if "Traceback" not in stderr:
                whole(f"stray stderr line: {line[:300]}")
            continue
        answered.add(path)
        if problem := message_problem(line.removeprefix("saytype: error: ")):
            findings.append(Finding(-1, files[path], f"{problem}: {line}"))
    for path, recipe in files.items():
        if path not in answered:
            findings.append(Finding(-1, recipe, "neither a transcript nor an error"))
    return findings
