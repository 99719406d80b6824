"""Connects the desktop parts' signals: window ↔ tray ↔ controller ↔ history ↔ settings.

Kept out of the composition root so that building (main.py) and reacting
(here) each stay readable. Settings are saved here, so a failed save is shown
to the user rather than lost.
"""

from __future__ import annotations

import logging
import shutil
import sys
from typing import Any

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

_WHERE = {
    "typed": "Typed into the focused app.",
    "pasted": "Pasted into the focused app.",
    "clipboard": "Copied to the clipboard.",
    "window": "Shown in the Saytype window.",
}


def wire_desktop(  # noqa: PLR0917 - the parts to connect
    app: Any,
    controller: Any,
    window: Any,
    tray: Any,
    worker: Any,
    history_panel: Any,
    delivery: Any,
) -> None:
    """Connect every cross-part signal of the desktop app."""
    worker.model_ready.connect(lambda: window.show_model_status("ready"))
    worker.model_failed.connect(lambda message: _model_failed(window, message))

    tray.show_window_requested.connect(lambda: _show(window))
    tray.copy_last_requested.connect(controller.copy_last)
    tray.quit_requested.connect(QApplication.quit)
    tray.settings_requested.connect(lambda: open_settings(app))
    tray.set_has_last(False)
    window.settings_requested.connect(lambda: open_settings(app))
    window.quit_requested.connect(QApplication.quit)

    def on_completed(where: str, source: str) -> None:
        tray.set_has_last(bool(controller.last_text))
        if source == "tray" and where in _WHERE and app.parts["settings"].notifications:
            tray.notify("Saytype", _WHERE[where])

    controller.completed.connect(on_completed)
    if history_panel is not None:
        controller.history_added.connect(history_panel.add_entry)
        history_panel.retype_requested.connect(controller.retype)
        history_panel.copy_requested.connect(
            lambda _text: window.statusBar().showMessage("Copied.", 3000)
        )
        history_panel.error_occurred.connect(
            lambda message: window.notice.show_notice("error", message)
        )
    delivery.waiting_for_release.connect(
        lambda _id: window.statusBar().showMessage(
            "Release the hotkey keys to deliver the text…", 3000
        )
    )


def _show(window: Any) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()


def _model_failed(window: Any, message: str) -> None:
    window.show_model_status("failed")
    window.notice.show_notice("error", f"The model could not be loaded: {message}")


def open_settings(app: Any) -> None:
    """Show the settings dialog; apply and save what the user accepts."""
    from app.core.audio.mic_devices import MicError, input_device_names, load_backend
    from app.core.autostart import desktop_exec_command
    from app.core.settings import SettingsError, apply_start_at_login, save_settings
    from app.ui.settings_dialog import SettingsDialog

    try:
        devices = input_device_names(load_backend())
    except MicError as exc:
        log.info("no input devices listed: %s", exc)
        devices = []
    window = app.parts["window"]
    current = app.parts["settings"]
    dialog = SettingsDialog(current, devices, ["tiny.en"], parent=window)
    if not dialog.exec():
        return
    new = dialog.result_settings()
    try:
        save_settings(new)
        if new.start_at_login != current.start_at_login:
            apply_start_at_login(new.start_at_login, desktop_exec_command(_launch_command()))
    except (SettingsError, OSError) as exc:
        window.notice.show_notice("error", f"The settings could not be saved: {exc}")
    app.parts["settings"] = new
    apply_settings(app, current, new)


def _launch_command() -> list[str]:
    """How to start this Saytype again at login: its console script, else this Python."""
    script = shutil.which("saytype")
    return [script] if script else [sys.executable, "-m", "app"]


def apply_settings(app: Any, old: Any, new: Any) -> None:
    """Make new settings take effect without a restart where possible."""
    from app.core.hotkeys.chord import parse_chord

    controller = app.parts["controller"]
    controller.apply_settings(new)
    hotkeys = app.parts["hotkeys"]
    if (new.hotkey, new.hotkey_mode, new.hold_threshold_ms) != (
        old.hotkey,
        old.hotkey_mode,
        old.hold_threshold_ms,
    ):
        hotkeys.set_chord(parse_chord(new.hotkey))
        hotkeys.set_mode(new.hotkey_mode)
    microphone = app.parts["microphone"]
    if new.input_device != old.input_device:
        error = microphone.set_device(new.input_device)
        if error:
            app.parts["window"].notice.show_notice("error", error)
    if new.keep_mic_open and not microphone.is_open:
        microphone.open()
    if new.model != old.model or new.language != old.language:
        app.parts["window"].notice.show_notice(
            "info", "The new model or language is used after Saytype restarts."
        )
