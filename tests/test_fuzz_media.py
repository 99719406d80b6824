"""Fuzzed media files: every mutated real file decodes, or fails with one clear sentence.

The harness (bench/saytype_bench/fuzz_media.py) rebuilds each case from a recipe in a
worker process, so a crash or a hang inside FFmpeg is reported, not fatal. The
500 seeded cases and the hypothesis cases are deterministic; a failure prints
the recipe that rebuilds the file (``python bench/fuzz.py --replay RECIPE``).
"""

from __future__ import annotations

import json
import os
import signal
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.audio.file_decoder import AudioFileError, decode_file, probe_duration
from saytype_bench.fuzz_bench import pick_sample, run_transcribe_sample
from saytype_bench.fuzz_media import (
    WORKER_MEMORY_LIMIT,
    CaseWorker,
    FuzzReport,
    format_report,
    message_problem,
    run_fuzz,
    write_seeds,
)
from saytype_bench.fuzz_mutations import (
    KIND_WEIGHTS,
    Mutation,
    Recipe,
    parse_recipe,
)
from tests.support.media import encode_audio

CI_CASES = 500
CI_SEED = 2026
CASE_TIMEOUT_S = 30.0  # a hang detector: healthy cases take milliseconds


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-seeds")
    write_seeds(folder)
    return folder


@pytest.fixture(scope="module")
def ci_report() -> FuzzReport:
    return run_fuzz(CI_CASES, seed=CI_SEED, case_timeout_s=CASE_TIMEOUT_S, deadline_s=900)


def test_500_fuzzed_files_decode_or_fail_with_one_clear_sentence(ci_report: FuzzReport) -> None:
    report = format_report(ci_report)
    assert ci_report.cases == CI_CASES, report
    assert ci_report.findings == [], report
    # The mutations reach both sides: files that still decode and many ways of failing.
    rejections = [kind for kind in ci_report.outcomes if kind.startswith("rejected: ")]
    assert ci_report.outcomes["decoded"] >= 50, report
    assert len(rejections) >= 8, report


class _Workers:
    """A worker that is replaced when a case killed it, so one crash fails one example."""

    def __init__(self, seeds_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self.worker = CaseWorker(seeds_dir, WORKER_MEMORY_LIMIT)

    def check(self, recipe: Recipe) -> tuple[str, str]:
        if not self.worker.alive:
            self.worker.stop()
            self.worker = CaseWorker(self.seeds_dir, WORKER_MEMORY_LIMIT)
        outcome, detail, _seconds = self.worker.check(recipe, CASE_TIMEOUT_S)
        return outcome, detail


@pytest.fixture(scope="module")
def workers(seeds_dir: Path) -> Iterator[_Workers]:
    pool = _Workers(seeds_dir)
    yield pool
    pool.worker.stop()


def _mutations() -> st.SearchStrategy[Mutation]:
    return st.builds(
        Mutation,
        kind=st.sampled_from(sorted(KIND_WEIGHTS)),
        at=st.integers(0, 10_000).map(lambda n: n / 10_000),  # what describe() keeps
        size=st.integers(0, 5_000),
        value=st.integers(0, (1 << 30) - 1),
    )


@settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_hypothesis_mutations_decode_or_fail_clearly(
    workers: _Workers, seeds_dir: Path, data: st.DataObject
) -> None:
    names = sorted(path.name for path in seeds_dir.iterdir())
    recipe = data.draw(
        st.builds(
            Recipe,
            seed_name=st.sampled_from(names),
            mutations=st.lists(_mutations(), max_size=4).map(tuple),
        )
    )
    assert parse_recipe(recipe.describe()) == recipe  # what a finding prints rebuilds the file
    outcome, detail = workers.check(recipe)
    assert outcome != "finding", f"{detail}\nrecipe: {recipe.describe()}"


def test_a_worker_killed_mid_case_is_reported_as_a_crash(seeds_dir: Path) -> None:
    worker = CaseWorker(seeds_dir, WORKER_MEMORY_LIMIT)
    os.kill(worker.process.pid, signal.SIGSEGV)  # what a crash inside FFmpeg looks like
    outcome, detail, _ = worker.check(Recipe("speech.flac"), CASE_TIMEOUT_S)
    worker.stop()
    assert outcome == "finding"
    assert "died (signal 11)" in detail


def test_a_worker_that_stops_answering_is_reported_as_a_hang(seeds_dir: Path) -> None:
    worker = CaseWorker(seeds_dir, WORKER_MEMORY_LIMIT)
    os.kill(worker.process.pid, signal.SIGSTOP)  # never answers, like a decoder stuck in a loop
    outcome, detail, _ = worker.check(Recipe("speech.flac"), timeout_s=1.0)
    assert outcome == "finding"
    assert detail.startswith("hang")
    assert not worker.alive  # killed, so the next case gets a fresh worker


@pytest.mark.parametrize(
    "message",
    [
        "",
        "x.wav: decoding failed\nTraceback (most recent call last):",
        "x.wav: cannot open <av.InputContainer 'x.wav' at 0x7f>.",
        "x.wav: [Errno 1094995529] Invalid data found when processing input.",
        "x.wav: the file is truncated",
    ],
)
def test_unclear_messages_are_findings(message: str) -> None:
    assert message_problem(message) is not None


def test_the_apps_own_sentences_are_clear() -> None:
    assert message_problem("/a b/x.wav: the file is empty (0 bytes).") is None


_WAV_RATE, _WAV_CHANNELS = (24, "<I"), (22, "<H")  # offsets in a canonical 44-byte header


def _wav_with(seeds_dir: Path, tmp_path: Path, field: tuple[int, str], value: int) -> Path:
    data = bytearray((seeds_dir / "pcm16-16k-mono.wav").read_bytes())
    offset, layout = field
    struct.pack_into(layout, data, offset, value)
    target = tmp_path / f"field-{offset}-{value}.wav"
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (1, "claims a sample rate of 1 Hz"),
        (7, "claims a sample rate of 7 Hz"),
        (0x7FFFFFFF, "claims a sample rate of 2147483647 Hz"),
        (0, "not an audio or video file"),  # FFmpeg itself refuses these two
        (0xFFFFFFFF, "not an audio or video file"),
    ],
)
def test_an_absurd_sample_rate_is_refused_before_decoding(
    seeds_dir: Path, tmp_path: Path, rate: int, expected: str
) -> None:
    # Before: 7 Hz decoded 48 KB into an hour of noise; 2^31 - 1 Hz raised MemoryError.
    path = _wav_with(seeds_dir, tmp_path, _WAV_RATE, rate)
    with pytest.raises(AudioFileError, match=expected) as caught:
        decode_file(path)
    assert message_problem(str(caught.value)) is None


@pytest.mark.parametrize("channels", [0, 0xFFFF])
def test_an_absurd_channel_count_fails_clearly(
    seeds_dir: Path, tmp_path: Path, channels: int
) -> None:
    path = _wav_with(seeds_dir, tmp_path, _WAV_CHANNELS, channels)
    with pytest.raises(AudioFileError) as caught:
        decode_file(path)
    assert message_problem(str(caught.value)) is None


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("no-audio-packets.mkv", "ends before any audio"),
        ("video-only.mp4", "has no audio track"),
        ("notes.txt", "looks like text"),
        ("image.png", "not an audio or video file"),
        ("program.elf", "not an audio or video file"),
        ("empty-data.wav", "no decodable audio"),
    ],
)
def test_files_without_audio_say_so(seeds_dir: Path, seed: str, expected: str) -> None:
    with pytest.raises(AudioFileError, match=expected):
        decode_file(seeds_dir / seed)


def test_joined_aac_streams_that_change_rate_and_layout_decode(
    seeds_dir: Path, tmp_path: Path
) -> None:
    # `cat a.aac b.aac`: PyAV's resampler raised ValueError at the second stream's first frame.
    mono = encode_audio(seeds_dir / "pcm16-16k-mono.wav", tmp_path / "mono.aac", "aac")
    stereo = encode_audio(seeds_dir / "float32-48k-stereo.wav", tmp_path / "stereo.aac", "aac")
    joined = tmp_path / "joined.aac"
    joined.write_bytes(mono.read_bytes() + stereo.read_bytes())
    decoded = decode_file(joined)
    assert decoded.duration == pytest.approx(3.0, abs=0.2)


def test_a_named_pipe_fails_at_once_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "stream.wav"
    os.mkfifo(fifo)
    errors: list[str] = []

    def probe() -> None:
        try:
            probe_duration(fifo)
        except AudioFileError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():  # the bug: open() blocks until a writer comes; be that writer
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert errors == [
        f"{fifo}: not a regular file (a pipe, device or socket cannot be transcribed)."
    ]


@pytest.mark.model
def test_saytype_transcribe_handles_a_sample_of_the_fuzzed_files(
    ci_report: FuzzReport, tmp_path: Path
) -> None:
    sample = [parse_recipe(text) for text in pick_sample(ci_report, 20)]
    assert len(sample) == 20
    findings = run_transcribe_sample(sample, tmp_path, timeout_s=300)
    assert findings == [], "\n".join(f"{f.problem}\n  recipe: {f.recipe}" for f in findings)


def test_bench_fuzz_prints_the_count_outcomes_and_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from saytype_bench.command import main

    assert main("fuzz", ["--cases", "40", "--transcribe-sample", "0", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["cases"] == 40
    assert sum(figures["outcomes"].values()) == 40
    assert figures["findings"] == []
    assert figures["cases_per_s"] > 0
