"""Long pauses inside one dictation: the words after a pause are committed once (real tiny.en).

People stop to think in the middle of a dictation. A buffer cut in such a pause
kept the rest of it, and over seconds of silence tiny.en said the sentence before
the pause again: "Second, restart the database. Second, restart the" was
committed, and type as I speak typed it twice into the focused app. Replayed
without a clock (a pass every 0.3 s of audio), so the passes are the same on any
machine.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate
from saytype_bench.live import replay
from tests.support.speech import SpeechMaker

pytestmark = pytest.mark.model

SAID = [
    "First, check the server logs.",
    "Second, restart the database.",
    "Third, tell the team it is fixed.",
]
PAUSES_S = [7.0, 9.0]  # thinking between the steps (a new user's dictation)


def test_words_after_a_long_pause_are_committed_once(
    speech: SpeechMaker, tiny_en: ModelHost
) -> None:
    parts = [silence(0.3)]  # the key goes down, then the first word
    for sentence, pause_s in zip(SAID, [*PAUSES_S, 0.5], strict=True):
        parts += [speech.samples(sentence, 0.35), silence(pause_s)]
    trace = replay(LivePipeline(tiny_en), np.concatenate(parts))

    committed = "".join(trace.commits)
    for word in ("First", "Second", "restart", "database", "Third"):
        assert committed.count(word) == 1, committed
    assert trace.final_text is not None
    assert word_error_rate([" ".join(SAID)], [trace.final_text]) <= 0.1, trace.final_text


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)
