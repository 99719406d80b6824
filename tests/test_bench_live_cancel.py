"""The live benchmark's cancel trials, run through the real InferenceWorker on a fake pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from app.core.audio.file_decoder import SAMPLE_RATE
from saytype_bench.live_cancel import run_cancel_trials
from saytype_bench.live_utterances import Utterance
from tests.fakes.scripted_pipeline import ScriptedPipeline

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["take", "the", "train", "to", "the", "airport", "at", "noon"]


def quiet_utterance(seconds: float) -> Utterance:
    audio = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
    return Utterance(f"quiet-{seconds:g}", round(seconds), ("quiet",), audio, "")


@pytest.mark.gui
def test_each_cancel_is_timed_to_ui_idle_then_to_compute_stopped(qapp: QApplication) -> None:
    lines: list[str] = []
    pipeline: Any = ScriptedPipeline(WORDS, pass_seconds=0.05)
    trials = run_cancel_trials(
        pipeline,
        [quiet_utterance(1.0), quiet_utterance(2.0)],
        cancels=6,
        seed=3,
        speed=4.0,
        report=lines.append,
    )
    assert len(trials) == 6 == len(lines)
    assert [t.utterance_id for t in trials[:2]] == ["quiet-1", "quiet-2"]
    for trial in trials:
        assert trial.leaked_events == 0
        if trial.finished_first:
            assert trial.to_ui_idle_s is None
            continue
        assert trial.to_ui_idle_s is not None
        assert trial.to_compute_stopped_s is not None
        # cancelled() is emitted in the GUI thread at once; idle() follows the pass.
        assert 0 <= trial.to_ui_idle_s <= trial.to_compute_stopped_s
    assert any(not t.finished_first for t in trials)


def test_no_qt_application_is_left_behind() -> None:
    # A caller that has no Qt application yet can still create its QApplication after.
    script = textwrap.dedent(
        """
        import numpy as np
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication
        from saytype_bench.live_cancel import run_cancel_trials
        from saytype_bench.live_utterances import Utterance
        from tests.fakes.scripted_pipeline import ScriptedPipeline

        audio = np.zeros(16000, dtype=np.float32)
        utterance = Utterance("quiet", 1, ("quiet",), audio, "")
        pipeline = ScriptedPipeline(["one", "two"], pass_seconds=0.02)
        trials = run_cancel_trials(pipeline, [utterance], cancels=2, speed=4.0)
        assert len(trials) == 2
        assert QCoreApplication.instance() is None
        app = QApplication([])
        print(type(app).__name__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "QApplication"
