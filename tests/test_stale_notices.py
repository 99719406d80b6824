"""Stale notices go: an info with the next dictation, a problem with the next that goes out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from app.ui.dictation.live_view import NOTICES_SHOWN, NoticeBar
from app.ui.shell.main_window import MainWindow
from app.ui.shell.wiring import wire_stale_dictation_problems
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.support.controller_rig import Rig, build_rig

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def silent(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, Rig]]:
    rig = build_rig(tmp_path, [])  # the scripted model hears nothing
    window = MainWindow(rig.controller, rig.mic, None, "Ctrl+Shift+Space")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window, rig
    rig.close()


# The rig's microphone sends digital silence, as a muted or a wrong input does.
NOTHING_HEARD = (
    "No speech was heard: the microphone 'Fake Microphone' sent only silence. Is it the one "
    "you spoke into, and not muted? Settings → Audio chooses another."
)


def _dictate_silence(qtbot: QtBot, rig: Rig) -> None:
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        started = rig.mic.ring.position
        assert rig.controller.start(source="window")
        qtbot.waitUntil(lambda: rig.mic.ring.position > started + 1_600)  # 0.1 s of it
        rig.controller.stop()


def test_no_speech_heard_clears_when_the_next_dictation_starts(
    qtbot: QtBot, silent: tuple[MainWindow, Rig]
) -> None:
    window, rig = silent
    _dictate_silence(qtbot, rig)
    assert window.notice.isVisible()
    assert window.notice.messages == [NOTHING_HEARD]
    with qtbot.assertNotEmitted(window.notice.dismissed):  # not a dismissal by the user
        assert rig.controller.start(source="window")
    assert not window.notice.isVisible()
    assert window.notice.messages == []
    rig.controller.cancel()


def test_warnings_and_errors_stay_when_a_dictation_starts(
    qtbot: QtBot, silent: tuple[MainWindow, Rig]
) -> None:
    window, rig = silent
    window.notice.show_notice("warning", "The global hotkey is unavailable.")
    _dictate_silence(qtbot, rig)
    assert window.notice.messages == ["The global hotkey is unavailable.", NOTHING_HEARD]
    assert window.notice.level == "warning"  # an info does not paint over a warning
    assert rig.controller.start(source="window")
    assert window.notice.isVisible()
    assert window.notice.messages == ["The global hotkey is unavailable."]
    rig.controller.cancel()


@pytest.mark.parametrize("level", ["warning", "error"])
def test_clear_info_keeps_problems_and_their_colours(qtbot: QtBot, level: str) -> None:
    bar = NoticeBar()
    qtbot.addWidget(bar)
    bar.show_notice(level, "Something is wrong.")
    highlight = bar.palette().color(QPalette.ColorRole.Window)
    bar.show_notice("info", "Settings apply after a restart.")
    assert bar.level == level
    bar.clear_info()
    assert bar.messages == ["Something is wrong."]
    assert bar.label.text() == "Something is wrong."
    assert bar.level == level
    assert bar.palette().color(QPalette.ColorRole.Window) == highlight
    assert not bar.isHidden()


def test_clear_info_without_infos_changes_nothing(qtbot: QtBot) -> None:
    bar = NoticeBar()
    qtbot.addWidget(bar)
    bar.clear_info()
    assert bar.isHidden()
    bar.show_notice("info", "Only an info.")
    bar.clear_info()
    assert bar.isHidden()
    assert bar.level == ""


def test_a_failed_delivery_goes_once_a_later_dictation_went_out(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A new user's "Release the hotkey keys…" stayed 25 minutes over 50 dictations that
    # went out; a problem of the app's own (the hotkey) stays.
    delivery = FakeDelivery(fail_with="Could not paste: no focused window.")
    rig = build_rig(tmp_path, ["Hello", "there."], delivery)
    window = MainWindow(rig.controller, rig.mic, None, "Ctrl+Shift+Space")
    qtbot.addWidget(window)
    wire_stale_dictation_problems(SimpleNamespace(controller=rig.controller, window=window))
    window.notice.show_notice("warning", "The global hotkey is unavailable.")
    try:
        _dictate_words(qtbot, rig)
        qtbot.waitUntil(lambda: rig.controller.session.state.value == "error", timeout=10_000)
        assert "Could not paste: no focused window." in window.notice.messages
        delivery.fail_with = None
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            _dictate_words(qtbot, rig)
        assert window.notice.messages == ["The global hotkey is unavailable."]
    finally:
        rig.close()


def _dictate_words(qtbot: QtBot, rig: Rig) -> None:
    """Start, wait until words are committed (audio is flowing), then stop."""
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    assert rig.controller.start(source="hotkey")
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    rig.controller.stop()


def test_several_notices_show_newest_first_with_their_times_and_the_oldest_go(
    qtbot: QtBot,
) -> None:
    # Five sentences from earlier dictations stacked with no times: which one was about the
    # dictation just made could not be told.
    bar = NoticeBar()
    qtbot.addWidget(bar)
    bar.show_notice("warning", "The global hotkey is unavailable.")
    assert bar.label.text() == "The global hotkey is unavailable."  # alone: no time needed
    for number in range(1, NOTICES_SHOWN + 1):
        bar.show_notice("error", f"Dictation {number} failed.")

    lines = bar.label.text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        f"Dictation {number} failed." for number in range(NOTICES_SHOWN, 0, -1)
    ]
    assert all(re.fullmatch(r"\d\d:\d\d", line.split("  ", 1)[0]) for line in lines)
    assert "The global hotkey is unavailable." not in bar.messages  # the oldest went
    bar.show_notice("error", "Dictation 1 failed.")  # said again: on top
    assert bar.label.text().splitlines()[0].endswith("Dictation 1 failed.")
    bar.show_notice("info", "Settings apply after a restart.")
    assert bar.messages[-1] == "Settings apply after a restart."  # the newest shows
    bar.show_notice("info", "Saved to the clipboard.")  # pushes out the other info first
    assert "Settings apply after a restart." not in bar.messages
    assert bar.messages == [f"Dictation {n} failed." for n in (3, 4, 1)] + [
        "Saved to the clipboard."
    ]


def test_a_dictation_with_speech_too_soft_to_be_words_is_not_called_silent(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Only a microphone that sends nothing gets the "wrong input?" hint: room noise is sound.
    hum = (0.01 * np.sin(np.linspace(0, 2_000 * np.pi, 16_000 * 10))).astype(np.float32)
    rig = build_rig(tmp_path, [], sound_device=FakeSoundDevice(hum, realtime=True))
    notices: list[str] = []
    rig.controller.notice.connect(lambda _level, message: notices.append(message))
    try:
        _dictate_silence(qtbot, rig)
        assert notices == ["No speech was heard."]
    finally:
        rig.close()
