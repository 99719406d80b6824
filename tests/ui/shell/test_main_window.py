"""The main window and tray menu: states, live text, history, keyboard, names, palette.

Offscreen, with the real controller, worker thread, sqlite history, file queue
panel and a fake microphone; the model is the scripted pipeline. Screenshots go
to tmp_path, or to docs/screenshots when SAYTYPE_SAVE_SCREENSHOTS=1 (to refresh
the README's), at the window's default size, as a first start shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication, QLineEdit, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from app.core.audio.file_source import MIC_BLOCK_SAMPLES
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.engine.pause_gate import PauseGate
from app.core.output.history import CANCELLED, HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import SILENCE_DBFS, Microphone
from app.ui.files.file_jobs import FileJobRunner
from app.ui.files.queue_panel import QueuePanel
from app.ui.history.history_panel import HistoryPanel
from app.ui.shell.main_window import MainWindow
from app.ui.shell.server_wait import show_the_server_wait
from app.ui.shell.tray import Tray
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.fakes.scripted_pipeline import ScriptedPipeline
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

WORDS = ["meet", "me", "at", "the", "station", "at", "nine", "tomorrow"]
DEFAULT_SIZE = QSize(860, 520)  # what MainWindow opens at; the README shows that


@dataclass
class Ui:
    window: MainWindow
    controller: DictationController
    worker: InferenceWorker
    history: HistoryStore
    delivery: FakeDelivery
    mic: Microphone


@pytest.fixture
def ui(qtbot: QtBot, tmp_path: Path) -> Iterator[Ui]:
    tone = (0.2 * np.sin(np.linspace(0, 40_000 * np.pi, 20 * 16_000))).astype(np.float32)
    mic = Microphone(backend=FakeSoundDevice(tone))
    with qtbot.waitSignal(mic.opened):
        mic.open()
    worker = InferenceWorker(ScriptedPipeline(WORDS, pass_seconds=0.02), mic.ring, mic.new_audio)
    history = HistoryStore(tmp_path / "history.sqlite3")
    delivery = FakeDelivery()
    controller = DictationController(worker, mic, delivery, history, Settings(), "tiny.en")
    panel = HistoryPanel(history)
    controller.history_added.connect(panel.add_entry)
    files = FileJobRunner(ModelHost(resolve_model("tiny.en")), PauseGate())  # never loaded here
    window = MainWindow(controller, mic, panel, "Ctrl+Shift+Space", QueuePanel(files))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield Ui(window, controller, worker, history, delivery, mic)
    controller.cancel()
    assert files.shutdown()
    assert worker.shutdown(5000)
    mic.close()
    history.close()


def test_idle_window_shows_state_device_and_model(ui: Ui, tmp_path: Path) -> None:
    ui.window.show_model_status("ready")
    assert ui.window.state_label.text() == "Idle"
    assert ui.window.record.text() == "&Record"
    assert not ui.window.cancel.isEnabled()
    ui.window._tick()
    assert "Fake Microphone" in ui.window.device_label.text()
    assert "tiny.en (ready)" in ui.window.device_label.text()
    ui.window.show_memory(True, 560)  # what the app's memory timer shows once the model is in
    assert ui.window.size() == DEFAULT_SIZE
    save_screenshot(ui.window, "main-window-idle.png", tmp_path)


def test_the_meter_runs_only_during_a_dictation(qtbot: QtBot, ui: Ui) -> None:
    assert ui.mic.open() is None  # held open for the pre-roll: idle all the same
    assert not ui.window.meter_running
    assert "Fake Microphone" in ui.window.device_label.text()  # shown on opening, unpolled
    qtbot.mouseClick(ui.window.record, Qt.MouseButton.LeftButton)
    assert ui.window.meter_running
    qtbot.mouseClick(ui.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ui.window.state_label.text() == "Idle")
    assert not ui.window.meter_running
    assert ui.window.meter.value() == SILENCE_DBFS


def test_record_shows_live_text_then_final_in_history(qtbot: QtBot, ui: Ui, tmp_path: Path) -> None:
    qtbot.mouseClick(ui.window.record, Qt.MouseButton.LeftButton)
    assert ui.window.state_label.text() == "Listening…"
    assert ui.window.record.accessibleName() == "Stop"
    assert ui.window.cancel.isEnabled()
    qtbot.waitUntil(
        lambda: bool(ui.window.live.committed and ui.window.live.partial), timeout=10_000
    )
    ui.window.show_model_status("ready")
    ui.window.show_memory(True, 560)
    assert ui.window.size() == DEFAULT_SIZE
    save_screenshot(ui.window, "main-window-dictating.png", tmp_path)
    with qtbot.waitSignal(ui.controller.completed, timeout=10_000) as done:
        qtbot.mouseClick(ui.window.record, Qt.MouseButton.LeftButton)
    # Started from the window: the button's checked flag once stood in for the source, so
    # with the window focused it counted as a hotkey's (a notice, the clipboard taken).
    assert done.args == ["pasted", "window"]
    entry = ui.history.latest()
    assert entry is not None
    assert ui.window.live.toPlainText() == entry.text  # the final replaced both
    assert ui.window.live.partial == ""
    assert ui.window.state_label.text() == "Idle"
    panel = ui.window.findChild(HistoryPanel)
    assert panel is not None
    assert panel.entries()[0].text == entry.text


def test_partial_text_is_dimmed_and_committed_is_not(ui: Ui) -> None:
    live = ui.window.live
    live.show_text("Settled words", " maybe these")  # the partial brings its space
    assert live.toPlainText() == "Settled words maybe these"
    cursor = live.textCursor()
    cursor.setPosition(3)
    committed_colour = cursor.charFormat().foreground().color()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    partial_colour = cursor.charFormat().foreground().color()
    assert committed_colour == live.palette().color(QPalette.ColorRole.Text)
    assert partial_colour == live.palette().color(QPalette.ColorRole.PlaceholderText)
    assert partial_colour != committed_colour


def _colour_at(live: object, position: int) -> QColor:
    cursor = live.textCursor()  # type: ignore[attr-defined]
    cursor.setPosition(position)
    return cursor.charFormat().foreground().color()


def test_escape_cancels_and_shortcuts_start(qtbot: QtBot, ui: Ui) -> None:
    ui.window.activateWindow()
    qtbot.waitActive(ui.window)
    qtbot.keyClick(ui.window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ui.controller.session.state.value == "listening", timeout=5000)
    qtbot.keyClick(ui.window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: ui.controller.session.state.value == "idle", timeout=5000)
    assert_cancelled(ui)


def assert_cancelled(ui: Ui) -> None:
    """Nothing went out; words heard before the cancel, if any, are kept as cancelled."""
    assert ui.delivery.requests == []
    latest = ui.history.latest()
    assert latest is None or latest.delivered_to == CANCELLED


def test_the_dictation_menu_cancels_while_a_dictation_runs(qtbot: QtBot, ui: Ui) -> None:
    # A keyboard-only user looked for Cancel in the Dictation menu and found only the button.
    cancel = next(
        a for a in ui.window.menuBar().actions()[2].menu().actions() if "Cancel" in a.text()
    )
    assert cancel.text() == "&Cancel\tEsc"  # the menu shows the key
    assert not cancel.isEnabled()  # idle: nothing to cancel
    ui.controller.toggle(source="window")
    qtbot.waitUntil(lambda: ui.controller.session.state.value == "listening", timeout=5000)
    assert cancel.isEnabled()
    cancel.trigger()
    qtbot.waitUntil(lambda: ui.controller.session.state.value == "idle", timeout=5000)
    assert not cancel.isEnabled()
    assert_cancelled(ui)


def test_every_focusable_control_has_an_accessible_name(ui: Ui) -> None:
    unnamed = [
        f"{type(w).__name__}({w.objectName() or w.toolTip() or ''})"
        for w in ui.window.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.isVisibleTo(ui.window)
        and not w.accessibleName()
        and not _named_by_text(w)
    ]
    assert unnamed == []


def _named_by_text(widget: QWidget) -> bool:
    text = getattr(widget, "text", None)
    return callable(text) and bool(str(text()).replace("&", "").strip())


def test_tab_reaches_record_cancel_live_text_and_history(qtbot: QtBot, ui: Ui) -> None:
    ui.window.activateWindow()
    qtbot.waitActive(ui.window)
    ui.window.record.setFocus()
    seen = []
    for _ in range(30):
        widget = QApplication.focusWidget()
        seen.append(widget.accessibleName() if widget is not None else "")
        qtbot.keyClick(widget or ui.window, Qt.Key.Key_Tab)
    assert {"Record", "Live text", "Copy last text"} <= set(seen)
    assert any("search" in name.lower() for name in seen)


def test_the_focused_button_is_marked_before_any_key(qtbot: QtBot, ui: Ui) -> None:
    # At launch a keyboard-only user could not see where the focus was: Fusion draws its
    # mark only once a key has moved the focus.
    ui.window.activateWindow()
    qtbot.waitActive(ui.window)
    ui.window.copy_last.setEnabled(True)
    ui.window.copy_last.setFocus()
    qtbot.waitUntil(ui.window.copy_last.hasFocus)
    focused = ui.window.copy_last.grab().toImage()
    ui.window.clear_button.setFocus()
    qtbot.waitUntil(ui.window.clear_button.hasFocus)
    assert ui.window.copy_last.grab().toImage() != focused


def test_ctrl_f_finds_in_history_from_anywhere_in_the_window(qtbot: QtBot, ui: Ui) -> None:
    ui.window.activateWindow()
    qtbot.waitActive(ui.window)
    tabs = ui.window.side_tabs
    other = next(i for i in range(tabs.count()) if tabs.widget(i) is not ui.window.history_panel)
    tabs.setCurrentIndex(other)  # the Files tab shown
    ui.window.record.setFocus()
    qtbot.keyClick(ui.window.record, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    focused = QApplication.focusWidget()
    assert focused is not None
    assert focused.accessibleName().lower().startswith("search")
    assert ui.window.side_tabs.currentWidget() is ui.window.history_panel


def test_dark_palette_is_followed(qtbot: QtBot, ui: Ui) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.PlaceholderText, QColor("#888888"))
    try:
        ui.window.live.show_text("Dark theme", " text")
        app.setPalette(dark)  # while text is shown: it must follow, not keep old colours
        qtbot.waitUntil(lambda: _colour_at(ui.window.live, 2) == QColor("#eeeeee"), timeout=2000)
        assert _colour_at(ui.window.live, len("Dark theme text")) == QColor("#888888")
    finally:
        app.setPalette(original)


def test_level_meter_reads_the_newest_audio(qtbot: QtBot) -> None:
    amplitude = 0.2
    # Whole blocks: the fake pads a last partial block with silence, as PortAudio would not.
    samples = 7 * MIC_BLOCK_SAMPLES
    tone = (amplitude * np.sin(np.linspace(0, samples / 40 * np.pi, samples))).astype(np.float32)
    backend = FakeSoundDevice(tone, after_audio="stall")  # the tone stays the newest audio
    mic = Microphone(backend=backend)
    with qtbot.waitSignal(mic.opened):
        mic.open()
    try:
        assert backend.streams[0].played.wait(5)
        expected = 20 * np.log10(amplitude / np.sqrt(2))  # a sine's RMS in dBFS: about -17
        assert abs(mic.level_dbfs() - expected) < 1.0
    finally:
        mic.close_and_wait()
    assert mic.level_dbfs() == SILENCE_DBFS  # closed: the meter rests


def test_copy_last_uses_the_last_final(qtbot: QtBot, ui: Ui) -> None:
    where = ui.window.copy_last.mapTo(ui.window, QPoint(0, 0))
    ui.window.copy_last.click()
    QCoreApplication.sendPostedEvents()  # the layout requests a new status bar posts
    # A new user's next click missed: the first message made a status bar and moved it up.
    assert ui.window.copy_last.mapTo(ui.window, QPoint(0, 0)) == where
    assert ui.delivery.clipboard is None
    assert "Nothing dictated yet" in ui.window.statusBar().currentMessage()
    ui.controller.last_text = "The last thing said."
    ui.window.copy_last.click()
    assert ui.delivery.clipboard == "The last thing said."


def test_tray_menu_follows_the_state(ui: Ui, tmp_path: Path) -> None:
    tray = Tray()
    labels = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert labels == [
        "&Start dictation",
        "&Copy last",
        "&Pause history",
        "Show &window",
        "Se&ttings…",
        "&Unload model now",
        "&Quit",
    ]
    tray.set_state("listening")
    assert tray.state == "listening"
    assert tray.start_stop.text() == "&Stop dictation"
    tray.set_state("finishing")
    assert tray.state == "working"
    assert not tray.start_stop.isEnabled()
    tray.set_state("error")
    assert tray.state == "error"
    tray.set_state("idle")
    tray.menu.adjustSize()
    save_screenshot(tray.menu, "tray-menu.png", tmp_path)
    tray.hide()


def test_tray_left_click_toggles_and_other_clicks_do_not(qtbot: QtBot) -> None:
    tray = Tray()
    with qtbot.waitSignal(tray.toggle_requested, timeout=1000):
        tray._on_activated(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.assertNotEmitted(tray.toggle_requested):
        tray._on_activated(QSystemTrayIcon.ActivationReason.Context)
    tray.hide()


@pytest.mark.parametrize(
    ("where", "source", "notifications", "message"),
    [
        ("pasted", "tray", True, "Pasted into the focused app."),
        ("clipboard", "tray", True, "Copied to the clipboard."),
        ("typed", "tray", False, None),  # notifications off
        ("pasted", "hotkey", True, None),  # only quick captures from the tray notify
        ("clipboard", "hotkey", True, "Copied to the clipboard."),  # but nothing else shows it
        ("clipboard", "window", True, None),  # the window shows the text
        ("clipboard", "hotkey", False, None),
        ("none", "tray", True, None),  # nothing was heard: the window says so
    ],
)
def test_quick_capture_notification(
    where: str, source: str, notifications: bool, message: str | None
) -> None:
    from app.ui.shell.wiring import quick_capture_message

    assert quick_capture_message(where, source, notifications=notifications) == message


def test_a_queued_folder_is_walked_off_the_gui_thread(qtbot: QtBot, ui: Ui, tmp_path: Path) -> None:
    folder = tmp_path / "talks" / "day1"
    folder.mkdir(parents=True)
    for name in ("b.wav", "a.mp3", "notes.txt"):
        (folder / name).write_bytes(b"x")
    dropped: list[list[Path]] = []
    ui.window.files_dropped.connect(dropped.append)
    ui.window.queue_files([tmp_path / "talks"])
    assert dropped == []  # the walk reports later, through the event loop
    qtbot.waitUntil(lambda: len(dropped) == 1)
    assert [p.name for p in dropped[0]] == ["a.mp3", "b.wav"]


def test_ctrl_z_undoes_a_delete_but_not_in_the_search_box(qtbot: QtBot, ui: Ui) -> None:
    panel = ui.window.history_panel
    assert isinstance(panel, HistoryPanel)
    kept = ui.history.add("Pick up the parcel", 2.0, "tiny.en")
    panel.refresh()
    ui.window.activateWindow()
    qtbot.waitActive(ui.window)
    ui.window.side_tabs.setCurrentWidget(panel)
    panel.select_entry(kept.id)
    panel.delete_selected()
    qtbot.waitUntil(panel.undo_delete_action.isEnabled)  # deleted, and the list knows
    search = next(
        w for w in panel.findChildren(QLineEdit) if w.accessibleName().startswith("Search")
    )
    search.setFocus()
    qtbot.keyClicks(search, "pick")
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert search.text() == ""  # the search box's own undo
    assert ui.history.get(kept.id) is None
    ui.window.record.setFocus()
    qtbot.keyClick(ui.window.record, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ui.history.get(kept.id) == kept)
    shortcuts = ui.window.show_shortcuts()
    assert "Undo delete" in shortcuts.text()
    shortcuts.close()


@pytest.mark.parametrize(
    ("endpoint", "shown"), [(None, "Finishing…"), ("Office", "Waiting for Office…")]
)
def test_a_dictation_finishing_on_a_server_says_it_waits_for_it(
    ui: Ui, endpoint: str | None, shown: str
) -> None:
    engine = SimpleNamespace(endpoint=None if endpoint is None else SimpleNamespace(name=endpoint))
    show_the_server_wait(ui.window, ui.controller, engine)  # type: ignore[arg-type]
    ui.controller.state_changed.emit("finishing")
    assert ui.window.state_label.text() == shown


def test_closing_with_no_tray_asks_to_quit_and_the_window_stays_until_it_does(
    qtbot: QtBot, ui: Ui
) -> None:
    # Closed mid-dictation with no tray, answered "Keep running": the dictation went on
    # and the window was gone, with nothing left to bring it back by.
    asked: list[bool] = []
    ui.window.quit_requested.connect(lambda: asked.append(True))
    ui.window.show()
    qtbot.waitExposed(ui.window)
    assert not ui.window.hides_to_tray
    ui.window.close()
    assert asked == [True]
    assert ui.window.isVisible()  # the quit, if the answer is Quit, closes it
    ui.window.hides_to_tray = True  # with a tray, closing hides it there, asking nothing
    ui.window.close()
    assert asked == [True]
    assert not ui.window.isVisible()
