"""Connects the desktop parts' signals: window ↔ tray ↔ controller ↔ history ↔ settings.

Kept out of the composition root (main.py) so both stay readable; settings_applier applies.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.core.compositor_focus import ask_compositor_to_focus
from app.core.dictation_session import HEARING_STATES, DictationState
from app.core.output.history import UNDELIVERED, HistoryEntry
from app.core.text.shaper import with_space_after
from app.ui.dictation.microphone import mic_notices
from app.ui.history.history_retry import HistoryRetry
from app.ui.shell.focus_marks import focus_page_on_switch
from app.ui.shell.last_dictation import LastDictation
from app.ui.shell.remote_notices import RemoteNotices
from app.ui.shell.server_wait import show_the_server_wait
from app.ui.shell.window_place import WindowPlace

if TYPE_CHECKING:
    from app.core.settings import Settings
    from app.ui.dictation.dictation_controller import DictationController
    from app.ui.dictation.hotkey_bridge import HotkeyBridge
    from app.ui.dictation.microphone import Microphone
    from app.ui.dictation.retype import RetypeCountdown
    from app.ui.files.file_jobs import FileJobRunner
    from app.ui.history.history_panel import HistoryPanel
    from app.ui.shell.desktop_parts import DesktopParts
    from app.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

_WHERE = {
    "typed": "Typed into the focused app.",
    "pasted": "Pasted into the focused app.",
    "clipboard": "Copied to the clipboard.",
    "window": "Shown in the Saytype window.",
}


def wire_desktop(parts: DesktopParts, quit_app: Callable[[], None]) -> None:
    """Connect every cross-part signal of the desktop app; Quit calls ``quit_app``."""
    from app.ui.settings.settings_applier import open_settings

    controller, window, tray = parts.controller, parts.window, parts.tray
    WindowPlace(window)  # the size and place it had last, before it is shown
    window.show_engine(parts.engine.where)  # where audio goes, while a remote engine is active
    tray.show_engine(parts.engine.where)
    _wire_problems(parts)
    tray.show_window_requested.connect(lambda: show_window(window))
    tray.copy_last_requested.connect(controller.copy_last)
    ask_to_quit = partial(_ask_to_quit, parts, quit_app)
    tray.quit_requested.connect(ask_to_quit)
    tray.settings_requested.connect(lambda: open_settings(parts))
    last = LastDictation(controller, parts.history, tray.set_has_last)
    last.restore()
    focus_page_on_switch(window.side_tabs)  # Alt+H, Alt+I: the keyboard goes along
    window.settings_requested.connect(lambda: open_settings(parts))
    window.quit_requested.connect(ask_to_quit)

    def on_completed(where: str, source: str) -> None:
        tray.set_has_last(bool(controller.last_text))
        notifications = parts.settings.notifications
        message = quick_capture_message(where, source, notifications=notifications)
        if message is not None:
            tray.notify("Saytype", message)

    controller.completed.connect(on_completed)
    # Saytype's own keystrokes reach the hotkey listener too (XTest marks none of them).
    for answered in (parts.delivery.delivered, parts.delivery.failed):
        answered.connect(lambda *_: parts.hotkeys.forget_typed_keys())
    _wire_history(parts, last)
    files = parts.files
    configure_file_jobs(files, parts.settings)
    files.use_endpoint(parts.engine.endpoint, parts.engine.fallback)  # as dictation does
    queue_panel = parts.queue_panel
    window.files_dropped.connect(lambda paths: [files.add(path) for path in paths])
    queue_panel.open_files_requested.connect(window.choose_files)
    queue_panel.results_requested.connect(lambda job_id: _show_results(parts, job_id))
    controller.state_changed.connect(
        lambda state: queue_panel.set_paused(state in {"listening", "finishing"})
    )
    if parts.cues is not None:
        parts.cues.follow(controller, parts.microphone, lambda: parts.settings)
    media = parts.media
    if media is not None:
        media.recover()  # players a crash left paused play again
        controller.state_changed.connect(
            lambda state: media.on_state(state, enabled=parts.settings.pause_media)
        )
    release_keys = "Release the keys held to deliver the text…"
    parts.delivery.waiting_for_release.connect(
        lambda _id: window.statusBar().showMessage(release_keys, 3000)
    )
    show_the_server_wait(window, controller, parts.engine)
    controller.history.heard_by = parts.engine.heard_by  # which server heard a text
    window.pause_history_toggled.connect(lambda paused: set_history_paused(parts, paused))
    tray.pause_history_toggled.connect(lambda paused: set_history_paused(parts, paused))
    show_history_paused(parts, parts.settings.pause_history)


def _ask_to_quit(parts: DesktopParts, quit_app: Callable[[], None]) -> None:
    """Quit, first asking when a dictation or files would stop unsaved."""
    from app.ui.shell.quit_confirm import confirm_quit

    dictating = parts.controller.session.state in HEARING_STATES  # words not in history yet
    unsaved = parts.queue_panel.unsaved_transcripts()
    confirm_quit(
        parts.window,
        parts.files.jobs_left,
        quit_app,
        dictating=dictating,
        unsaved=unsaved,
        unsaved_dictations=parts.controller.history.unsaved_count,
    )


def _wire_history(parts: DesktopParts, last: LastDictation) -> None:
    """The History tab: new entries, deletes (Copy last follows them), re-type, retry."""
    controller, window, history_panel = parts.controller, parts.window, parts.history_panel
    controller.history_added.connect(last.added)
    if history_panel is None:
        return
    controller.history_added.connect(history_panel.add_entry)
    controller.history_updated.connect(history_panel.update_entry)  # a failed delivery's mark
    history_panel.deletes.removed.connect(last.removed)
    history_panel.deletes.restored.connect(last.restored)
    wire_retype(parts.retype, history_panel, controller, window, parts.hotkeys)
    if parts.history is not None:  # Retry: the kept recording heard again, into history
        retry = HistoryRetry(
            parts.files, parts.history, lambda: controller.model_name, parent=history_panel
        )
        history_panel.retry_requested.connect(retry.retry)
        retry.added.connect(history_panel.add_entry)
        retry.message.connect(window.notice.show_notice)
    history_panel.copy_requested.connect(
        lambda _text: window.statusBar().showMessage("Copied.", 3000)
    )
    history_panel.status_message.connect(
        lambda message: window.statusBar().showMessage(message, 8000)
    )
    history_panel.error_occurred.connect(
        lambda message: window.notice.show_notice("error", message)
    )


def wire_retype(
    retype: RetypeCountdown,
    history_panel: HistoryPanel,
    controller: DictationController,
    window: MainWindow,
    hotkeys: HotkeyBridge,
) -> None:
    """History → Re-type: a countdown, one delivery (not into Saytype), the list focused after."""
    from app.ui.dictation.retype import RetypeBanner

    window.show_banner(RetypeBanner(retype), visible=False)  # shown while counting down
    retype.notice.connect(window.notice.show_notice)
    retype.resolved.connect(window.notice.withdraw)  # a stale warning stayed for good
    retype.counting.connect(lambda left: log.info("re-type countdown: %d s", left) if left else 0)
    retype.counting.connect(lambda left: hotkeys.hold_escape(left > 0))  # Esc in any window
    retype.finished.connect(history_panel.focus_list)  # the panel's own slot: gone with it
    hotkeys.escape_pressed.connect(retype.cancel)

    retyping: list[HistoryEntry | None] = [None]  # the entry whose text is going out
    failure = [""]  # the newest warning: a failed delivery says why in one

    def warned(level: str, message: str) -> None:
        if level == "warning":
            failure[0] = message

    controller.notice.connect(warned)

    def finished(how: str) -> None:
        log.info("re-type finished: %s", how)
        if how in _RETYPED:
            window.statusBar().showMessage(_RETYPED[how], 5000)
        entry, retyping[0] = retyping[0], None
        if how in {"typed", "pasted"} and entry is not None and entry.delivered_to in UNDELIVERED:
            history_panel.mark_delivered(entry, how)  # reached its app after all
            failed_now = controller.session.state is DictationState.ERROR
            if failed_now and entry.text == controller.last_text:
                window.notice.withdraw(failure[0])  # the failure it told of is mended
                controller.dismiss_error()

    retype.finished.connect(finished)

    def request(text: str) -> None:
        if controller.settings.trailing_space:  # as a dictation is typed: the next follows
            text = with_space_after(text)
        if controller.session.active:
            window.statusBar().showMessage("Finish the dictation first, then re-type.", 5000)
        elif not retype.request(text):
            window.statusBar().showMessage("A re-type is already under way.", 5000)
        else:
            retyping[0] = history_panel.selected_entry()

    history_panel.retype_requested.connect(request)

    # A dictation started meanwhile comes first: its keys and ours must not mix.
    def dictation_started(state: str) -> None:
        if state == "listening" and retype.cancel():
            window.statusBar().showMessage("Re-type cancelled: a dictation started.", 5000)

    controller.state_changed.connect(dictation_started)


_RETYPED = {
    "typed": "Re-typed into the focused app.",
    "pasted": "Re-typed (pasted) into the focused app.",
    "cancelled": "Re-type cancelled; nothing was typed.",
}


def set_history_paused(parts: DesktopParts, paused: bool) -> None:
    """Pause or resume saving dictations (window menu, tray menu) and keep the choice."""
    parts.settings_store.update(parts.settings.replace(pause_history=paused))
    show_history_paused(parts, paused)  # also when unchanged: both menus show the same
    parts.window.statusBar().showMessage(
        "History paused: new dictations are not saved." if paused else "History resumed.", 4000
    )


def show_history_paused(parts: DesktopParts, paused: bool) -> None:
    """Show whether history is paused, in the window and the tray menu."""
    parts.window.show_history_paused(paused)
    parts.tray.set_history_paused(paused)


def quick_capture_message(where: str, source: str, *, notifications: bool) -> str | None:
    """The notification after a tray quick capture: where its text went (None: none).

    Text copied rather than typed says so whoever started it (the hotkey, ``saytype
    toggle``): nothing else shows that it is ready to paste while the window is hidden.
    """
    copied = where == "clipboard" and source != "window"
    if not notifications or (source != "tray" and not copied):
        return None
    return _WHERE.get(where)


def _show_results(parts: DesktopParts, job_id: int) -> None:
    from app.ui.files.results_view import ResultsView

    row = parts.queue_panel.row(job_id)
    if row.transcript is None:  # failed or still running: nothing to show yet
        return
    folder = parts.settings.export_folder or None
    where = Path(folder).expanduser() if folder else None  # "~/Transcripts", as the queue reads it
    view = ResultsView(row.path, row.transcript, where, parts.window)
    view.format.setCurrentText(parts.settings.export_format)  # as Settings → Files says
    view.exported.connect(lambda path: parts.queue_panel.mark_exported(job_id, path))
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()


def show_window(window: MainWindow) -> None:
    """Bring the window to the front; on sway and Hyprland the compositor is asked too."""
    window.showNormal()
    window.raise_()
    window.activateWindow()
    ask_compositor_to_focus(os.environ, os.getpid())


def _model_failed(window: MainWindow, message: str) -> None:
    window.show_model_status("failed")
    window.notice.show_notice("error", f"The model could not be loaded: {message}")


def configure_file_jobs(files: FileJobRunner, settings: Settings) -> None:
    """File jobs decode and shape text as the settings say (batching, vocabulary, commands)."""
    from app.core.file_job_options import FileJobOptions
    from app.core.text.shaper import TextShaper
    from app.ui.files.file_compute import TranscriptSaving

    options = FileJobOptions.from_settings(settings)  # as `saytype transcribe` reads them
    files.configure(
        options.decoding, TextShaper(options.shaping), TextShaper(options.dictation_shaping)
    )
    folder = settings.export_folder.strip()
    files.saving = TranscriptSaving(
        Path(folder).expanduser() if folder else None, settings.export_format
    )


def wire_model_memory(parts: DesktopParts) -> None:
    """Idle unload, the Unload now actions, model notices, and the memory shown.

    File transcription shares the model, so a busy file queue counts as busy too.
    """
    from app.core.engine.process_memory import rss_mb
    from app.ui.dictation.idle_unloader import IdleUnloader

    worker, window, tray, host, files = (
        parts.worker, parts.window, parts.tray, parts.host, parts.files
    )  # fmt: skip
    unloader = IdleUnloader(
        worker, parts.settings.idle_unload_minutes, window, also_busy=lambda: files.is_busy
    )
    files.idle.connect(unloader.restart)
    parts.idle_unloader = unloader

    def show_memory() -> None:
        window.show_memory(host.loaded, rss_mb())
        tray.show_memory(host.loaded, rss_mb())

    def on_unloaded() -> None:
        window.show_model_status("unloaded; reloads on the next dictation")
        show_memory()

    def unload_now() -> None:
        if files.is_busy:  # the file thread uses the same model
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
    RemoteNotices(window.notice, window).follow(worker, parts.controller)
    # No timer: memory changes at model loads and unloads and when work ends (0006).
    worker.idle.connect(show_memory)
    files.idle.connect(show_memory)
    files.progress.connect(show_memory)  # a file job loads an unloaded model again
    show_memory()


def open_microphone(microphone: Microphone, window: MainWindow) -> None:
    """Open the microphone kept open between dictations; a failure is shown on ``window``."""

    def opened(error: str | None) -> None:
        if error is not None:
            window.notice.show_notice("error", error)
        log.info("microphone %s", "open" if error is None else "unavailable")

    microphone.open(on_result=opened)  # on the microphone's lane; the answer comes back here


def _wire_problems(parts: DesktopParts) -> None:
    """The model's state on the window; a microphone problem shown until it opens again."""
    window, worker = parts.window, parts.worker
    worker.model_ready.connect(lambda: window.show_model_status("ready"))
    worker.model_ready.connect(lambda: log.info("model ready"))
    worker.model_failed.connect(lambda message: _model_failed(window, message))
    shown: list[str] = []
    parts.microphone.problem.connect(lambda message: shown.extend(mic_notices(message)))

    def opened() -> None:
        for message in shown:
            window.notice.withdraw(message)
        shown.clear()

    parts.microphone.opened.connect(opened)
    parts.controller.notice_withdrawn.connect(window.notice.withdraw)
    wire_stale_dictation_problems(parts)


def wire_stale_dictation_problems(parts: DesktopParts) -> None:
    """A dictation that went out makes the problems of the dictations before it stale.

    "Release the hotkey keys…", a failed paste, a full disk: each was about one
    dictation, and a new user saw one stay 25 minutes over 50 that went out well.
    Problems raised during the dictation that went out stay, as do the app's own
    (a missing hotkey, a damaged settings file), which do not come from a dictation.
    """
    controller, notice = parts.controller, parts.window.notice
    raised: list[str] = []  # by dictations since the last one began
    before: list[str] = []  # by the dictations before the one under way

    def began(state: str) -> None:
        if state == "listening":
            before.extend(raised)
            raised.clear()

    def completed(where: str, _source: str) -> None:
        if where != "none":  # it went where it was meant to
            for message in before:
                notice.withdraw(message)
            before.clear()

    controller.notice.connect(
        lambda level, message: raised.append(message) if level != "info" else None
    )
    controller.state_changed.connect(began)
    controller.completed.connect(completed)
