"""``saytype transcribe`` shapes a file with the text settings saved in Settings → Text.

The settings file is the one the app writes (under the hermetic XDG_CONFIG_HOME);
the command runs as a user runs it, in a child process, on real speech and tiny.en.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.shaping_args import shaper_from_args
from app.core.audio.recording_journal import journals_dir
from app.core.file_job_options import FileJobOptions, is_dictation_recording, merged_words
from app.core.paths import data_dir
from app.core.settings import Settings
from app.core.settings_file import save_settings
from app.core.text.shaper import ShapingOptions
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

# tiny.en alone writes "Niam and A-life are coming to the meeting."
SAID = "Niamh and Aoife are coming to the meeting."


# tiny.en writes "I have three cats comma and two dogs."
COMMANDS_SAID = "I have three cats comma and two dogs."


@pytest.fixture(scope="module")
def commands_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(COMMANDS_SAID, tmp_path_factory.mktemp("saved_commands") / "cats.wav")


# A minute of a meeting, one sentence at a time, to be timed as subtitles.
MEETING = [
    "Good morning everyone, and thank you for joining the weekly planning meeting.",
    "First, the release of version two is moving to the end of the month.",
    "The testing team found three problems in the installer last week.",
    "Two of them are fixed, and the third needs a decision from the product owner.",
    "Next, the budget for the new office was approved on Tuesday.",
    "We will move the servers in January, after the holidays.",
    "Please send your travel requests to the office manager before Friday.",
    "Finally, the customer survey closes next week, so remind your contacts.",
    "Are there any questions before we finish?",
    "If not, thank you all, and see you next week.",
    "The library opens at nine in the morning and closes at six in the evening.",
    "Children under twelve must be with an adult at all times.",
]


@pytest.fixture(scope="module")
def meeting_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(MEETING, tmp_path_factory.mktemp("meeting") / "meeting.wav", pause_s=0.5)


@pytest.fixture(scope="module")
def names_wav(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SAID, tmp_path_factory.mktemp("saved_words") / "names.wav")


def transcribe(*args: str | Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app", "transcribe", "--language", "en", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.mark.model
def test_saved_replacements_shape_the_transcript(names_wav: Path) -> None:
    save_settings(Settings(replacements=(("the meeting", "the stand-up"),)))
    out = transcribe(names_wav)
    assert "coming to the stand-up." in out
    assert "meeting" not in out


@pytest.mark.model
def test_saved_special_words_are_spelled(names_wav: Path) -> None:
    save_settings(Settings(vocabulary=("Niamh", "Aoife")))
    assert "Niamh and Aoife" in transcribe(names_wav)


@pytest.mark.model
def test_vocabulary_on_the_command_line_adds_to_the_saved_words(names_wav: Path) -> None:
    save_settings(Settings(vocabulary=("Niamh",)))
    assert "Niamh and Aoife" in transcribe(names_wav, "--vocabulary", "Aoife")


@pytest.mark.model
def test_special_words_keep_every_sentence_of_a_long_file_and_its_times(meeting_wav: Path) -> None:
    # Under the Special words' prompt tiny.en gave each 30 s window one segment without
    # inner timestamps and stopped early: real speech lost half its words, and this
    # minute came back as two cues spread evenly over their windows.
    plain = json.loads(transcribe(meeting_wav, "--no-saved-words", "--format", "json"))
    named = json.loads(
        transcribe(meeting_wav, "--no-saved-words", "--format", "json", "--vocabulary", "Siobhan")
    )
    reference = " ".join(MEETING)
    plain_wer = word_error_rate([reference], [" ".join(s["text"] for s in plain["segments"])])
    named_wer = word_error_rate([reference], [" ".join(s["text"] for s in named["segments"])])
    assert named_wer <= plain_wer + 0.02, (plain_wer, named_wer)
    assert named_wer <= 0.05
    assert len(named["segments"]) >= len(MEETING) - 2  # a cue a sentence, not one a window
    for segment in named["segments"]:  # no cue runs over into its window's silence
        assert segment["end"] - segment["start"] < 10, segment


@pytest.mark.model
def test_no_saved_words_leaves_the_settings_out(names_wav: Path) -> None:
    save_settings(Settings(vocabulary=("Niamh", "Aoife"), replacements=(("meeting", "stand-up"),)))
    out = transcribe(names_wav, "--no-saved-words")
    assert "meeting" in out
    assert "Aoife" not in out


def test_command_line_words_follow_the_saved_ones_once() -> None:
    assert merged_words(("Niamh", "Aoife"), ("aoife", "Saoirse", "saoirse")) == (
        "Niamh",
        "Aoife",
        "Saoirse",
    )


@pytest.mark.model
def test_spoken_commands_act_in_files_only_when_asked_for(commands_wav: Path) -> None:
    # A meeting's "scratch that" deleted the sentence before it from the transcript: in a
    # file, spoken commands are words said unless Settings → Files or the command line asks.
    assert "three cats comma and two dogs" in transcribe(commands_wav)
    save_settings(Settings(file_spoken_commands=True))
    assert "three cats, and two dogs" in transcribe(commands_wav)
    save_settings(Settings(spoken_commands=False, file_spoken_commands=True))
    assert "three cats comma and two dogs" in transcribe(commands_wav)
    assert "three cats, and two dogs" in transcribe(commands_wav, "--spoken-commands")
    # Without the saved settings, the defaults as a file uses them: commands are words.
    save_settings(Settings(file_spoken_commands=True))
    assert "three cats comma and two dogs" in transcribe(commands_wav, "--no-saved-words")


def test_saytypes_own_dictation_recordings_keep_the_dictation_commands(tmp_path: Path) -> None:
    # History → Retry and a recovered journal are dictations, spoken with "new paragraph"
    # meant as one: they are shaped as Settings → Text says, not as a meeting's file.
    options = FileJobOptions.from_settings(Settings())
    assert not options.shaping.spoken_commands
    assert options.dictation_shaping.spoken_commands
    assert is_dictation_recording(data_dir() / "audio" / "dictation-20261206-022456-5.wav")
    assert is_dictation_recording(journals_dir() / "20261206-020940-22633.wav")
    assert not is_dictation_recording(tmp_path / "meeting.wav")
    off = FileJobOptions.from_settings(Settings(spoken_commands=False))
    assert not off.dictation_shaping.spoken_commands


def test_snippets_on_the_command_line_add_to_the_saved_ones() -> None:
    saved = ShapingOptions(snippets=(("sign off", "Best, Ann"), ("my address", "1 Main St")))
    args = argparse.Namespace(spoken_commands=None, snippets=(("Sign Off", "Cheers, Ann"),))
    options = shaper_from_args(args, saved).options
    assert options.snippets == (("my address", "1 Main St"), ("Sign Off", "Cheers, Ann"))
    assert options.spoken_commands is True
