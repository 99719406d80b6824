"""``saytype transcribe --engine URL`` against a real OpenAI-compatible server on 127.0.0.1.

The server (faster-whisper-server, tests/support/openai_server.py) runs the
same bundled tiny.en as the local engine, so the remote path must give the
same words, and its timed segments must export to srt as local ones do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import srt

from app.core.engine.file_transcriber import FileTranscriber
from app.core.engine.model_host import ModelHost
from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber
from saytype_bench.accuracy import word_error_rate
from tests.support.openai_server import OpenAIServer
from tests.support.speech import SpeechMaker

SENTENCES = [
    "Please book a table for four people at seven tonight.",
    "The museum is closed on Mondays, so we will go on Tuesday.",
]

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def spoken(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.wav(SENTENCES, tmp_path_factory.mktemp("remote_speech") / "two.wav")


def saytype(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )


def test_remote_gives_the_same_words_as_local(
    openai_server: OpenAIServer, spoken: Path, tiny_en: ModelHost
) -> None:
    reference = " ".join(SENTENCES)
    local = FileTranscriber(tiny_en).transcribe_file(spoken)
    result = saytype("transcribe", "--engine", openai_server.url, "--format", "json", spoken)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # scripts see only errors there
    remote = json.loads(result.stdout)
    local_wer = word_error_rate([reference], [local.text])
    remote_wer = word_error_rate([reference], [remote["text"]])
    assert remote_wer <= local_wer + 0.005, (remote["text"], local.text)
    assert remote_wer <= 0.05
    assert remote["language"] == "en"
    assert remote["file"] == str(spoken)
    assert remote["duration"] == pytest.approx(local.duration, abs=0.01)
    assert remote["complete"] is True


def test_srt_from_a_remote_transcript_has_the_segment_times(
    openai_server: OpenAIServer, spoken: Path, tmp_path: Path
) -> None:
    result = saytype(
        "transcribe", "--engine", openai_server.url, "--format", "srt", "-o", tmp_path, spoken
    )
    assert result.returncode == 0, result.stderr
    cues = list(srt.parse((tmp_path / "two.srt").read_text(encoding="utf-8")))
    assert cues
    ends = [cue.end.total_seconds() for cue in cues]
    starts = [cue.start.total_seconds() for cue in cues]
    assert starts == sorted(starts)
    assert all(start < end for start, end in zip(starts, ends, strict=True))
    # The two sentences are apart in time: the cue with "museum" starts after the first ends.
    museum = next(cue for cue in cues if "museum" in cue.content.lower())
    assert museum.start.total_seconds() > 2.0
    assert ends[-1] <= 12.0


def test_the_engine_returns_timed_segments_in_process(
    openai_server: OpenAIServer, spoken: Path
) -> None:
    transcript = OpenAITranscriber(OpenAIEndpoint(openai_server.url, "tiny.en")).transcribe_file(
        spoken
    )
    assert transcript.complete
    assert transcript.model_name == "tiny.en"
    assert len(transcript.segments) >= 2
    assert all(s.start <= s.end <= transcript.duration for s in transcript.segments)
    assert "museum" in transcript.text.lower()


def test_no_transcribed_word_reaches_the_debug_log(
    openai_server: OpenAIServer, spoken: Path
) -> None:
    from app.core.log_file import log_dir

    result = saytype("-vv", "transcribe", "--engine", openai_server.url, "--format", "json", spoken)
    assert result.returncode == 0, result.stderr[-3000:]
    # Words no log line has for another reason ("closed" has: "response_closed").
    words = {"table", "people", "tonight", "museum", "mondays", "tuesday"}
    heard = {w.strip(".,").lower() for w in json.loads(result.stdout)["text"].split()} & words
    assert len(heard) >= 5  # the words went through the code that logs
    logged = "\n".join(p.read_text(encoding="utf-8") for p in log_dir().glob("saytype.log*"))
    assert " DEBUG [" in logged
    assert (
        f"to {openai_server.url}" in logged
    )  # where the audio went is logged, what it said is not
    assert {word for word in words if word in logged.lower()} == set()
