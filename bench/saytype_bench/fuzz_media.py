"""Fuzz the file path: mutated real media must decode, or fail with one clear sentence.

Each case is a :class:`~saytype_bench.fuzz_mutations.Recipe` (a seed file and
the edits made to it). A worker process rebuilds the file and runs what the app
runs on a dropped or named file: the queue's duration probe, then the chunked
decode and truncation check that ``saytype transcribe`` feeds the model with.
The outcome is *decoded* (the audio is then checked: float32, finite, in
[-1, 1], of a plausible length for the file's size), *rejected* (an
``AudioFileError`` whose message is one clear sentence) or a *finding*: any
other exception, an unclear message, bad audio, a hang past the per-case cap,
or the worker dying (a crash inside FFmpeg). The worker is a separate process
so that a crash or a hang costs one case, not the run; it is restarted after
either. A sample of cases also goes through the real ``saytype transcribe``
end to end (:mod:`app.benchmarks.fuzz_transcribe`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import re
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from saytype_bench.fuzz_mutations import Recipe, apply_recipe, random_recipe

DEFAULT_CASE_TIMEOUT_S = 20.0  # a 1.5 s clip decodes in milliseconds; this means "hung"
WORKER_MEMORY_LIMIT = 3 << 30  # address space: a runaway allocation fails instead of swapping
MEMORY_FINDING_MB = 1024  # decoding a small file never needs this much resident memory
_MIN_BYTES_PER_SECOND = 20  # more audio per byte than any usual codec stores: a runaway decode
_PLAUSIBLE_FLOOR_S = 30.0
_EXAMPLES_PER_OUTCOME = 8
_UNCLEAR = re.compile(r"Traceback|object at 0x|<[a-z_.]+\.[A-Za-z]+|Errno|\\x[0-9a-f]{2}")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Finding:
    """A case the app did not handle well, with the recipe to rebuild its file."""

    index: int
    recipe: str
    problem: str


@dataclass
class FuzzReport:
    """Outcome counts of a run, and every finding."""

    seed: int
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    elapsed_s: float = 0.0
    slowest_s: float = 0.0
    slowest_recipe: str = ""
    worker_restarts: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)  # outcome → a few recipes

    @property
    def cases_per_s(self) -> float:
        """Throughput of the decode stage."""
        return self.cases / self.elapsed_s if self.elapsed_s > 0 else 0.0


def message_problem(message: str) -> str | None:
    """Why ``message`` is not one clear sentence for a user, or None when it is."""
    if not message.strip():
        return "empty message"
    if "\n" in message:
        return "message spans several lines"
    if not message.rstrip().endswith("."):
        return "message is not a finished sentence"
    if len(message) > 400:
        return "message is too long"
    if _UNCLEAR.search(message):
        return "message shows internals (repr, errno or traceback)"
    return None


def check_file(path: Path) -> tuple[str, str]:
    """Run the app's probe and decode on ``path``: ``("decoded"|"rejected"|"finding", detail)``."""
    import numpy as np

    from app.core.audio.file_decoder import AudioFileError, AudioFileReader, probe_duration

    try:
        probe_duration(path)
    except AudioFileError as exc:
        if problem := message_problem(str(exc)):
            return "finding", f"probe: {problem}: {exc}"
    except Exception as exc:
        return "finding", f"probe raised {_describe(exc)}"
    reader = AudioFileReader(path, chunk_seconds=30.0)
    try:
        for chunk in reader.chunks():
            if chunk.dtype != np.float32 or chunk.ndim != 1:
                return "finding", f"decode gave {chunk.dtype} of shape {chunk.shape}"
            if not np.isfinite(chunk).all():
                return "finding", "decode gave NaN or infinite samples"
            if len(chunk) and float(np.abs(chunk).max()) > 1.0:
                return "finding", "decode gave samples outside [-1, 1]"
        reader.check_complete()
    except AudioFileError as exc:
        if problem := message_problem(str(exc)):
            return "finding", f"decode: {problem}: {exc}"
        return "rejected", _kind_of_rejection(str(exc))
    except Exception as exc:
        return "finding", f"decode raised {_describe(exc)}"
    plausible = max(_PLAUSIBLE_FLOOR_S, path.stat().st_size / _MIN_BYTES_PER_SECOND)
    if reader.decoded_seconds > plausible:
        return "finding", f"{reader.decoded_seconds:.0f} s of audio from {path.stat().st_size} B"
    return "decoded", ""


def _describe(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-3:]
    frames = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(where))
    return f"{type(exc).__name__}: {exc} ({frames})"


def _kind_of_rejection(message: str) -> str:
    """The message without the path and numbers: groups rejections in the report."""
    reason = message.split(": ", 1)[-1]
    return re.sub(r"\d+(\.\d+)?", "N", reason)


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM).

    Not ``ru_maxrss``: Linux keeps that across exec, so a worker spawned by a
    big parent (a long pytest run) would start above the finding threshold.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_main(conn: Connection, seeds_dir: str, memory_limit: int) -> None:
    """Loop: receive a recipe, rebuild its file, check it, answer (outcome, detail, seconds).

    A case that made the process's peak memory pass :data:`MEMORY_FINDING_MB` is a finding.
    """
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    seeds = {p.name: p.read_bytes() for p in Path(seeds_dir).iterdir()}
    work = Path(seeds_dir).parent / f"case-{os.getpid()}"  # removed with the seeds' folder
    work.mkdir(exist_ok=True)
    while True:
        try:
            recipe = conn.recv()
        except EOFError:
            return
        if recipe is None:
            return
        started = time.perf_counter()
        case = work / f"case{recipe.suffix}"
        case.write_bytes(apply_recipe(recipe, seeds))
        outcome, detail = check_file(case)
        peak_mb = _peak_rss_mb()
        if peak_mb > MEMORY_FINDING_MB:  # the peak never falls: blame this case, then exit
            outcome, detail = "finding", f"peak memory {peak_mb:.0f} MB ({detail or outcome})"
        conn.send((outcome, detail, time.perf_counter() - started))
        if peak_mb > MEMORY_FINDING_MB:
            return


class CaseWorker:
    """One worker process and its pipe; the caller starts a new one when it dies or hangs."""

    def __init__(self, seeds_dir: Path, memory_limit: int) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited threads or FFmpeg state
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, str(seeds_dir), memory_limit), daemon=True
        )
        self.process.start()
        child.close()

    def check(self, recipe: Recipe, timeout_s: float) -> tuple[str, str, float]:
        """The worker's answer, or a finding when it died or did not answer in time."""
        started = time.perf_counter()
        try:
            self.conn.send(recipe)
            if self.conn.poll(timeout_s):
                answer: tuple[str, str, float] = self.conn.recv()
                return answer
        except (EOFError, OSError):
            self.process.join(5)
            code = self.process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            return "finding", f"the decoder process died ({how})", time.perf_counter() - started
        self.process.kill()  # a hung decoder will not read a polite request to stop
        self.stop()
        return "finding", f"hang: no answer within {timeout_s:.0f} s", time.perf_counter() - started

    @property
    def alive(self) -> bool:
        """Whether the process still runs (it is stopped after a hang)."""
        return self.process.is_alive()

    def stop(self) -> None:
        """Ask the process to end; kill it if it does not."""
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


def case_recipe(seed: int, index: int, seed_names: list[str]) -> Recipe:
    """Case ``index`` of run ``seed``: the same recipe on every machine and every run."""
    return random_recipe(random.Random(f"saytype-fuzz:{seed}:{index}"), seed_names)


def write_seeds(folder: Path) -> dict[str, bytes]:
    """Make the seed files and write them to ``folder`` (for the worker); returns them."""
    from saytype_bench.fuzz_seeds import make_seeds

    seeds = make_seeds()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / name).write_bytes(data)
    return seeds


def run_fuzz(
    cases: int,
    *,
    seed: int = 0,
    recipes: list[Recipe] | None = None,
    case_timeout_s: float = DEFAULT_CASE_TIMEOUT_S,
    deadline_s: float | None = None,
    memory_limit: int = WORKER_MEMORY_LIMIT,
    progress: Progress | None = None,
) -> FuzzReport:
    """Check ``cases`` mutated files (or the given ``recipes``) in a worker process.

    ``deadline_s`` stops the run early (the report says how many cases ran).
    """
    report = FuzzReport(seed=seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="saytype-fuzz-") as tmp:
        seeds_dir = Path(tmp) / "seeds"
        names = sorted(write_seeds(seeds_dir))
        if recipes is None:
            recipes = [case_recipe(seed, index, names) for index in range(cases)]
        worker = CaseWorker(seeds_dir, memory_limit)
        try:
            for index, recipe in enumerate(recipes):
                if deadline_s is not None and time.perf_counter() - started > deadline_s:
                    break
                if not worker.alive:
                    worker.stop()
                    worker = CaseWorker(seeds_dir, memory_limit)
                    report.worker_restarts += 1
                _record(report, index, recipe, worker.check(recipe, case_timeout_s))
                if progress is not None:
                    progress(report.cases, len(recipes))
        finally:
            worker.stop()
    report.elapsed_s = time.perf_counter() - started
    return report


def _record(report: FuzzReport, index: int, recipe: Recipe, answer: tuple[str, str, float]) -> None:
    outcome, detail, seconds = answer
    report.cases += 1
    label = outcome if outcome != "rejected" else f"rejected: {detail}"
    report.outcomes[label] += 1
    if outcome == "finding":
        report.findings.append(Finding(index, recipe.describe(), detail))
    examples = report.examples.setdefault(label, [])
    if len(examples) < _EXAMPLES_PER_OUTCOME:
        examples.append(recipe.describe())
    if seconds > report.slowest_s:
        report.slowest_s, report.slowest_recipe = seconds, recipe.describe()


def format_report(report: FuzzReport) -> str:
    """The figures as text, every finding with the recipe that rebuilds its file."""
    lines = [
        f"Fuzzed media files: {report.cases} cases (seed {report.seed}) in "
        f"{report.elapsed_s:.1f} s, {report.cases_per_s:.1f} cases/s; slowest case "
        f"{report.slowest_s:.2f} s ({report.slowest_recipe}); worker restarts: "
        f"{report.worker_restarts}",
        f"  decoded: {report.outcomes['decoded']}   rejected with a clear message: "
        f"{sum(n for k, n in report.outcomes.items() if k.startswith('rejected'))}   "
        f"findings: {len(report.findings)}",
    ]
    rejections = [(k, n) for k, n in report.outcomes.items() if k.startswith("rejected: ")]
    for kind, count in sorted(rejections, key=lambda item: -item[1]):
        lines.append(f"    {count:6d}  {kind.removeprefix('rejected: ')}")
    for finding in report.findings:
        lines.append(f"  FINDING case {finding.index}: {finding.problem}")
        lines.append(f"    recipe: {finding.recipe}")
    return "\n".join(lines)


def to_json(report: FuzzReport) -> dict[str, Any]:
    """The report as one JSON-ready object."""
    return {
        "benchmark": "fuzz",
        "seed": report.seed,
        "cases": report.cases,
        "elapsed_s": round(report.elapsed_s, 2),
        "cases_per_s": round(report.cases_per_s, 1),
        "slowest_s": round(report.slowest_s, 3),
        "worker_restarts": report.worker_restarts,
        "outcomes": dict(report.outcomes),
        "findings": [vars(finding) for finding in report.findings],
    }
