"""Snippets end to end: hibari-tts speech through the live pipeline, expanded exactly.

``saytype listen --input FILE`` runs the ring buffer, VAD, commits and the
final with real tiny.en, and ``--snippets FILE`` gives it the stored texts, so
the multi-line text must come out character for character; the same trigger
inside a sentence stays words.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli import build_parser
from app.core.engine.model_host import ModelHost
from tests.support.speech import SpeechMaker

SIGNATURE = "Best regards,\nAda Lovelace\nAnalytical Engines Ltd."
ADDRESS = "12 St James's Square\nLondon SW1Y 4JH\n"


@pytest.fixture(scope="module")
def snippets_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("snippets") / "snippets.json"
    path.write_text(
        json.dumps({"insert my signature": SIGNATURE, "insert my address": ADDRESS}),
        encoding="utf-8",
    )
    return path


def listen(wav: Path, snippets: Path) -> tuple[str, str]:
    """(the final's text, what the commits typed) for ``wav`` with ``snippets``."""
    argv = ["listen", "--input", str(wav), "--speed", "0", "--push-to-talk", "--jsonl"]
    args = build_parser().parse_args([*argv, "--snippets", str(snippets)])
    stdout, stderr = io.StringIO(), io.StringIO()
    assert args.run(args, stdout, stderr) == 0, stderr.getvalue()
    events = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert events[-1]["type"] == "final"
    typed = ""
    for event in events:
        if event["type"] == "commit":
            typed = typed[: len(typed) - event.get("erase", 0)] + event["text"]
    return events[-1]["text"], typed


@pytest.mark.model
@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (["Thanks for your help.", "Insert my signature."], "Thanks for your help. " + SIGNATURE),
        ("Insert my address.", ADDRESS),
    ],
)
def test_a_spoken_trigger_becomes_its_text_exactly(  # noqa: PLR0917 - pytest's fixtures
    said: list[str] | str,
    expected: str,
    snippets_file: Path,
    speech: SpeechMaker,
    tiny_en: ModelHost,
    tmp_path: Path,
) -> None:
    final, typed = listen(speech.wav(said, tmp_path / "said.wav"), snippets_file)
    assert final == expected
    assert expected.startswith(typed)  # the live commits never typed the trigger's words


@pytest.mark.model
def test_the_trigger_inside_a_sentence_stays_words(
    snippets_file: Path, speech: SpeechMaker, tiny_en: ModelHost, tmp_path: Path
) -> None:
    wav = speech.wav("Please insert my address here.", tmp_path / "said.wav")
    final, _ = listen(wav, snippets_file)
    assert final == "Please insert my address here."


def test_a_bad_snippets_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "snippets.json"
    bad.write_text('{"sign off": ""}', encoding="utf-8")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["listen", "--input", "a.wav", "--snippets", str(bad)])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith(f"argument --snippets: {bad}: the snippet 'sign off' has no text")
