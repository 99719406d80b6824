"""RecentAudio: the newest seconds of an utterance and the cuts in them."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.engine.recent_audio import RecentAudio, SpanStart


def seconds(count: float, value: float) -> np.ndarray:
    return np.full(int(count * SAMPLE_RATE), value, dtype=np.float32)


def test_a_short_utterance_can_be_heard_from_its_start() -> None:
    recent = RecentAudio(reach_s=10.0)
    recent.push(seconds(4, 0.1))
    recent.push(seconds(3, 0.2))
    recent.cut(5 * SAMPLE_RATE, words_before=12)
    assert recent.earliest_start(before=5 * SAMPLE_RATE) == SpanStart(0, 0)
    audio = recent.audio_from(0)
    assert len(audio) == 7 * SAMPLE_RATE
    assert audio[0] == pytest.approx(0.1)
    assert audio[-1] == pytest.approx(0.2)


def test_a_long_utterance_is_heard_from_the_earliest_cut_in_reach() -> None:
    recent = RecentAudio(reach_s=10.0)
    for second in range(25):
        recent.push(seconds(1, second / 100))
        if second in (6, 12, 18):
            recent.cut((second + 1) * SAMPLE_RATE, words_before=second)
    # 25 s pushed: the cut at 13 s is 12 s back, out of reach; the one at 19 s is in.
    start = recent.earliest_start(before=19 * SAMPLE_RATE + 1)
    assert start == SpanStart(19 * SAMPLE_RATE, 18)
    assert recent.audio_from(start.sample)[0] == pytest.approx(0.19)
    assert recent.earliest_start(before=19 * SAMPLE_RATE) is None  # nothing before the buffer


def test_audio_out_of_reach_is_forgotten() -> None:
    recent = RecentAudio(reach_s=2.0)
    for _ in range(10):
        recent.push(seconds(1, 0.3))
    with pytest.raises(ValueError, match="out of reach"):
        recent.audio_from(0)
    assert len(recent.audio_from(8 * SAMPLE_RATE)) == 2 * SAMPLE_RATE
