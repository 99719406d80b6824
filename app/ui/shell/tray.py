"""The tray icon: state at a glance, quick capture on a left click, and a small menu.

Without a system tray (many Wayland and bare X sessions) nothing is created;
the window, the hotkeys and the control socket still do everything. On Wayland
a panel that starts after Saytype still gets the icon (:mod:`panel_watch`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.ui.shell.panel_watch import PanelWatch, host_registered
from app.ui.shell.state_icons import icon_state, state_icon

log = logging.getLogger(__name__)

_TOOLTIPS = {
    "idle": "Saytype: ready",
    "listening": "Saytype: listening…",
    "working": "Saytype: transcribing…",
    "error": "Saytype: the last dictation failed",
}


class Tray(QObject):
    """Wraps QSystemTrayIcon; emits what the user asked for."""

    toggle_requested = Signal()
    copy_last_requested = Signal()
    show_window_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()
    unload_model_requested = Signal()
    pause_history_toggled = Signal(bool)
    appeared = Signal()  # the icon was created after startup (a panel came later)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self.menu.setAccessibleName("Saytype tray menu")
        self.start_stop = self._action("&Start dictation", self.toggle_requested)
        self.copy_last = self._action("&Copy last", self.copy_last_requested)
        self.pause_history = QAction("&Pause history", self.menu)
        self.pause_history.setCheckable(True)
        self.pause_history.setToolTip("While checked, dictations are not saved")
        self.pause_history.toggled.connect(self.pause_history_toggled.emit)
        self.menu.addAction(self.pause_history)
        self.menu.addSeparator()
        self._action("Show &window", self.show_window_requested)
        self._action("Se&ttings…", self.settings_requested)
        self.unload_model = self._action("&Unload model now", self.unload_model_requested)
        self.menu.addSeparator()
        self._action("&Quit", self.quit_requested)
        self.icon: QSystemTrayIcon | None = None
        self.memory_text = ""
        self.engine_text = ""  # where audio goes while a remote engine is active
        self.state = "idle"
        self._panel: PanelWatch | None = None
        if QGuiApplication.platformName() == "wayland" and not host_registered():
            # Asking Qt now would make it remember "no tray" for good (panel_watch).
            self._panel = PanelWatch(self)
            if self._panel.start():
                self._panel.host_ready.connect(self._show_late)
            log.info("no system tray yet: the icon appears once a panel offers one")
        elif QSystemTrayIcon.isSystemTrayAvailable():
            self._show_icon()
        else:
            log.info("no system tray: the window and hotkeys do everything")

    def _show_icon(self) -> None:
        self.icon = QSystemTrayIcon(state_icon(self.state))
        self.icon.setContextMenu(self.menu)
        self.icon.setToolTip(self.tooltip)
        self.icon.activated.connect(self._on_activated)
        self.icon.show()

    def _show_late(self) -> None:
        if self.icon is None and QSystemTrayIcon.isSystemTrayAvailable():
            self._show_icon()
            self.appeared.emit()

    @property
    def available(self) -> bool:
        """Whether a tray icon is shown."""
        return self.icon is not None

    def set_state(self, dictation_state: str) -> None:
        """Show a DictationState value in the icon, tooltip and menu."""
        self.state = icon_state(dictation_state)
        self.start_stop.setText(
            "&Stop dictation" if dictation_state == "listening" else "&Start dictation"
        )
        self.start_stop.setEnabled(dictation_state in {"idle", "listening", "error"})
        if self.icon is not None:
            self.icon.setIcon(state_icon(self.state))
            self.icon.setToolTip(self.tooltip)

    def show_memory(self, loaded: bool, rss_mb: float) -> None:
        """Add the model's state and Saytype's memory to the tooltip."""
        self.memory_text = f"model {'loaded' if loaded else 'unloaded'}, {rss_mb:.0f} MB"
        self.unload_model.setEnabled(loaded)
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip)

    def show_engine(self, where: str) -> None:
        """Say in the tooltip where audio goes while a remote engine is active ("" = local)."""
        self.engine_text = f"audio goes to {where}" if where else ""
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip)

    @property
    def tooltip(self) -> str:
        """The state, then the memory and the remote engine when there are any."""
        details = ", ".join(text for text in (self.memory_text, self.engine_text) if text)
        return f"{_TOOLTIPS[self.state]} ({details})" if details else _TOOLTIPS[self.state]

    def set_history_paused(self, paused: bool) -> None:
        """Check the menu entry to match the setting (without asking to change it again)."""
        blocked = self.pause_history.blockSignals(True)
        self.pause_history.setChecked(paused)
        self.pause_history.blockSignals(blocked)

    def set_has_last(self, has_last: bool) -> None:
        """Enable Copy last once there is a text."""
        self.copy_last.setEnabled(has_last)

    def notify(self, title: str, message: str) -> None:
        """A desktop notification, when the tray can show one."""
        if self.icon is not None and self.icon.supportsMessages():
            self.icon.showMessage(title, message, state_icon(self.state), 4000)

    def hide(self) -> None:
        """Remove the icon, and wait for no panel any more (at quit)."""
        if self._panel is not None:
            self._panel.stop()
        if self.icon is not None:
            self.icon.hide()

    def _action(self, text: str, signal: SignalInstance) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(signal.emit)
        self.menu.addAction(action)
        return action

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:  # a left click
            self.toggle_requested.emit()
