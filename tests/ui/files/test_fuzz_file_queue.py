"""The file queue meets the fuzzer's nastiest files: each fails alone and clearly, the rest run.

A truncated MP3, a container whose audio track holds no packets, a picture
renamed ``.wav``, a WAV claiming 7 Hz (which used to decode into an hour of
noise), a WAV claiming 2^31 - 1 Hz (which used to raise MemoryError), and an
AAC stream that changes rate halfway (which used to raise ValueError): then a
good recording, which must still be transcribed. Real tiny.en, real files.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.model_hearing import WELCOME_TEXT
from app.core.engine.model_host import ModelHost
from app.core.engine.pause_gate import PauseGate
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from saytype_bench.accuracy import word_error_rate
from saytype_bench.fuzz_media import message_problem
from saytype_bench.fuzz_seeds import WELCOME_MP3, make_seeds
from tests.support.media import encode_audio, truncated_copy

pytestmark = [pytest.mark.gui, pytest.mark.model]

WELCOME = WELCOME_TEXT


def _nasty_files(folder: Path) -> dict[str, Path]:
    seeds = make_seeds()
    for name in ("speech.mp3", "no-audio-packets.mkv", "image.png", "pcm16-16k-mono.wav"):
        (folder / name).write_bytes(seeds[name])
    files = {
        "truncated": truncated_copy(folder / "speech.mp3", folder / "cut.mp3", 0.4),
        "zero-length stream": folder / "no-audio-packets.mkv",
        "not audio": folder / "holiday.wav",
    }
    files["not audio"].write_bytes(seeds["image.png"])
    for label, rate in (("rate 7 Hz", 7), ("rate 2^31-1 Hz", 0x7FFFFFFF)):
        data = bytearray(seeds["pcm16-16k-mono.wav"])
        struct.pack_into("<I", data, 24, rate)  # the canonical header's sample rate
        files[label] = folder / f"rate-{rate}.wav"
        files[label].write_bytes(bytes(data))
    mono = encode_audio(folder / "pcm16-16k-mono.wav", folder / "a.aac", "aac")
    fast = folder / "fast.wav"
    fast.write_bytes(seeds["float32-48k-stereo.wav"])
    stereo = encode_audio(fast, folder / "b.aac", "aac")
    files["rate change"] = folder / "joined.aac"
    files["rate change"].write_bytes(mono.read_bytes() + stereo.read_bytes())
    return files


@pytest.fixture
def runner(qtbot: QtBot, tiny_en: ModelHost) -> Iterator[FileJobRunner]:
    jobs = FileJobRunner(tiny_en, PauseGate())
    jobs.configure(TranscribeOptions(beam_size=1), None)
    yield jobs
    assert jobs.shutdown(10_000)


def test_nasty_files_fail_one_by_one_and_a_good_file_after_them_transcribes(
    qtbot: QtBot, runner: FileJobRunner, tmp_path: Path
) -> None:
    panel = QueuePanel(runner)
    qtbot.addWidget(panel)
    files = _nasty_files(tmp_path)
    failed: dict[int, str] = {}
    finished: dict[int, object] = {}

    def on_failed(job: int, message: str) -> None:
        failed[job] = message

    def on_finished(job: int, transcript: object) -> None:
        finished[job] = transcript

    runner.failed.connect(on_failed)
    runner.finished.connect(on_finished)
    bad_jobs = {runner.add(path): label for label, path in files.items()}
    good_job = runner.add(WELCOME_MP3)
    qtbot.waitUntil(lambda: len(failed) + len(finished) == len(files) + 1, timeout=120_000)

    transcribed = {_job(bad_jobs, "rate change"), _job(bad_jobs, "truncated")}
    assert set(failed) == set(bad_jobs) - transcribed
    for job, message in failed.items():
        label, path = bad_jobs[job], files[bad_jobs[job]]
        assert message.startswith(f"{path}: "), label
        assert message_problem(message) is None, f"{label}: {message}"
        assert panel.row(job).status.startswith("Failed: "), label
    cut = finished[_job(bad_jobs, "truncated")]  # transcribed as far as it goes, and said so
    assert cut is not None
    assert cut.cut_short.startswith("is truncated: its header declares ")  # type: ignore[attr-defined]
    assert panel.row(_job(bad_jobs, "truncated")).status == "Done (truncated)"
    assert "ends before any audio" in failed[_job(bad_jobs, "zero-length stream")]
    assert "not an audio or video file" in failed[_job(bad_jobs, "not audio")]
    assert "sample rate of 7 Hz" in failed[_job(bad_jobs, "rate 7 Hz")]
    assert "sample rate of 2147483647 Hz" in failed[_job(bad_jobs, "rate 2^31-1 Hz")]

    joined = finished[_job(bad_jobs, "rate change")]
    assert joined is not None
    good = finished[good_job]
    assert good is not None
    assert word_error_rate([WELCOME], [good.text]) <= 0.15  # type: ignore[attr-defined]
    assert panel.row(good_job).status == "Done"


def _job(jobs: dict[int, str], label: str) -> int:
    return next(job for job, name in jobs.items() if name == label)
