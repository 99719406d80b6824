"""The microphone opens and closes in its own lane: never on the GUI thread, always in order.

A dictation's press (keep-mic-open off) asks for the stream and its release
gives it back; PortAudio's open and close can take seconds, so the fake device
records which thread each call ran on.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.ui.dictation.microphone import Microphone
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.controller_rig import build_rig

pytestmark = pytest.mark.gui


def test_press_and_release_never_call_portaudio_on_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    fake = FakeSoundDevice(np.zeros(16_000, np.float32))
    rig = build_rig(tmp_path, ["hello", "there"], sound_device=fake, keep_mic_open=False)
    try:
        for _ in range(2):
            with qtbot.waitSignal(rig.mic.opened, timeout=5000):
                assert rig.controller.start()
            rig.controller.stop()
            qtbot.waitUntil(lambda: rig.states[-1] == "idle", timeout=10_000)
            qtbot.waitUntil(lambda: not rig.mic.is_open, timeout=5000)
    finally:
        rig.close()
    calls = [call for call, _thread in fake.calls]
    assert calls.count("open") == 2
    assert calls.count("close") == 2
    gui = threading.main_thread()
    assert [call for call, thread in fake.calls if thread is gui] == []


def test_open_close_open_keeps_its_order(qtbot: QtBot) -> None:
    fake = FakeSoundDevice(np.zeros(1_600, np.float32))
    mic = Microphone(backend=fake)
    try:
        with qtbot.waitSignals([mic.opened, mic.opened], timeout=5000):
            mic.open()
            mic.close()
            mic.open()
        assert [call for call, _ in fake.calls if call in {"open", "close"}] == [
            "open",
            "close",
            "open",
        ]
        assert mic.is_open  # the last request wins
    finally:
        assert mic.close_and_wait()
    assert not mic.is_open
    assert fake.streams[-1].closed  # ended before close_and_wait returned


def test_open_reports_its_outcome_on_the_gui_thread(qtbot: QtBot) -> None:
    mic = Microphone(backend=FakeSoundDevice(open_error="Device unavailable [PaErrorCode -9985]"))
    outcomes: list[tuple[str | None, threading.Thread]] = []
    try:
        with qtbot.assertNotEmitted(mic.failed, wait=100):  # on_result has it instead
            mic.open(lambda error: outcomes.append((error, threading.current_thread())))
            assert outcomes == []  # never before open() returns
            qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=5000)
        error, thread = outcomes[0]
        assert error is not None
        assert "Device unavailable" in error
        assert thread is threading.main_thread()
        with qtbot.waitSignal(mic.failed, timeout=5000) as failed:
            mic.open()  # without on_result the failure is a signal
        assert "Device unavailable" in failed.args[0]
    finally:
        mic.close_and_wait()


def test_an_open_failure_fails_the_dictation_with_a_notice(qtbot: QtBot, tmp_path: Path) -> None:
    fake = FakeSoundDevice(open_error="Device unavailable [PaErrorCode -9985]")
    rig = build_rig(tmp_path, ["lost"], sound_device=fake, keep_mic_open=False)
    notices: list[tuple[str, str]] = []
    rig.controller.notice.connect(lambda level, text: notices.append((level, text)))
    try:
        with qtbot.waitSignal(rig.controller.notice, timeout=5000):
            assert rig.controller.start()
        assert rig.controller.session.state.value == "error"
        assert rig.states == ["listening", "error"]
        ((level, text),) = notices
        assert level == "error"
        assert "Device unavailable" in text
        assert rig.history.count() == 0
        assert rig.delivery.typed == ""
        fake.open_error = None  # plugged back in: the next dictation works
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            assert rig.controller.start()
            qtbot.waitUntil(lambda: rig.mic.is_open, timeout=5000)
            rig.controller.stop()
    finally:
        rig.close()
