"""``saytype listen --input FILE --push-to-talk --jsonl``: the command's output contract.

A real ``saytype`` process hears hibari-tts speech through the live pipeline
(FileSource, ring buffer, VAD, passes, commits) and must print one JSON object
per line, ending with the one ``final``, whose words are the ones said. Inputs
that are not audio are refused in one sentence, before the model loads.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli import build_parser
from app.commands.ctrl_c import FINISHING
from app.core.audio.file_decoder import decode_file
from app.core.audio.recording_journal import journals_dir
from app.core.audio.wav_file import write_wav
from saytype_bench.accuracy import word_error_rate
from tests.support.listen_process import interrupt_once_words_show
from tests.support.media import encode_audio, truncated_copy
from tests.support.speech import SpeechMaker

SENTENCES = [
    "The train to the airport leaves every twenty minutes.",
    "Remember to water the plants while I am away.",
]
SPEED = 4.0
BLOCK_S = 512 / 16000  # the microphone-sized block FileSource writes


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory, speech: SpeechMaker) -> Path:
    return speech.wav(SENTENCES, tmp_path_factory.mktemp("listen") / "two.wav", pause_s=0.8)


def _listen(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "listen", "--input", str(path), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )


@pytest.mark.model
def test_push_to_talk_jsonl_streams_events_and_ends_with_the_final(spoken: Path) -> None:
    run = _listen(spoken, "--push-to-talk", "--jsonl", "--speed", str(SPEED))
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    duration = decode_file(spoken).duration

    assert all(set(event) == {"type", "text", "audio_t", "wall_t"} for event in events)
    release = next(event for event in events if event["type"] == "release")
    events.remove(release)
    kinds = [event["type"] for event in events]
    assert set(kinds) <= {"partial", "commit", "final"}
    assert kinds.count("final") == 1
    assert kinds[-1] == "final"
    # The release is the moment the last sample was fed; the final comes after it.
    assert release["audio_t"] == pytest.approx(duration, abs=BLOCK_S)
    assert release["wall_t"] <= events[-1]["wall_t"]
    assert "partial" in kinds
    assert "commit" in kinds
    audio_times = [event["audio_t"] for event in events]
    wall_times = [event["wall_t"] for event in events]
    assert audio_times == sorted(audio_times)
    assert wall_times == sorted(wall_times)
    final = events[-1]
    # The key is released when the file ends: all of it was fed, at SPEED times real time.
    assert final["audio_t"] == pytest.approx(duration, abs=BLOCK_S)
    assert final["wall_t"] >= (duration - BLOCK_S) / SPEED
    assert word_error_rate([" ".join(SENTENCES)], [final["text"]]) <= 0.1, final["text"]


@pytest.mark.model
def test_ctrl_c_ends_the_input_and_the_final_has_the_words_so_far(spoken: Path) -> None:
    listen = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--input", str(spoken), "--jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        events, err = interrupt_once_words_show(listen)
    finally:
        if listen.poll() is None:
            listen.kill()
            listen.wait()
    assert listen.returncode == 0, err
    assert f"saytype: {FINISHING}" in err  # a long file's final can take a while
    assert [e["type"] for e in events].count("final") == 1
    final = events[-1]
    assert final["type"] == "final"
    assert final["audio_t"] < decode_file(spoken).duration - 1.0  # ended early, as asked
    heard = final["text"].split()
    assert len(heard) >= 3
    said = " ".join(SENTENCES).split()[: len(heard)]
    assert word_error_rate([" ".join(said)], [" ".join(heard)]) <= 0.25, final["text"]


@pytest.mark.model
def test_noise_gives_an_empty_final_and_no_words(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).normal(0.0, 0.2, 4 * 16000).astype(np.float32)
    path = tmp_path / "noise.wav"
    write_wav(path, noise, 16000)
    run = _listen(path, "--push-to-talk", "--jsonl", "--speed", "0")
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert [event["type"] for event in events] == ["release", "final"]
    assert events[-1]["text"] == ""


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.wav").write_text("these are meeting notes, not audio\n")
    (tmp_path / "folder").mkdir()
    write_wav(tmp_path / "no-samples.wav", np.zeros(0, np.float32), 16000)
    return {
        "missing": (tmp_path / "missing.wav", "no such file"),
        "empty": (tmp_path / "empty.wav", "empty"),
        "text": (tmp_path / "notes.wav", "not an audio or video file"),
        "folder": (tmp_path / "folder", "folder"),
        "header only": (tmp_path / "no-samples.wav", "no decodable audio"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "text", "folder", "header only"])
def test_a_file_that_is_not_audio_is_refused_before_the_model_loads(
    tmp_path: Path, case: str
) -> None:
    path, reason = _bad_inputs(tmp_path)[case]
    # An unknown model fails only when it loads: the input's message proves it never did.
    args = build_parser().parse_args(
        ["listen", "--input", str(path), "--push-to-talk", "--jsonl", "--model", "no-such-model"]
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    assert args.run(args, stdout, stderr) == 1
    (line,) = stderr.getvalue().splitlines()
    assert line.startswith(f"saytype: error: {path}: ")
    assert reason in line
    # A reader of the lines learns why none will come, and gets no empty "final" it
    # could take for silence.
    (record,) = [json.loads(text) for text in stdout.getvalue().splitlines()]
    assert record["type"] == "error"
    assert reason in record["text"]


def test_a_model_that_cannot_load_is_said_on_stdout_too(spoken: Path) -> None:
    args = build_parser().parse_args(
        ["listen", "--input", str(spoken), "--push-to-talk", "--jsonl", "--model", "no-such-model"]
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    assert args.run(args, stdout, stderr) == 1
    assert "Unknown model 'no-such-model'" in stderr.getvalue()
    (record,) = [json.loads(text) for text in stdout.getvalue().splitlines()]
    assert record["type"] == "error"
    assert "Unknown model 'no-such-model'" in record["text"]


def test_without_jsonl_a_failure_prints_nothing_on_stdout(spoken: Path) -> None:
    args = build_parser().parse_args(
        ["listen", "--input", str(spoken), "--push-to-talk", "--model", "no-such-model"]
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    assert args.run(args, stdout, stderr) == 1
    assert stdout.getvalue() == ""  # plain output is the text alone
    assert "Unknown model" in stderr.getvalue()


@pytest.mark.model
def test_a_reader_that_leaves_early_ends_listen_quietly_without_a_journal(
    spoken: Path, tmp_path: Path
) -> None:
    # `saytype listen --jsonl | head -1`: the pipe closes while events are still coming.
    with (tmp_path / "stderr.txt").open("w") as err:
        listen = subprocess.Popen(
            [sys.executable, "-m", "app", "listen", "--input", str(spoken), "--jsonl"],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "error"},
        )
        try:
            assert listen.stdout is not None
            first = json.loads(listen.stdout.readline())
            listen.stdout.close()
            status = listen.wait(timeout=300)
        finally:
            if listen.poll() is None:
                listen.kill()
                listen.wait()
    assert first["type"] != "final"  # more events follow, so a write meets the closed pipe
    assert (status, (tmp_path / "stderr.txt").read_text()) == (0, "")
    assert journals_dir().is_dir()  # it was written…
    assert list(journals_dir().iterdir()) == []  # …and deleted: a closed pipe is not a crash


@pytest.mark.model
def test_a_short_command_after_a_long_wait_is_said_once(
    tmp_path: Path, speech: SpeechMaker
) -> None:
    # Held 2.6 s before speaking, then "git status": beam search heard the two words
    # twice ("Get status. Get status."), within the word-count guard's slack, and the
    # doubled command reached a terminal.
    silence = np.zeros(int(2.6 * 16_000), np.float32)
    path = tmp_path / "late.wav"
    write_wav(path, np.concatenate([silence, speech.samples("git status", pause_s=1.4)]), 16_000)
    args = build_parser().parse_args(
        ["listen", "--input", str(path), "--push-to-talk", "--jsonl", "--speed", "0"]
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    assert args.run(args, stdout, stderr) == 0, stderr.getvalue()
    final = json.loads(stdout.getvalue().splitlines()[-1])
    assert final["type"] == "final"
    assert word_error_rate(["git status"], [final["text"]]) <= 0.5, final["text"]


@pytest.mark.model
def test_a_truncated_file_is_dictated_as_far_as_it_goes_with_a_warning(
    spoken: Path, tmp_path: Path
) -> None:
    # `transcribe` took a cut mp3 with a warning; `listen` printed the final, then failed.
    cut = truncated_copy(
        encode_audio(spoken, tmp_path / "two.mp3", "libmp3lame"), tmp_path / "cut.mp3"
    )
    done = _listen(cut, "--jsonl", "--speed", "0")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"saytype: warning: {cut} is truncated")
    assert done.stderr.splitlines()[-1].endswith("; dictated what is there.")
    final = json.loads(done.stdout.splitlines()[-1])
    assert final["type"] == "final"
    assert "airport" in final["text"]


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (("--input", "x.wav", "--device", "3"), "--device chooses the microphone"),
        (("--speed", "2"), "--speed feeds --input"),
    ],
)
def test_an_option_of_the_other_source_is_refused(extra: tuple[str, ...], said: str) -> None:
    # A scripter's --device with --input, and --speed with the microphone, did nothing, silently.
    done = subprocess.run(
        [sys.executable, "-m", "app", "listen", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"saytype listen: error: {said}")
    assert done.stdout == ""
