"""The main window: record button, state, level, live text, and the history panel.

The window only shows and forwards; the dictation logic lives in the
controller and the Qt-free session. Everything is reachable by keyboard
(mnemonics and shortcuts) and has accessible names; colours come from the
system palette, so light and dark themes both work.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.audio.media_files import MEDIA_EXTENSIONS, collect_media_files
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.live_view import LevelMeter, LiveTextView, NoticeBar
from app.ui.dictation.microphone import SILENCE_DBFS, Microphone
from app.ui.shell.background import run_in_background
from app.ui.shell.focus_marks import keep_focus_marks_on
from app.ui.shell.help_dialogs import add_help_menu, open_about, open_shortcuts, shortcut_rows
from app.ui.shell.menu_actions import add_menu_action
from app.ui.shell.narrow_fit import PanesFit
from app.ui.shell.state_icons import icon_state, state_icon

_STATE_TEXT = {
    "idle": "Idle",
    "listening": "Listening…",
    "finishing": "Finishing…",
    "delivering": "Delivering…",
    "error": "Error",
}
_METER_INTERVAL_MS = 50
# The meter and the elapsed time move only while a dictation runs: idle, the app
# wakes for nothing (20 wake-ups a second cost more than the held-open mic itself).
_TICKING_STATES = frozenset({"listening", "finishing", "delivering"})


class MainWindow(QMainWindow):
    """Saytype's window.

    Args:
        controller: runs the dictations this window starts and shows.
        microphone: read for the level meter and the device name.
        history_panel: the history widget (None when the store could not open).
        hotkey_text: the hotkey as shown to people, e.g. "Ctrl+Shift+Space".
    """

    settings_requested = Signal()
    quit_requested = Signal()
    unload_model_requested = Signal()
    files_dropped = Signal(list)  # media files (folders already expanded) to queue
    pause_history_toggled = Signal(bool)

    def __init__(
        self,
        controller: DictationController,
        microphone: Microphone,
        history_panel: QWidget | None,
        hotkey_text: str,
        queue_panel: QWidget | None = None,
    ) -> None:
        super().__init__()
        self.setAcceptDrops(True)
        self.queue_panel = queue_panel
        self.controller = controller
        self._mic = microphone
        self.hides_to_tray = False
        self.setWindowTitle("Saytype")
        self.setWindowIcon(state_icon("idle"))
        self.setAccessibleName("Saytype")
        self.resize(860, 520)

        self.record = QPushButton("&Record")
        self.record.setAccessibleName("Record")
        # Not the method itself: clicked would pass its checked flag as the source.
        self.record.clicked.connect(lambda: controller.toggle(source="window"))
        self.cancel = QPushButton("&Cancel")
        self.cancel.setAccessibleName("Cancel dictation")
        self.cancel.setToolTip("Drop this dictation; nothing is typed (Esc)")
        self.cancel.setShortcut(QKeySequence("Esc"))
        self.cancel.clicked.connect(controller.cancel)
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Dictation state")
        self.elapsed = QLabel("0:00")
        self.elapsed.setAccessibleName("Elapsed time")
        self.meter = LevelMeter()
        self.device_label = QLabel()
        self.memory_label = QLabel()
        self.memory_label.setAccessibleName("Model memory")
        self.device_label.setAccessibleName("Microphone and model")
        self.engine_label = QLabel()
        self.engine_label.setAccessibleName("Where audio goes")
        self.engine_label.setWordWrap(True)
        self.engine_label.hide()
        self.model_status = "loading…"
        self._opened_from = Path.home()  # Open files… starts where files came from last
        self.notice = NoticeBar()
        self.notice.dismissed.connect(controller.dismiss_error)
        self.live = LiveTextView()
        self.set_hotkey_text(hotkey_text, controller.settings.hotkey_mode)
        self._build_live_buttons()
        self._build_layout(history_panel)
        self._build_menus()
        self.statusBar()  # made now: made by the first message, it moved every button up
        controller.state_changed.connect(self.show_state)
        controller.live_text.connect(self.live.show_text)
        controller.notice.connect(self.notice.show_notice)
        self._timer = QTimer(self)
        self._timer.setInterval(_METER_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        # The device line needs no polling: it changes when the stream opens or is moved.
        for change in (microphone.opened, microphone.lost):
            change.connect(lambda *_: self._show_device_line())
        self.show_state("idle")
        self.show_model_status("loading…")

    def _build_live_buttons(self) -> None:
        self.copy_last = QPushButton("Cop&y last")
        self.copy_last.setAccessibleName("Copy last text")
        self.copy_last.clicked.connect(self._copy_last)
        # No mnemonic: Alt+L opens He&lp (every letter of "Help" is taken); Ctrl+L clears.
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear live text")
        self.clear_button.setToolTip("Clear the live text (Ctrl+L)")
        self.clear_button.clicked.connect(lambda: self.live.show_text("", ""))

    def _build_layout(self, history_panel: QWidget | None) -> None:
        top = QHBoxLayout()
        top.addWidget(self.record)
        top.addWidget(self.cancel)
        top.addWidget(self.state_label)
        top.addStretch(1)
        top.addWidget(self.elapsed)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(self.meter)
        left.addWidget(self.device_label)
        left.addWidget(self.engine_label)
        left.addWidget(self.memory_label)
        left.addWidget(self.live, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_last)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        live_pane = QWidget()
        live_pane.setLayout(left)
        splitter = QSplitter()
        splitter.addWidget(live_pane)
        self.side_tabs = QTabWidget()
        self.side_tabs.setAccessibleName("History and files")
        self.side_tabs.tabBar().setAccessibleName("History and files tabs")
        self.history_panel = history_panel
        if history_panel is not None:
            self.side_tabs.addTab(history_panel, "&History")
        if self.queue_panel is not None:
            self.side_tabs.addTab(self.queue_panel, "F&iles")
        if self.side_tabs.count():
            splitter.addWidget(self.side_tabs)
            splitter.setSizes([480, 380])
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(self.notice)
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.device_label.setWordWrap(True)  # a long device name must not widen the window
        self.panes_fit = PanesFit(self, splitter)  # a narrow tile stacks the panes
        keep_focus_marks_on()  # Fusion's marks waited for a key that moved the focus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        add_menu_action(
            file_menu, "&Open files…", QKeySequence.StandardKey.Open, "Ctrl+O"
        ).triggered.connect(self.choose_files)
        add_menu_action(
            file_menu, "&Settings…", QKeySequence.StandardKey.Preferences, "Ctrl+,"
        ).triggered.connect(self.settings_requested)
        file_menu.addSeparator()
        add_menu_action(
            file_menu, "&Quit", QKeySequence.StandardKey.Quit, "Ctrl+Q"
        ).triggered.connect(self.quit_requested)
        edit_menu = self.menuBar().addMenu("&Edit")
        add_menu_action(edit_menu, "&Copy last text", None, "Ctrl+Shift+C").triggered.connect(
            self._copy_last
        )
        add_menu_action(edit_menu, "C&lear live text", None, "Ctrl+L").triggered.connect(
            self.clear_button.click
        )
        if self.history_panel is not None:
            find = add_menu_action(
                edit_menu, "&Find in history", QKeySequence.StandardKey.Find, "Ctrl+F"
            )
            find.triggered.connect(self._find_in_history)
            undo = getattr(self.history_panel, "undo_delete_action", None)
            if isinstance(undo, QAction):  # Ctrl+Z: the panel's own action and keys
                edit_menu.addAction(undo)
        dictation = self.menuBar().addMenu("&Dictation")
        add_menu_action(dictation, "&Start or stop", None, "Ctrl+R").triggered.connect(
            lambda: self.controller.toggle(source="window")
        )
        # Esc itself is the Cancel button's shortcut; the menu shows it and finds the item.
        self.cancel_action = QAction("&Cancel\tEsc", self, enabled=False)
        self.cancel_action.triggered.connect(self.cancel.click)
        dictation.addAction(self.cancel_action)
        self.unload_action = add_menu_action(dictation, "&Unload model now", None, "Ctrl+U")
        self.unload_action.setToolTip("Free the model's memory; the next dictation reloads it")
        self.unload_action.triggered.connect(self.unload_model_requested)
        dictation.addSeparator()
        self.pause_history_action = add_menu_action(
            dictation, "&Pause history", None, "Ctrl+Shift+P"
        )
        self.pause_history_action.setCheckable(True)
        self.pause_history_action.setToolTip("While checked, new dictations are not saved")
        self.pause_history_action.toggled.connect(self.pause_history_toggled)
        add_help_menu(self, self.show_shortcuts, self.show_about)

    def show_about(self) -> QMessageBox:
        """Help → About Saytype: version, model, licences and folders."""
        return open_about(self, self.controller.model_name)

    def show_shortcuts(self) -> QMessageBox:
        """Help → Keyboard shortcuts, read from the menus so the list never drifts."""
        menus = [a.menu() for a in self.menuBar().actions()]
        actions = [a for menu in menus if isinstance(menu, QMenu) for a in menu.actions()]
        return open_shortcuts(self, shortcut_rows(actions, self._hotkey_text, self._hotkey_mode))

    def set_hotkey_text(self, hotkey_text: str, mode: str = "auto") -> None:
        """Name the global hotkey (as shown to people, used as ``mode`` says) in the hints."""
        self._hotkey_text, self._hotkey_mode = hotkey_text, mode
        self.record.setToolTip(f"Start or stop a dictation (global hotkey: {hotkey_text})")
        how = "Tap" if mode == "toggle" else "Hold"  # "Tap to start and stop" in Settings
        self.live.setPlaceholderText(f"{how} {hotkey_text}, or press Record, and speak.")

    def show_state(self, state: str) -> None:
        """Reflect a DictationState value in the buttons, label and icon."""
        self.state_label.setText(_STATE_TEXT.get(state, state))
        listening = state == "listening"
        self.record.setText("&Stop" if listening else "&Record")
        self.record.setAccessibleName("Stop" if listening else "Record")
        self.record.setEnabled(state in {"idle", "listening", "error"})
        self.cancel.setEnabled(state in {"listening", "finishing", "delivering"})
        self.cancel_action.setEnabled(self.cancel.isEnabled())
        self.setWindowIcon(state_icon(icon_state(state)))
        if state in _TICKING_STATES:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
            self.meter.show_level(SILENCE_DBFS)  # at rest until the next dictation
        if state == "idle":
            self.elapsed.setText("0:00")
        elif listening:
            self.notice.clear_info()  # "No speech was heard." is about the last dictation

    @property
    def meter_running(self) -> bool:
        """Whether the level meter and elapsed time are being updated (only in a dictation)."""
        return self._timer.isActive()

    def _find_in_history(self) -> None:
        panel = self.history_panel
        if panel is not None and hasattr(panel, "focus_search"):
            self.side_tabs.setCurrentWidget(panel)
            panel.focus_search()

    def show_history_paused(self, paused: bool) -> None:
        """Mark the History tab and the menu while dictations are not being saved."""
        blocked = self.pause_history_action.blockSignals(True)
        self.pause_history_action.setChecked(paused)
        self.pause_history_action.blockSignals(blocked)
        if self.history_panel is not None:
            index = self.side_tabs.indexOf(self.history_panel)
            self.side_tabs.setTabText(index, "&History (paused)" if paused else "&History")
            self.side_tabs.setTabToolTip(
                index, "History is paused: new dictations are not saved" if paused else ""
            )

    def show_banner(self, banner: QWidget, *, visible: bool = True) -> None:
        """Put ``banner`` (an offer such as crash recovery) under the notice bar.

        ``visible=False`` places a banner that shows itself when it has something to say.
        """
        central = self.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, banner)
        banner.setVisible(visible)

    def show_memory(self, loaded: bool, rss_mb: float) -> None:
        """Show whether the model is in memory and how much memory Saytype uses."""
        state = "loaded" if loaded else "unloaded"
        self.memory_label.setText(f"Model {state} · Saytype uses {rss_mb:.0f} MB")
        if loaded and self.model_status.startswith("unloaded"):  # a file job loaded it again
            self.show_model_status("ready")

    def show_engine(self, where: str) -> None:
        """Say where dictation audio is sent while a remote engine is active ("" = local)."""
        self.engine_label.setText(
            f"Remote engine: your dictations' audio is sent to {where}." if where else ""
        )
        self.engine_label.setVisible(bool(where))

    def show_model_status(self, status: str) -> None:
        """Show the model's state (loading…, ready, or an error) next to the device."""
        self.model_status = status
        self._show_device_line()

    def _show_device_line(self) -> None:
        device = self._mic.device_name or "system default microphone"
        self.device_label.setText(
            f"Microphone: {device} · Model: {self.controller.model_name} ({self.model_status})"
        )

    def _tick(self) -> None:
        self.meter.show_level(self._mic.level_dbfs())
        seconds = int(self.controller.elapsed_s)
        if self.controller.session.active:
            self.elapsed.setText(f"{seconds // 60}:{seconds % 60:02d}")
        self._show_device_line()

    def _copy_last(self) -> None:
        if self.controller.copy_last():
            self.statusBar().showMessage("Copied the last text.", 3000)
        else:
            self.statusBar().showMessage("Nothing dictated yet.", 3000)

    def choose_files(self) -> None:
        """ "Open files…": pick audio or video files to transcribe."""
        names, _filter = QFileDialog.getOpenFileNames(
            self,
            "Transcribe files",
            str(self._opened_from),
            "Audio and video ("
            + " ".join(f"*{e}" for e in sorted(MEDIA_EXTENSIONS))
            + ");;All files (*)",
        )
        if names:
            self._opened_from = Path(names[0]).parent
            self.queue_files([Path(name) for name in names])

    def queue_files(self, paths: list[Path]) -> None:
        """Expand folders and hand the media files to the queue (shown in the Files tab).

        A folder is walked off the GUI thread (a large tree or a network mount can take
        seconds); its files are queued when the walk is done.
        """
        if any(path.is_dir() for path in paths):
            run_in_background(
                partial(collect_media_files, paths),
                self._queue_collected,
                lambda exc: self.statusBar().showMessage(f"Could not read the folder: {exc}", 6000),
            )
            return
        self._queue_collected(collect_media_files(paths))

    def _queue_collected(self, files: list[Path]) -> None:
        if not files:
            self.statusBar().showMessage("No audio or video files there.", 4000)
            return
        if self.queue_panel is not None:
            self.side_tabs.setCurrentWidget(self.queue_panel)
        self.files_dropped.emit(files)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        """Accept drags of local files and folders."""
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        """Queue the dropped files (folders recursively)."""
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.queue_files(paths)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Closing hides to the tray when there is one; otherwise it quits, and the window
        stays until then (after "Keep running" none was left, and no tray to reach it)."""
        event.ignore()
        if self.hides_to_tray:
            self.hide()
        else:
            self.quit_requested.emit()
