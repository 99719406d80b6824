"""Settings that apply themselves: the dialog, and each part connected to the settings store.

``SettingsStore.update`` saves and emits ``changed(old, new)``; :func:`connect_settings`
connects every part once. Every setting is listed as applied at once, read
where it is used, or :data:`AFTER_RESTART` (which shows a notice); a test walks
every field so a new setting cannot be forgotten.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from app.ui.shell.background import run_in_background

if TYPE_CHECKING:
    from app.core.desktop_doctor import Finding
    from app.core.engine.remote.endpoint_book import EndpointBook
    from app.core.settings import Settings
    from app.ui.settings.models_page import ModelsPage
    from app.ui.settings.profiles_page import ProfilesPage
    from app.ui.settings.settings_dialog import SettingsDialog
    from app.ui.shell.desktop_parts import DesktopParts

log = logging.getLogger(__name__)

# Put into effect by apply_settings as soon as the user presses OK.
APPLIED_AT_ONCE = (
    "hotkey", "hotkey_mode", "hold_threshold_ms", "input_device", "keep_mic_open",
    "pause_history", "idle_unload_minutes", "show_indicator", "vocabulary", "language",
)  # fmt: skip
# The model and the compute setup are loaded once, by the worker thread.
AFTER_RESTART = ("model", "device", "compute_type", "cpu_threads")
RESTART_NOTICE = "The new model or compute settings are used after Saytype restarts."
# Read afresh where they are used (each dictation, each export, each file job, at login).
READ_WHEN_USED = (
    "output", "delivery", "paste_restore_delay_ms", "type_as_i_speak", "pre_roll_ms",
    "keep_audio", "file_batch_size", "export_folder", "export_format", "start_at_login",
    "notifications", "sound_cues", "cue_volume", "pause_media", "spoken_commands",
    "replacements", "snippets", "capitalize_first", "trailing_space", "remove_fillers",
    "numbers_as_digits", "file_spoken_commands",
)  # fmt: skip


def open_settings(parts: DesktopParts) -> None:
    """Show the settings dialog (window-modal, not blocking); OK saves and applies.

    A second request while it is open brings the open one forward. The input
    devices and models are listed off the GUI thread (PortAudio and the disk take
    tens of milliseconds, the first time far more); the dialog opens when they
    are in, as ``parts.settings_dialog``.
    """
    if parts.settings_dialog is not None:
        parts.settings_dialog.raise_()
        parts.settings_dialog.activateWindow()
        return
    if parts.settings_opening:
        return  # the lists are on their way
    parts.settings_opening = True
    run_in_background(
        partial(_settings_choices, parts.settings.model),
        partial(_show_settings, parts),
        partial(_settings_choices_failed, parts),
        receiver=parts.window,
    )


def _settings_choices(model: str) -> tuple[list[str], list[str], list[Finding]]:
    """(input devices, usable models, doctor's findings) for the dialog; never on the GUI thread."""
    from app.core.audio.mic_devices import MicError, input_device_choices, load_backend

    devices: list[str]  # InputChoice values, each with the label the list shows
    try:
        devices = list(input_device_choices(load_backend()))
    except MicError as exc:
        log.info("no input devices listed: %s", exc)
        devices = []
    return devices, usable_models(), _desktop_findings(model, devices)


def _desktop_findings(model: str, devices: list[str]) -> list[Finding]:
    import os

    from app.core.desktop_doctor import DoctorProbes, diagnose
    from app.core.paths import config_dir, data_dir

    labels = [getattr(device, "label", device) for device in devices]
    probes = DoctorProbes(microphones=lambda: labels)  # listed just now, not twice
    return diagnose(os.environ, model, {"settings": config_dir(), "data": data_dir()}, probes)


def _settings_choices_failed(parts: DesktopParts, exc: BaseException) -> None:
    log.error("listing the settings' choices failed", exc_info=exc)
    _show_settings(parts, ([], usable_models(), []))


def _show_settings(
    parts: DesktopParts, choices: tuple[list[str], list[str], list[Finding]]
) -> None:
    from app.core.engine.remote.endpoint_file import load_endpoints
    from app.ui.settings.engine_page import EnginePage
    from app.ui.settings.settings_dialog import SettingsDialog

    parts.settings_opening = False
    devices, models, findings = choices
    models_page = _models_page()
    engine_page = EnginePage(load_endpoints().book)
    dialog = SettingsDialog(
        parts.settings,
        devices,
        models,
        parent=parts.window,
        models_page=models_page,
        profiles_page=_profiles_page(parts),
        engine_page=engine_page,
        delivery_route=parts.delivery.route,
        desktop_findings=findings,
    )
    dialog.accepted.connect(
        lambda: (
            use_engine(parts, engine_page.chosen(), engine_page.fallback.isChecked())
            if engine_page.choice_changed()
            else None
        )
    )
    engine_page.endpoints_changed.connect(lambda book: follow_endpoints(parts, book))
    models_page.models_changed.connect(partial(_follow_models, dialog, models_page))
    models_page.in_use = partial(_model_in_use, dialog)
    dialog.settings_accepted.connect(parts.settings_store.update)
    dialog.finished.connect(lambda _result: _dispose(parts, dialog, models_page))
    parts.settings_dialog = dialog
    if parts.settings_page in dialog.page_names():
        dialog.show_page(parts.settings_page)
    dialog.open()


def use_engine(parts: DesktopParts, name: str, fallback: bool = True) -> None:
    """Dictate through the saved endpoint ``name`` ("" = local) and say where audio goes."""
    from app.core.engine.remote.endpoint_file import load_endpoints, save_endpoints
    from app.core.settings_error import SettingsError

    book = load_endpoints().book
    if name and book.get(name) is None:
        return
    if (name, fallback) != (book.active, book.fallback):
        book = book.activated(name, fallback)
        try:
            save_endpoints(book)
        except SettingsError as exc:
            parts.window.notice.show_notice("error", f"{exc} The engine applies until you quit.")
    # Followed even when the file already said so: `saytype engines use` may have changed the
    # file while this app went on with the engine it started with.
    follow_endpoints(parts, book)


def follow_endpoints(parts: DesktopParts, book: EndpointBook) -> None:
    """Dictate and transcribe files on ``book``'s active endpoint (none: local); say so."""
    parts.engine.use(book)
    parts.files.use_endpoint(parts.engine.endpoint, parts.engine.fallback)
    parts.window.show_engine(parts.engine.where)
    parts.tray.show_engine(parts.engine.where)


def _dispose(parts: DesktopParts, dialog: SettingsDialog, models_page: ModelsPage) -> None:
    """Free a closed dialog; a download still running is stopped and outlived by its page."""
    parts.settings_page = dialog.current_page()  # OK or Cancel: the next one opens there
    if parts.settings_dialog is dialog:
        parts.settings_dialog = None
    if models_page.downloading:
        models_page.download_ended.connect(dialog.deleteLater)
        models_page.cancel_download()
    else:
        dialog.deleteLater()


def connect_settings(parts: DesktopParts) -> None:
    """Each part applies the settings that concern it whenever they change."""
    from app.core.hotkeys.chord import display_chord, parse_chord
    from app.ui.shell.wiring import configure_file_jobs, show_history_paused

    store, window = parts.settings_store, parts.window
    changed = store.changed
    store.save_failed.connect(
        lambda message: window.notice.show_notice(
            "error", f"{message} The new settings apply until you quit."
        )
    )
    changed.connect(lambda _old, new: parts.controller.apply_settings(new))
    changed.connect(lambda _old, new: show_history_paused(parts, new.pause_history))
    changed.connect(lambda _old, new: parts.indicator.set_enabled(new.show_indicator))
    changed.connect(lambda _old, new: configure_file_jobs(parts.files, new))
    changed.connect(
        lambda old, new: (
            parts.pipeline.set_vocabulary(new.vocabulary)
            if new.vocabulary != old.vocabulary
            else None
        )
    )
    changed.connect(
        lambda old, new: (
            parts.pipeline.set_language(new.language or None)
            if new.language != old.language
            else None
        )
    )

    def apply_hotkey(old: Settings, new: Settings) -> None:
        if new.hotkey != old.hotkey:
            parts.hotkeys.set_chord(parse_chord(new.hotkey))
        window.set_hotkey_text(display_chord(parts.hotkeys.chord), new.hotkey_mode)
        parts.hotkeys.set_mode(new.hotkey_mode)
        parts.hotkeys.set_hold_threshold(new.hold_threshold_ms / 1000)

    changed.connect(apply_hotkey)
    changed.connect(lambda old, new: _apply_microphone(parts, old, new))
    changed.connect(lambda old, new: _apply_idle_unload(parts, old, new))
    changed.connect(lambda old, new: _apply_start_at_login(parts, old, new))
    # What the running model was loaded with: choosing it again needs no restart.
    running = {name: getattr(store.current, name) for name in AFTER_RESTART}
    running["model"] = parts.controller.model_name  # tiny.en where the saved one failed

    def say_when_it_applies(_old: Settings, new: Settings) -> None:
        if any(getattr(new, name) != value for name, value in running.items()):
            window.notice.show_notice("info", RESTART_NOTICE)
        else:
            window.notice.withdraw(RESTART_NOTICE)

    changed.connect(say_when_it_applies)


def _apply_idle_unload(parts: DesktopParts, old: Settings, new: Settings) -> None:
    if parts.idle_unloader is not None and new.idle_unload_minutes != old.idle_unload_minutes:
        parts.idle_unloader.set_minutes(new.idle_unload_minutes)


def _apply_start_at_login(parts: DesktopParts, old: Settings, new: Settings) -> None:
    from app.core.autostart import apply_start_at_login, desktop_exec_command, launch_command
    from app.core.settings_error import SettingsError

    if new.start_at_login == old.start_at_login:
        return
    try:
        apply_start_at_login(new.start_at_login, desktop_exec_command(launch_command()))
    except (SettingsError, OSError) as exc:
        parts.window.notice.show_notice("error", f"Start at login could not be changed: {exc}")


def _apply_microphone(parts: DesktopParts, old: Settings, new: Settings) -> None:
    microphone = parts.microphone
    # Both answer on the microphone's lane; a failure reaches the window as ``failed``.
    if new.input_device != old.input_device:
        microphone.set_device(new.input_device)
    if new.keep_mic_open and not microphone.is_open:
        microphone.open()
    elif not new.keep_mic_open and microphone.is_open and not parts.controller.session.active:
        microphone.close()  # nobody asked for the pre-roll any more: free the device


def usable_models() -> list[str]:
    """Model names the dialog offers: bundled and installed ones."""
    from app.core.engine.model_catalog import ModelStatus, list_models
    from app.core.paths import models_dir

    usable = {ModelStatus.BUNDLED, ModelStatus.INSTALLED}
    return [model.name for model in list_models(models_dir()) if model.status in usable]


def _profiles_page(parts: DesktopParts) -> ProfilesPage:
    from app.ui.settings.profiles_page import ProfilesPage

    chooser = parts.profiles
    if chooser is not None:
        chooser.refresh_last_app()
    return ProfilesPage(last_window=lambda: chooser.last_window if chooser else None)


def _model_in_use(dialog: SettingsDialog) -> str:
    try:
        return dialog.result_settings().model
    except ValueError:  # a field the user is still typing: no model to name
        return ""


def _follow_models(dialog: SettingsDialog, page: ModelsPage) -> None:
    """Offer the models there are now; a removed model in use gives way to the bundled one."""
    models = usable_models()
    removed = dialog.set_models(models)
    if removed is not None:
        page.message.setText(
            f"Removed {removed}, the model in use: Settings → Model now says {models[0]}; "
            "press OK to keep that."
        )


def _models_page() -> ModelsPage:
    import os

    from app.core.engine.model_download import HubAccess
    from app.core.paths import models_dir
    from app.ui.settings.models_page import ModelsPage

    return ModelsPage(models_dir(), HubAccess.from_environment(os.environ))
