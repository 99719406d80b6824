"""Disabled buttons in a dark palette: dimmer text, flatter face, kept on theme changes.

The contrast is the WCAG 2 ratio between a text colour and the button face it
sits on. The screenshot shows the idle window (Cancel disabled) in a dark palette;
SAYTYPE_SAVE_SCREENSHOTS=1 writes it to docs/screenshots for the README.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.engine.pause_gate import PauseGate
from app.core.output.history import HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from app.ui.history.history_panel import HistoryPanel
from app.ui.shell.disabled_contrast import (
    DisabledContrast,
    contrast_ratio,
    dim_disabled,
    is_dark,
)
from app.ui.shell.main_window import MainWindow
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.fakes.scripted_pipeline import ScriptedPipeline
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

G = QPalette.ColorGroup
R = QPalette.ColorRole
MIN_LIGHTNESS_GAP = 60  # enabled and disabled text differ by at least this (HSL, 0-255)


def dark_palette() -> QPalette:
    """A dark palette whose disabled text is as bright as the enabled (the reported case)."""
    palette = QPalette(QColor("#353535"), QColor("#2b2b2b"))  # button, window
    for group in (G.Active, G.Inactive, G.Disabled):
        palette.setColor(group, R.ButtonText, QColor("#eeeeee"))
        palette.setColor(group, R.WindowText, QColor("#eeeeee"))
        palette.setColor(group, R.Text, QColor("#eeeeee"))
        palette.setColor(group, R.Base, QColor("#1e1e1e"))
    palette.setColor(G.Disabled, R.ButtonText, QColor("#dddddd"))
    return palette


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[QApplication]:
    """The application, with its palette put back afterwards."""
    original = qapp.palette()
    yield qapp
    qapp.setPalette(original)


def test_dark_disabled_text_has_clearly_less_contrast_than_enabled() -> None:
    palette = dim_disabled(dark_palette())
    enabled = contrast_ratio(
        palette.color(G.Active, R.ButtonText), palette.color(G.Active, R.Button)
    )
    disabled = contrast_ratio(
        palette.color(G.Disabled, R.ButtonText), palette.color(G.Disabled, R.Button)
    )
    assert enabled >= 7  # readable
    assert disabled <= enabled / 2  # clearly weaker
    assert disabled >= 1.5  # still legible
    for role in (R.ButtonText, R.WindowText, R.Text):
        gap = (
            palette.color(G.Active, role).lightness() - palette.color(G.Disabled, role).lightness()
        )
        assert gap >= MIN_LIGHTNESS_GAP, role
    flat = palette.color(G.Disabled, R.Button)
    assert flat != palette.color(G.Active, R.Button)
    assert contrast_ratio(flat, palette.color(G.Active, R.Window)) < contrast_ratio(
        palette.color(G.Active, R.Button), palette.color(G.Active, R.Window)
    )


def test_dimming_twice_changes_nothing() -> None:
    once = dim_disabled(dark_palette())
    assert dim_disabled(once) == once


def test_wcag_ratio_matches_the_standard_extremes() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#777777")) == pytest.approx(1.0)


def test_follows_theme_changes_and_leaves_light_palettes_alone(
    qtbot: QtBot, app_palette: QApplication
) -> None:
    light = QPalette(QColor("#efefef"))
    app_palette.setPalette(light)
    light_disabled = QApplication.palette().color(G.Disabled, R.ButtonText)
    contrast = DisabledContrast(app_palette)
    try:
        assert not is_dark(QApplication.palette())
        assert QApplication.palette().color(G.Disabled, R.ButtonText) == light_disabled

        app_palette.setPalette(dark_palette())  # the user switches to a dark theme
        qtbot.waitUntil(
            lambda: (
                QApplication.palette().color(G.Disabled, R.ButtonText)
                == dim_disabled(dark_palette()).color(G.Disabled, R.ButtonText)
            )
        )

        app_palette.setPalette(light)  # and back
        qtbot.waitUntil(
            lambda: QApplication.palette().color(G.Disabled, R.ButtonText) == light_disabled
        )
    finally:
        app_palette.removeEventFilter(contrast)
        contrast.deleteLater()


def test_idle_window_in_a_dark_palette(
    qtbot: QtBot, app_palette: QApplication, tmp_path: Path
) -> None:
    app_palette.setPalette(dark_palette())
    contrast = DisabledContrast(app_palette)
    mic = Microphone(backend=FakeSoundDevice(np.zeros(16_000, np.float32)))
    worker = InferenceWorker(ScriptedPipeline(["dark"], pass_seconds=0.02), mic.ring, mic.new_audio)
    history = HistoryStore(tmp_path / "history.sqlite3")
    controller = DictationController(worker, mic, FakeDelivery(), history, Settings(), "tiny.en")
    files = FileJobRunner(ModelHost(resolve_model("tiny.en")), PauseGate())  # never loaded
    window = MainWindow(
        controller, mic, HistoryPanel(history), "Ctrl+Shift+Space", QueuePanel(files)
    )
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitExposed(window)
        window.show_model_status("ready")
        assert not window.cancel.isEnabled()
        shown = window.cancel.palette()
        assert contrast_ratio(
            shown.color(G.Disabled, R.ButtonText), shown.color(G.Disabled, R.Button)
        ) < contrast_ratio(
            window.record.palette().color(G.Active, R.ButtonText), shown.color(G.Active, R.Button)
        )
        save_screenshot(window, "main-window-dark.png", tmp_path)
    finally:
        app_palette.removeEventFilter(contrast)
        contrast.deleteLater()
        assert files.shutdown()
        assert worker.shutdown(5000)
        history.close()
