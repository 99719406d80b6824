"""Spoken commands end to end: hibari-tts speech, real tiny.en, the CLI's shaping.

The issue's sentence goes through `saytype transcribe` and `saytype listen --input`
(the live pipeline: ring buffer, VAD, commits, final) with commands on and off.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from app.cli import build_parser
from app.commands.shaping_args import shaper_from_args
from app.core.engine.model_host import ModelHost
from tests.support.speech import SpeechMaker

SAID = "Thanks for the report comma see you on Monday period"
SHAPED = "Thanks for the report, see you on Monday."


@pytest.fixture(scope="module")
def sentence_wav(tmp_path_factory: pytest.TempPathFactory, speech: SpeechMaker) -> Path:
    return speech.wav(SAID, tmp_path_factory.mktemp("speech") / "report.wav")


def _run(argv: list[str]) -> tuple[int, str]:
    args = build_parser().parse_args(argv)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = args.run(args, stdout, stderr)
    return status, stdout.getvalue()


@pytest.mark.model
def test_transcribe_obeys_spoken_commands_when_asked(
    sentence_wav: Path, tiny_en: ModelHost
) -> None:
    status, out = _run(["transcribe", "--spoken-commands", "--format", "json", str(sentence_wav)])
    assert status == 0
    assert json.loads(out)["text"] == SHAPED


@pytest.mark.model
def test_transcribe_without_spoken_commands_keeps_the_words(
    sentence_wav: Path, tiny_en: ModelHost
) -> None:
    for flags in (["--no-spoken-commands"], []):  # a file keeps every word by default
        status, out = _run(["transcribe", *flags, str(sentence_wav)])
        assert status == 0
        assert "comma" in out.lower()
    assert "period" in out.lower()


@pytest.mark.model
def test_listen_final_and_commits_are_shaped(sentence_wav: Path, tiny_en: ModelHost) -> None:
    status, out = _run(
        ["listen", "--input", str(sentence_wav), "--speed", "0", "--push-to-talk", "--jsonl"]
    )
    assert status == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["type"] == "final"
    assert events[-1]["text"] == SHAPED
    screen = ""
    for event in events:
        if event["type"] == "commit":
            screen = screen[: len(screen) - event.get("erase", 0)] + event["text"]
    assert "comma" not in screen.lower()
    assert SHAPED.startswith(screen)


def test_both_commands_take_the_spoken_commands_flags() -> None:
    parser = build_parser()
    for command in (["transcribe", "a.wav"], ["listen", "--input", "a.wav"]):
        unsaid = parser.parse_args(command)
        assert unsaid.spoken_commands is None  # not chosen: the saved setting, else on
        assert shaper_from_args(unsaid).options.spoken_commands is True
        off = parser.parse_args([*command, "--no-spoken-commands"])
        assert isinstance(off, argparse.Namespace)
        assert off.spoken_commands is False
        assert parser.parse_args([*command, "--spoken-commands"]).spoken_commands is True
        words = parser.parse_args([*command, "--vocabulary", "Saytype, Siobhan ,"])
        assert words.vocabulary == ("Saytype", "Siobhan")
