"""Connects the desktop parts' signals: window ↔ tray ↔ controller ↔ history ↔ settings.

Kept out of the composition root so that building (main.py) and reacting
(here) each stay readable. Settings are saved here, so a failed save is shown
to the user rather than lost.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
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
    worker.model_ready.connect(lambda: log.info("model ready"))
    worker.model_failed.connect(lambda message: _model_failed(window, message))

    tray.show_window_requested.connect(lambda: _show(window))
    tray.copy_last_requested.connect(controller.copy_last)
    tray.quit_requested.connect(QApplication.quit)
    tray.settings_requested.connect(lambda: open_settings(app))
    restore_last_text(controller, app.parts["history"])
    tray.set_has_last(bool(controller.last_text))
    window.settings_requested.connect(lambda: open_settings(app))
    window.quit_requested.connect(QApplication.quit)

    def on_completed(where: str, source: str) -> None:
        tray.set_has_last(bool(controller.last_text))
        notifications = app.parts["settings"].notifications
        message = quick_capture_message(where, source, notifications=notifications)
        if message is not None:
            tray.notify("Saytype", message)

    controller.completed.connect(on_completed)
    if history_panel is not None:
        controller.history_added.connect(history_panel.add_entry)
        wire_retype(app.parts["retype"], history_panel, controller, window)
        history_panel.retry_requested.connect(
            lambda path: window.queue_files([Path(path)])  # into the Files tab
        )
        history_panel.copy_requested.connect(
            lambda _text: window.statusBar().showMessage("Copied.", 3000)
        )
        history_panel.error_occurred.connect(
            lambda message: window.notice.show_notice("error", message)
        )
    files = app.parts["files"]
    configure_file_jobs(files, app.parts["settings"])
    queue_panel = app.parts["queue_panel"]
    window.files_dropped.connect(lambda paths: [files.add(path) for path in paths])
    queue_panel.open_files_requested.connect(window.choose_files)
    queue_panel.results_requested.connect(lambda job_id: _show_results(app, job_id))
    controller.state_changed.connect(
        lambda state: queue_panel.set_paused(state in {"listening", "finishing"})
    )
    delivery.waiting_for_release.connect(
        lambda _id: window.statusBar().showMessage(
            "Release the hotkey keys to deliver the text…", 3000
        )
    )
    window.pause_history_toggled.connect(lambda paused: set_history_paused(app, paused))
    tray.pause_history_toggled.connect(lambda paused: set_history_paused(app, paused))
    _show_history_paused(app, app.parts["settings"].pause_history)


def restore_last_text(controller: Any, history: Any) -> None:
    """After a restart, Copy last copies the newest history entry (what was dictated last)."""
    from app.core.output.history import HistoryError

    if history is None or controller.last_text:
        return
    try:
        latest = history.latest()
    except HistoryError as exc:
        log.warning("the last dictation could not be read back: %s", exc)
        return
    if latest is not None:
        controller.last_text = latest.text


def wire_retype(retype: Any, history_panel: Any, controller: Any, window: Any) -> None:
    """History → Re-type: a countdown banner, then one delivery (never into Saytype)."""
    from app.ui.retype import RetypeBanner

    window.show_banner(RetypeBanner(retype), visible=False)  # shown while counting down
    retype.notice.connect(window.notice.show_notice)
    retype.counting.connect(
        lambda left: log.info("re-type countdown: %d s", left) if left else None
    )

    def finished(how: str) -> None:
        log.info("re-type finished: %s", how)
        if how in _RETYPED:
            window.statusBar().showMessage(_RETYPED[how], 5000)

    retype.finished.connect(finished)

    def request(text: str) -> None:
        if controller.session.active:
            window.statusBar().showMessage("Finish the dictation first, then re-type.", 5000)
        elif not retype.request(text):
            window.statusBar().showMessage("A re-type is already under way.", 5000)

    history_panel.retype_requested.connect(request)
    # A dictation started meanwhile comes first: its keys and ours must not mix.
    controller.state_changed.connect(
        lambda state: retype.cancel() if state == "listening" else None
    )


_RETYPED = {
    "typed": "Re-typed into the focused app.",
    "pasted": "Re-typed (pasted) into the focused app.",
    "cancelled": "Re-type cancelled; nothing was typed.",
}


def set_history_paused(app: Any, paused: bool) -> None:
    """Pause or resume saving dictations (window menu, tray menu) and keep the choice."""
    from app.core.settings import SettingsError
    from app.core.settings_file import save_settings

    window = app.parts["window"]
    current = app.parts["settings"]
    if current.pause_history != paused:
        new = current.replace(pause_history=paused)
        try:
            save_settings(new)
        except SettingsError as exc:
            window.notice.show_notice("error", f"The setting could not be saved: {exc}")
        app.parts["settings"] = new
        app.parts["controller"].apply_settings(new)
    _show_history_paused(app, paused)
    window.statusBar().showMessage(
        "History paused: new dictations are not saved." if paused else "History resumed.", 4000
    )


def _show_history_paused(app: Any, paused: bool) -> None:
    app.parts["window"].show_history_paused(paused)
    app.parts["tray"].set_history_paused(paused)


def quick_capture_message(where: str, source: str, *, notifications: bool) -> str | None:
    """The notification after a tray quick capture: where its text went (None: none)."""
    if source != "tray" or not notifications:
        return None
    return _WHERE.get(where)


def _show_results(app: Any, job_id: int) -> None:
    from pathlib import Path

    from app.ui.results_view import ResultsView

    row = app.parts["queue_panel"].row(job_id)
    folder = getattr(app.parts["settings"], "export_folder", "") or None
    view = ResultsView(
        row.path, row.transcript, Path(folder) if folder else None, app.parts["window"]
    )
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()


def _show(window: Any) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()


def _model_failed(window: Any, message: str) -> None:
    window.show_model_status("failed")
    window.notice.show_notice("error", f"The model could not be loaded: {message}")


def open_settings(app: Any) -> None:
    """Show the settings dialog; apply and save what the user accepts."""
    from app.core.audio.mic_devices import MicError, input_device_choices, load_backend
    from app.core.autostart import desktop_exec_command
    from app.core.settings import SettingsError, apply_start_at_login
    from app.core.settings_file import save_settings
    from app.ui.settings_dialog import SettingsDialog

    devices: list[str]  # InputChoice values, each with the label the list shows
    try:
        devices = list(input_device_choices(load_backend()))
    except MicError as exc:
        log.info("no input devices listed: %s", exc)
        devices = []
    window = app.parts["window"]
    current = app.parts["settings"]
    dialog = SettingsDialog(
        current, devices, _usable_models(), parent=window, models_page=_models_page()
    )
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


def _usable_models() -> list[str]:
    from app.core.engine.model_catalog import ModelStatus, list_models
    from app.core.paths import models_dir

    usable = {ModelStatus.BUNDLED, ModelStatus.INSTALLED}
    return [model.name for model in list_models(models_dir()) if model.status in usable]


def _models_page() -> Any:
    import os

    from app.core.engine.model_download import HubAccess
    from app.core.paths import models_dir
    from app.ui.models_page import ModelsPage

    return ModelsPage(models_dir(), HubAccess.from_environment(os.environ))


def _launch_command() -> list[str]:
    """How to start this Saytype again at login (a frozen bundle: its own executable)."""
    from app.core.autostart import launch_command

    return launch_command()


def configure_file_jobs(files: Any, settings: Any) -> None:
    """File jobs decode and shape text as the settings say (batching, vocabulary, commands)."""
    from app.core.engine.file_transcriber import TranscribeOptions
    from app.core.text.shaper import ShapingOptions, TextShaper

    options = TranscribeOptions(
        language=settings.language or None,
        batch_size=settings.file_batch_size,
        vocabulary=tuple(settings.vocabulary),
    )
    files.configure(options, TextShaper(ShapingOptions.from_settings(settings)))


def apply_settings(app: Any, old: Any, new: Any) -> None:
    """Make new settings take effect without a restart where possible."""
    from app.core.hotkeys.chord import parse_chord

    controller = app.parts["controller"]
    controller.apply_settings(new)
    _show_history_paused(app, new.pause_history)
    indicator = app.parts.get("indicator")
    if indicator is not None:
        indicator.set_enabled(new.show_indicator)
    configure_file_jobs(app.parts["files"], new)
    pipeline = app.parts.get("pipeline")
    if pipeline is not None and new.vocabulary != old.vocabulary:
        pipeline.set_vocabulary(new.vocabulary)
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
    unloader = app.parts.get("idle_unloader")
    if unloader is not None and new.idle_unload_minutes != old.idle_unload_minutes:
        unloader.set_minutes(new.idle_unload_minutes)
    compute = ("device", "compute_type", "cpu_threads")
    if (
        new.model != old.model
        or new.language != old.language
        or any(getattr(new, name) != getattr(old, name) for name in compute)
    ):
        app.parts["window"].notice.show_notice(
            "info", "The new model, language or compute settings are used after Saytype restarts."
        )


def wire_model_memory(  # noqa: PLR0917 - the parts to connect
    app: Any, worker: Any, window: Any, tray: Any, host: Any, files: Any = None
) -> None:
    """Idle unload, the Unload now actions, model notices, and the memory shown.

    ``files`` (the file-transcription runner, sharing the model) counts as busy too.
    """
    from PySide6.QtCore import QTimer

    from app.core.engine.process_memory import rss_mb
    from app.ui.idle_unloader import IdleUnloader

    unloader = IdleUnloader(
        worker,
        app.parts["settings"].idle_unload_minutes,
        window,
        also_busy=lambda: files is not None and files.is_busy,
    )
    if files is not None:
        files.idle.connect(unloader.restart)
    app.parts["idle_unloader"] = unloader

    def show_memory() -> None:
        window.show_memory(host.loaded, rss_mb())
        tray.show_memory(host.loaded, rss_mb())

    def on_unloaded() -> None:
        window.show_model_status("unloaded; reloads on the next dictation")
        show_memory()

    def unload_now() -> None:
        if files is not None and files.is_busy:  # the file thread uses the same model
            window.statusBar().showMessage("Files are being transcribed; unload when done.", 4000)
        else:
            worker.unload_model()

    window.unload_model_requested.connect(unload_now)
    tray.unload_model_requested.connect(unload_now)
    worker.model_unloaded.connect(on_unloaded)
    worker.model_loading.connect(lambda: window.show_model_status("reloading…"))
    worker.model_ready.connect(show_memory)
    worker.unload_deferred.connect(
        lambda: window.statusBar().showMessage("The model is busy; it unloads when idle.", 3000)
    )
    worker.model_notice.connect(lambda message: window.notice.show_notice("warning", message))
    timer = QTimer(window)
    timer.setInterval(5000)
    timer.timeout.connect(show_memory)
    timer.start()
    show_memory()
