"""``saytype bench`` keeps what runs on a user's machine; the developer benchmarks moved to bench/.

A developer benchmark named to ``saytype bench`` answers with one line saying where
it went; a kept benchmark that lacks an optional package names the package.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.benchmarks import speech_clips
from app.benchmarks.speech_corpus import CorpusMissingError
from app.cli import build_parser, main
from app.commands import bench
from saytype_bench import command

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_bench_without_a_name_lists_only_the_kept_benchmarks() -> None:
    out = io.StringIO()
    assert bench.run(build_parser().parse_args(["bench"]), stdout=out) == 0
    lines = out.getvalue().splitlines()
    listed = [line.split()[0] for line in lines if line.startswith("  ")]
    assert listed == list(bench.BENCHMARKS)
    assert not set(listed) & set(bench.DEVELOPER_BENCHMARKS)
    assert "python bench/NAME.py" in lines[-1]


@pytest.mark.parametrize("argv", [["live"], ["live", "--buckets", "3,10"], ["soak", "--n", "5"]])
def test_a_developer_benchmark_says_where_it_went(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", *argv])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert f"python bench/{argv[0]}.py" in line
    assert "developer benchmark" in line


def test_every_developer_benchmark_has_its_script() -> None:
    assert set(command.BENCHMARKS) == set(bench.DEVELOPER_BENCHMARKS)
    for name in bench.DEVELOPER_BENCHMARKS:
        script = (REPO_ROOT / "bench" / f"{name}.py").read_text(encoding="utf-8")
        assert f'main("{name}")' in script


def test_a_script_runs_from_the_checkout_with_its_own_options() -> None:
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}  # this checkout's app, not another
    done = subprocess.run(
        [sys.executable, "bench/live.py", "--help"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: python bench/live.py" in done.stdout
    assert "--buckets" in done.stdout
    assert "--json" in done.stdout
    assert "--runs" not in done.stdout  # startup's: still `saytype bench startup`


@pytest.mark.parametrize(
    ("argv", "final_beam", "pass_beam", "careful_window"),
    [
        ([], None, None, None),
        (["--final-beam", "2"], 2, None, None),
        (["--pass-beam", "3"], None, 3, None),
        (["--careful-window", "20"], None, None, 20.0),
    ],
)
def test_the_live_tuning_under_measurement_reaches_the_engine(
    argv: list[str], final_beam: int | None, pass_beam: int | None, careful_window: float | None
) -> None:
    from app.core.engine.streaming_options import StreamingOptions
    from saytype_bench.live_command import _options

    options = _options(command.build_parser("live").parse_args(argv))
    if not argv:
        assert options is None  # the app's own tuning
        return
    app = StreamingOptions()
    assert options is not None
    assert options.final_beam_size == (final_beam or app.final_beam_size)
    assert options.pass_beam_size == (pass_beam or app.pass_beam_size)
    expected_window = app.careful_window_s if careful_window is None else careful_window
    assert options.careful_window_s == expected_window


def test_memory_without_hibari_tts_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_corpus(_explicit: Path | None = None) -> Path:
        raise CorpusMissingError("no corpus here")

    monkeypatch.setattr(speech_clips, "find_speech_dir", no_corpus)
    monkeypatch.setitem(sys.modules, "hibari", None)  # import hibari: ModuleNotFoundError
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["bench", "memory", "--model", "tiny.en"])
    assert bench.run(args, stdout=out, stderr=err) == 1
    (line,) = err.getvalue().splitlines()
    assert "pip install hibari-tts" in line
    assert "--speech-dir" in line
    assert out.getvalue() == ""


def test_an_unknown_missing_module_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> int:
        raise ModuleNotFoundError("No module named 'numpy'", name="numpy")

    monkeypatch.setattr(bench, "_run_startup", broken)
    args = build_parser().parse_args(["bench", "startup"])
    with pytest.raises(ModuleNotFoundError):
        bench.run(args, stdout=io.StringIO(), stderr=io.StringIO())


def test_a_missing_optional_package_is_named_for_any_kept_benchmark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def needs_hibari(*_args: object) -> int:
        raise ModuleNotFoundError("No module named 'hibari'", name="hibari")

    monkeypatch.setattr(bench, "_run_startup", needs_hibari)
    err = io.StringIO()
    args = build_parser().parse_args(["bench", "startup"])
    assert bench.run(args, stdout=io.StringIO(), stderr=err) == 1
    assert (
        err.getvalue() == "saytype bench: error: this benchmark needs hibari-tts: "
        "pip install hibari-tts\n"
    )
