"""``saytype`` as a user runs it: a real process, real files, exit codes and stderr."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from app import __version__
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.wav_file import write_wav
from app.core.engine.model_hearing import WELCOME_TEXT
from saytype_bench.accuracy import word_error_rate
from tests.support.media import (
    encode_audio,
    header_only_copy,
    truncated_copy,
    video_with_audio,
    video_without_audio,
)
from tests.support.speech import SpeechMaker

SENTENCE = "Please book a table for four people at seven tonight."
OTHER_SENTENCE = "The museum is closed on Mondays."


def saytype(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process, as from a script: stdin and stderr are not terminals."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )


@pytest.fixture(scope="module")
def media(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli_media")
    wav = speech.wav(SENTENCE, folder / "booking.wav")
    other = speech.wav(OTHER_SENTENCE, folder / "museum.wav")
    mp3 = encode_audio(wav, folder / "booking.mp3", "libmp3lame")
    text_as_wav = folder / "notes.wav"
    text_as_wav.write_text("Meeting notes, not audio.\n" * 20, encoding="utf-8")
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    bad_dir = folder / "a_folder"
    bad_dir.mkdir()
    return {
        "wav": wav,
        "other": other,
        "video": video_with_audio(other, folder / "museum_clip.mp4"),
        "missing": folder / "missing.wav",
        "directory": bad_dir,
        "empty": empty,
        "text_as_wav": text_as_wav,
        "truncated_mp3": truncated_copy(mp3, folder / "cut.mp3"),
        "video_no_audio": video_without_audio(folder / "silent.mp4"),
        "header_only": header_only_copy(wav, folder / "header_only.wav"),
        # 78 samples after the header (a 200-byte file): less than any word.
        "header_and_a_crumb": header_only_copy(wav, folder / "crumb.wav", samples=78),
    }


BAD = [
    "missing",
    "directory",
    "empty",
    "text_as_wav",
    "video_no_audio",
    "header_only",
    "header_and_a_crumb",
]


def test_version_and_help() -> None:
    version = saytype("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"saytype {__version__}"
    helped = saytype("transcribe", "--help")
    assert helped.returncode == 0
    for option in ("--model", "--format", "--language", "--beam-size", "-o"):
        assert option in helped.stdout


def test_top_level_help_says_how_to_open_the_window_and_queue_files() -> None:
    helped = saytype("--help")
    assert helped.returncode == 0
    text = " ".join(helped.stdout.split())  # argparse wraps lines
    assert "Run 'saytype' with no arguments to open the window" in text
    assert "'saytype FILE…' queues the files" in text
    assert "running app" in text


def test_a_closed_stdout_ends_quietly() -> None:
    # `saytype models list --json | head -c 0`: the reader is gone before the first write.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app", "models", "list", "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONWARNINGS": "error"},
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_model_that_is_not_downloaded_says_how_to_get_it(media: dict[str, Path]) -> None:
    result = saytype("transcribe", media["wav"], "--model", "base.en")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Model 'base.en' is not installed" in result.stderr
    assert result.stderr.rstrip().endswith("Download it with: saytype models download base.en")


@pytest.mark.parametrize(
    "args",
    [
        ("transcribe",),
        ("transcribe", "x.wav", "--format", "doc"),
        ("transcribe", "x.wav", "--beam-size", "0"),
        ("transcribe", "x.wav", "--language", "klingon"),
        ("transcribe", "-"),  # standard input: not supported, said before any model loads
        ("transcribe", "x.wav", "-o", str(Path(__file__).resolve())),  # a file, not a folder
        ("transcribe", "x.wav", "--overwrite"),  # nothing to overwrite without -o
        ("listen", "--input", "x.wav", "--speed", "-1"),
        ("listen", "--input", "x.wav", "--speed", "nan"),
        ("listen", "--input", "x.wav", "--speed", "1e-9"),
        ("listen", "--input", ""),
        ("listen", "--pre-roll", "-5"),
        ("listen", "--pre-roll", "inf"),
        ("no-such-command",),
        ("--control-user", "no-such-user-of-saytype"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = saytype(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


@pytest.mark.model
def test_bad_inputs_fail_alone_and_good_files_still_transcribe(media: dict[str, Path]) -> None:
    order = ["wav", *BAD[:4], "video", *BAD[4:], "other"]
    result = saytype("transcribe", "--format", "json", *(media[name] for name in order))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error_lines = result.stderr.strip().splitlines()
    assert len(error_lines) == len(BAD), result.stderr
    for name, line in zip(BAD, error_lines, strict=True):
        assert line.startswith("saytype: error: "), line
        assert media[name].name in line, (name, line)
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [obj["file"] for obj in objects] == [str(media[n]) for n in ("wav", "video", "other")]
    expected = [SENTENCE, OTHER_SENTENCE, OTHER_SENTENCE]
    for obj, said in zip(objects, expected, strict=True):
        assert set(obj) >= {"file", "text", "segments", "language", "duration"}
        assert obj["language"] == "en"
        assert word_error_rate([said], [obj["text"]]) <= 0.1, obj["text"]
        for segment in obj["segments"]:
            assert set(segment) == {"start", "end", "text"}


@pytest.mark.model
def test_a_folder_is_transcribed_as_a_drop_on_the_window_is(
    media: dict[str, Path], tmp_path: Path
) -> None:
    # The window takes a folder of recordings; the command line said "is a folder".
    folder = tmp_path / "recordings"
    (folder / "monday").mkdir(parents=True)
    shutil.copy(media["wav"], folder / "monday" / "booking.wav")
    (folder / "notes.txt").write_text("not audio\n", encoding="utf-8")
    result = saytype("transcribe", "--format", "json", folder, media["directory"])
    assert result.returncode == 1  # the empty folder fails alone, in its turn
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert obj["file"] == str(folder / "monday" / "booking.wav")
    assert word_error_rate([SENTENCE], [obj["text"]]) <= 0.1, obj["text"]
    assert result.stderr.strip() == (
        f"saytype: error: {media['directory']}: is a folder with no audio or video files in it."
    )


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json"])
def test_output_dir_gets_one_file_per_input(
    media: dict[str, Path], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "exports"
    result = saytype("transcribe", media["wav"], media["video"], "--format", fmt, "-o", out)
    assert result.returncode == 0, result.stderr
    # Not a terminal: no progress bar, only one line per file written; stdout is for text.
    assert result.stderr.splitlines() == [
        f"wrote {out / f'booking.{fmt}'}",
        f"wrote {out / f'museum_clip.{fmt}'}",
    ]
    assert result.stdout == ""
    written = sorted(path.name for path in out.iterdir())
    assert written == sorted([f"booking.{fmt}", f"museum_clip.{fmt}"])
    content = (out / f"booking.{fmt}").read_text(encoding="utf-8")
    if fmt == "srt":
        assert re.search(r"^00:00:00,\d{3} --> 00:00:0\d,\d{3}$", content, re.MULTILINE)
    if fmt == "vtt":
        assert content.startswith("WEBVTT\n")
    if fmt == "json":
        assert json.loads(content)["language"] == "en"
    assert "table" in content.lower()


@pytest.mark.model
def test_output_dir_keeps_the_files_already_there(media: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    edited = out / "booking.txt"
    edited.write_text("my own notes, corrected by hand\n", encoding="utf-8")
    result = saytype("transcribe", media["wav"], "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"wrote {out / 'booking-2.txt'} (from {media['wav']})"]
    assert edited.read_text(encoding="utf-8") == "my own notes, corrected by hand\n"
    assert "table" in (out / "booking-2.txt").read_text(encoding="utf-8").lower()
    replaced = saytype("transcribe", media["wav"], "-o", out, "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stderr.splitlines() == [f"wrote {edited}"]
    assert "table" in edited.read_text(encoding="utf-8").lower()
    assert sorted(path.name for path in out.iterdir()) == ["booking-2.txt", "booking.txt"]
    # The same file again: the transcript already there is its own, not a -3 beside it.
    again = saytype("transcribe", media["wav"], "-o", out)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines() == [f"wrote {edited}"]
    assert sorted(path.name for path in out.iterdir()) == ["booking-2.txt", "booking.txt"]


@pytest.mark.model
def test_files_of_one_name_each_say_whose_transcript_went_where(
    media: dict[str, Path], tmp_path: Path
) -> None:
    # "wrote notes/booking.txt" for the first of two booking.wav files was either one's.
    first, second = tmp_path / "monday" / "booking.wav", tmp_path / "tuesday" / "booking.wav"
    for copy in (first, second):
        copy.parent.mkdir()
        shutil.copyfile(media["wav"], copy)
    out = tmp_path / "notes"
    result = saytype("transcribe", first, second, "-o", out, "--beam-size", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"wrote {out / 'booking.txt'} (from {first})",
        f"wrote {out / 'booking-2.txt'} (from {second})",
    ]


@pytest.mark.model
def test_a_truncated_wav_is_transcribed_with_a_warning(speech: SpeechMaker, tmp_path: Path) -> None:
    # What a crashed recorder leaves: a header declaring the whole take, half of it on disk.
    whole = speech.wav([SENTENCE, OTHER_SENTENCE], tmp_path / "take.wav", pause_s=0.5)
    cut = truncated_copy(whole, tmp_path / "crashed.wav", 0.5)
    result = saytype("transcribe", cut, "--format", "json")
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"saytype: warning: {cut} is truncated: its header declares ")
    assert warning.endswith(" s are there; transcribed what is there.")
    transcript = json.loads(result.stdout)
    assert "table" in transcript["text"].lower()
    # A script reading the JSON learns it too: everything there was heard, of a cut file.
    assert transcript["complete"] is True
    assert transcript["cut_short"].startswith("is truncated: its header declares ")
    with wave.open(str(whole)) as handle:
        whole_s = handle.getnframes() / handle.getframerate()
    assert transcript["duration"] == pytest.approx(whole_s / 2, abs=0.2)

    dictated = saytype("listen", "--input", cut, "--speed", "0", "--jsonl")
    assert dictated.returncode == 0, dictated.stderr
    assert dictated.stderr.startswith(f"saytype: warning: {cut} is truncated: ")
    assert dictated.stderr.rstrip().endswith("; dictating what is there.")


@pytest.mark.model
def test_a_truncated_mp3_is_transcribed_as_far_as_it_goes(media: dict[str, Path]) -> None:
    # A half-finished download: it once gave only an error, though its first half decodes.
    cut = media["truncated_mp3"]
    result = saytype("transcribe", cut, "--format", "json")
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"saytype: warning: {cut} is truncated: its header declares ")
    assert warning.endswith(" could be decoded; transcribed what is there.")
    transcript = json.loads(result.stdout)
    heard = transcript["text"].lower()
    assert heard.startswith("please book a table"), heard  # the first half of the sentence
    assert transcript["cut_short"].startswith("is truncated: its header declares ")


@pytest.mark.model
def test_a_silent_recording_says_no_speech_was_heard(tmp_path: Path) -> None:
    silent = tmp_path / "silence.wav"
    write_wav(silent, np.zeros(3 * SAMPLE_RATE, np.float32), SAMPLE_RATE)
    result = saytype("transcribe", silent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""  # it was "You"
    assert result.stderr.splitlines() == [f"saytype: no speech was heard in {silent}."]


@pytest.mark.model
def test_txt_to_stdout_is_the_plain_transcript(media: dict[str, Path]) -> None:
    result = saytype("transcribe", media["wav"], "--beam-size", "1", "--language", "en")
    assert result.returncode == 0, result.stderr
    assert word_error_rate([SENTENCE], [result.stdout]) <= 0.1


@pytest.mark.model
def test_the_welcome_sample_is_heard_word_for_word() -> None:
    welcome = Path(__file__).parent.parent / "resources" / "samples" / "welcome.mp3"
    result = saytype("transcribe", welcome)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == WELCOME_TEXT


def test_unknown_model_is_one_line_and_exit_1(media: dict[str, Path]) -> None:
    result = saytype("transcribe", media["wav"], "--model", "no-such-model")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Unknown model 'no-such-model'" in result.stderr
    assert "tiny.en, tiny, base.en" in result.stderr  # the names `models list` shows


def test_a_mistyped_model_name_is_answered_with_the_name_meant(media: dict[str, Path]) -> None:
    result = saytype("transcribe", media["wav"], "--model", "base-en")
    assert result.returncode == 1
    assert "Unknown model 'base-en'. Did you mean 'base.en'?" in result.stderr


def test_corrupt_model_folder_is_named(media: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"\x06\x00\x00\x00")
    result = saytype("transcribe", media["wav"], "--model", broken)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Model folder {broken} is missing config.json" in result.stderr


@pytest.mark.model
def test_progress_bar_is_drawn_on_a_terminal(media: dict[str, Path]) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app", "transcribe", str(media["wav"])],
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=300,
            check=False,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                block = os.read(leader, 4096)
            except OSError:  # EIO: the child side is closed and drained
                break
            if not block:
                break
            drawn += block
    finally:
        os.close(leader)
    assert result.returncode == 0
    screen = drawn.decode("utf-8", "replace")
    assert "Loading model tiny.en" in screen
    assert "100%  booking.wav" in screen
    assert "table" in result.stdout.lower()


def test_a_command_that_sets_damaged_settings_aside_says_so() -> None:
    settings = Path(os.environ["XDG_CONFIG_HOME"]) / "saytype" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"hotkey": "ctrl+shift+sp', encoding="utf-8")  # cut mid-write
    done = saytype("keys", "--print", "sway")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("saytype: warning: ")
    assert str(settings) in done.stderr
    assert "ctrl+shift+space" in done.stdout.lower()  # the default hotkey stands in
    again = saytype("keys", "--print", "sway")
    assert again.stderr == ""  # said once: the damaged file was moved aside


def test_keys_on_x11_says_there_is_nothing_to_bind() -> None:
    # On X11 it answered "this session's compositor is unknown" and exit 2, while
    # `saytype doctor` says the hotkey needs no binding there.
    session = {"XDG_SESSION_TYPE": "x11", "DISPLAY": ":99", "WAYLAND_DISPLAY": ""}
    done = subprocess.run(
        [sys.executable, "-m", "app", "keys"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **session, "XDG_CURRENT_DESKTOP": "GNOME"},  # GNOME on Xorg too
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Not needed: this is an X11 session")


def test_a_file_named_like_an_option_gets_a_hint(tmp_path: Path) -> None:
    (tmp_path / "-take2.wav").write_bytes(b"RIFF")
    result = subprocess.run(
        [sys.executable, "-m", "app", "transcribe", "-take2.wav"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "saytype: '-take2.wav' is a file: put -- before file names that start with a dash "
        "(saytype transcribe -- -take2.wav)."
    )


def test_a_path_that_is_not_there_or_holds_no_media_is_named_not_taken_for_a_command(
    tmp_path: Path,
) -> None:
    # `saytype /media/talks` with a typo answered "invalid choice … (choose from
    # 'transcribe', …)", and an empty folder "went to its Files tab" to add nothing.
    missing = tmp_path / "talks"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no audio here", encoding="utf-8")
    notes = empty / "notes.txt"  # a text file went to the Files tab, only to fail there
    cases = {
        missing: f"saytype: error: {missing}: no such file or folder.\n",
        empty: f"saytype: error: {empty}: is a folder with no audio or video files in it.\n",
        notes: f"saytype: error: {notes}: not an audio or video file that can be decoded, or a "
        "damaged or incomplete one (Invalid data found when processing input).\n",
    }
    for path, said in cases.items():
        result = saytype(path)
        assert (result.returncode, result.stderr, result.stdout) == (1, said, "")
