"""The pre-roll reaches back only into the current capture, never into an earlier one.

The ring outlives the stream that fills it: with keep-mic-open off the
microphone closes after each dictation, and a device switch or failure reopens
it. The next capture appends after the old audio, so "0.3 s before the press"
measured in ring positions would be the end of the last dictation (or the old
device), heard again at the start of this one. Here the first capture is loud
and the second silent: no loud sample may reach the second dictation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from app.ui.dictation.microphone import Microphone
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.controller_rig import build_rig

LOUD = np.full(16_000, 0.5, np.float32)  # 1 s of the first capture
QUIET = np.zeros(1_600, np.float32)  # what the second capture hears: 0.1 s, then silence
LOOK_BACK_S = 2.0  # longer than the second capture so far: it would reach the first


def _loudest(ring: RingBuffer, start: int) -> float:
    samples = ring.read_since(start).samples
    return float(np.max(np.abs(samples))) if len(samples) else 0.0


def test_a_reopened_source_marks_where_its_capture_starts() -> None:
    fake = FakeSoundDevice(LOUD)
    ring = RingBuffer(capacity_seconds=10)
    source = MicSource(ring, backend=fake)
    source.start()
    assert fake.streams[0].played.wait(10)
    source.stop()
    reopened_at = ring.position
    fake.audio = QUIET
    source.start()
    assert ring.capture_start == reopened_at
    assert ring.position_before(LOOK_BACK_S) >= reopened_at
    assert _loudest(ring, ring.position_before(LOOK_BACK_S)) == 0.0
    source.stop()


@pytest.mark.gui
def test_keep_mic_open_off_the_second_pre_roll_holds_none_of_the_first(
    qtbot: QtBot, tmp_path: Path
) -> None:
    fake = FakeSoundDevice(LOUD)
    rig = build_rig(tmp_path, ["first"], sound_device=fake, keep_mic_open=False, pre_roll_ms=1000)
    starts: list[int | None] = []  # where each dictation's audio starts (pre-roll included)
    start_job = rig.worker.start

    def recording_start(position: int | None = None, *rest: Any) -> int:
        starts.append(position)
        return start_job(position, *rest)

    rig.worker.start = recording_start  # type: ignore[method-assign]
    try:
        with qtbot.waitSignal(rig.mic.opened):
            assert rig.controller.start()
        assert fake.streams[0].played.wait(10)
        rig.controller.stop()  # keep-mic-open off: the microphone closes
        qtbot.waitUntil(lambda: rig.states[-1] == "idle", timeout=10_000)
        qtbot.waitUntil(lambda: not rig.mic.is_open)  # closed in the microphone's lane
        second_capture = rig.mic.ring.position
        fake.audio = QUIET
        with qtbot.waitSignal(rig.mic.opened):
            assert rig.controller.start()
        assert fake.streams[1].played.wait(10)
        assert starts[1] is not None
        assert starts[1] >= second_capture
        assert _loudest(rig.mic.ring, starts[1]) == 0.0
    finally:
        rig.close()


@pytest.mark.gui
def test_after_a_device_switch_the_pre_roll_holds_none_of_the_old_device(qtbot: QtBot) -> None:
    fake = FakeSoundDevice(LOUD)
    mic = Microphone(backend=fake)
    try:
        with qtbot.waitSignal(mic.opened):
            mic.open()
        assert fake.streams[0].played.wait(10)
        switched_at = mic.ring.position
        fake.audio = QUIET
        with qtbot.waitSignal(mic.opened):
            assert mic.set_device("Fake Microphone") is None  # the open stream moves over
        assert fake.streams[1].played.wait(10)
        start = mic.ring.position_before(LOOK_BACK_S)
        assert start >= switched_at
        assert _loudest(mic.ring, start) == 0.0
        assert mic.level_dbfs() < -59  # the meter reads the new device only
    finally:
        mic.close()
