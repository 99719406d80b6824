"""The on-screen listening indicator: shown while listening and finishing, never focused.

Offscreen, with a real controller, worker thread and history (build_rig); the
model is the scripted pipeline. The offscreen platform activates every window it
shows, so "never takes the focus" is checked here through the window flags that
X11 and Wayland obey, and for real on Xvfb in test_listening_indicator_desktop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.core.settings import Settings, setting_fields
from app.ui.dictation.listening_indicator import TAIL_CHARS, ListeningIndicator, text_tail
from tests.support.controller_rig import Rig, build_rig

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support raise"),
]

WORDS = ["please", "call", "the", "office", "after", "lunch"]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = build_rig(tmp_path, WORDS)
    yield made
    made.close()


def _indicator(qtbot: QtBot, rig: Rig, *, enabled: bool = True) -> ListeningIndicator:
    indicator = ListeningIndicator(rig.controller, rig.mic, enabled=enabled)
    qtbot.addWidget(indicator)
    return indicator


def test_it_never_takes_the_focus_nor_the_mouse(qtbot: QtBot, rig: Rig) -> None:
    indicator = _indicator(qtbot, rig)
    flags = indicator.windowFlags()
    for flag in (
        Qt.WindowType.WindowDoesNotAcceptFocus,
        Qt.WindowType.WindowTransparentForInput,
        Qt.WindowType.WindowStaysOnTopHint,
        Qt.WindowType.FramelessWindowHint,
    ):
        assert flags & flag, flag
    assert indicator.windowType() == Qt.WindowType.Tool
    assert indicator.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert indicator.focusPolicy() == Qt.FocusPolicy.NoFocus
    indicator.show_state("listening")
    handle = indicator.windowHandle()
    assert handle is not None
    assert handle.flags() & Qt.WindowType.WindowDoesNotAcceptFocus  # what the platform sees
    indicator.show_state("idle")


def test_shown_while_listening_and_finishing_hidden_when_idle(qtbot: QtBot, rig: Rig) -> None:
    indicator = _indicator(qtbot, rig)
    assert not indicator.isVisible()
    committed: list[str] = []
    rig.worker.committed.connect(lambda _job, text: committed.append(text))
    assert rig.controller.start(source="hotkey")
    assert indicator.isVisible()
    assert indicator.state_label.text() == "Listening…"
    qtbot.waitUntil(lambda: len(committed) >= 2, timeout=10_000)
    qtbot.waitUntil(lambda: bool(indicator.shown_text), timeout=10_000)
    assert indicator.shown_text.startswith("Please call")  # the live text, shaped
    finishing: list[bool] = []
    rig.controller.state_changed.connect(
        lambda state: finishing.append(indicator.isVisible()) if state == "finishing" else None
    )
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        rig.controller.stop()
    assert finishing == [True]
    qtbot.waitUntil(lambda: rig.controller.session.state.value == "idle", timeout=5000)
    assert not indicator.isVisible()


def test_it_sits_at_the_bottom_centre_of_the_screen(qtbot: QtBot, rig: Rig) -> None:
    indicator = _indicator(qtbot, rig)
    indicator.show_state("listening")
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    area = screen.availableGeometry()
    frame = indicator.frameGeometry()
    assert abs(frame.center().x() - area.center().x()) <= 1
    assert area.bottom() - 100 < frame.bottom() < area.bottom()
    indicator.show_state("idle")


def test_a_new_dictation_starts_with_no_old_words(qtbot: QtBot, rig: Rig) -> None:
    indicator = _indicator(qtbot, rig)
    indicator.show_state("listening")
    indicator.show_text("Old words", "")
    indicator.show_state("idle")
    indicator.show_state("listening")
    assert indicator.shown_text == ""
    indicator.show_state("idle")


def test_turned_off_it_is_never_shown(qtbot: QtBot, rig: Rig) -> None:
    indicator = _indicator(qtbot, rig, enabled=False)
    shown: list[str] = []
    rig.controller.state_changed.connect(
        lambda state: shown.append(state) if indicator.isVisible() else None
    )
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        assert rig.controller.start(source="hotkey")
        rig.controller.stop()
    assert shown == []
    assert not indicator.isVisible()


def test_turning_the_setting_on_and_off_applies_at_once(qtbot: QtBot, rig: Rig) -> None:
    indicator = _indicator(qtbot, rig, enabled=False)
    indicator.show_state("listening")
    assert not indicator.isVisible()
    indicator.set_enabled(True)  # switched on mid-dictation: shows now
    assert indicator.isVisible()
    indicator.set_enabled(False)
    assert not indicator.isVisible()


def test_the_setting_is_declared_with_a_plain_label() -> None:
    setting = next(f for f in setting_fields() if f.name == "show_indicator")
    assert setting.label == "Show a listening indicator on screen"
    assert setting.default is True
    assert Settings().show_indicator


@pytest.mark.parametrize(
    ("committed", "partial", "shown"),
    [
        ("", "", ("", "")),
        ("Hello there.", "", ("Hello there.", "")),
        ("Hello", " there", ("Hello", " there")),  # the partial brings its own space
        ("Dear Anna", ", I will", ("Dear Anna", ", I will")),
        ("", "maybe", ("", "maybe")),
    ],
)
def test_text_tail_keeps_short_texts_whole(
    committed: str, partial: str, shown: tuple[str, str]
) -> None:
    assert text_tail(committed, partial) == shown


def test_text_tail_keeps_the_last_characters_and_the_partial_apart() -> None:
    committed = "word " * 30
    settled, unsure = text_tail(committed.strip(), " still unsure")
    assert unsure == " still unsure"
    assert settled.startswith("…")
    assert len(settled + unsure) <= TAIL_CHARS
    long_partial = "x" * 100
    assert text_tail("done", long_partial) == ("", "…" + "x" * (TAIL_CHARS - 1))
