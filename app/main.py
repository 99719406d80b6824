"""The composition root: builds the desktop app in order and tears it down in one path.

Order (CONVENTIONS #2): logging → single instance → settings → history → model →
microphone → worker → delivery → controller → hotkeys → tray → window →
listening indicator → control socket. The window shows before the model loads
(it loads on the worker thread), so the app is usable at once. Every part is passed in.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.control_channel import ControlReply, PendingReply, socket_path
from app.running_instance import existing_files, hand_over_or_lead

if TYPE_CHECKING:
    from app.core.settings import Settings
    from app.ui.shell.desktop_parts import DesktopParts
    from app.ui.shell.main_window import MainWindow
    from app.ui.shell.quit_sequence import QuitSequence

log = logging.getLogger(__name__)


def run_gui(
    files: Sequence[Path] = (), control_uids: Sequence[int] = (), *, hidden: bool = False
) -> int:
    """Start the GUI with ``files`` queued, or hand them to the running one; exit status.

    ``control_uids``: users besides ours whose control commands are obeyed (``--control-user``);
    ``hidden``: start in the tray, the window closed (``--hidden``, as at login)."""
    from app.core.offline import enforce_offline

    enforce_offline()  # also when started without the CLI; before the model libraries load
    paths, missing = existing_files(files)
    if missing and not paths:
        return 1
    handed = hand_over_or_lead(paths, hidden=hidden)
    if handed is not None:
        return 1 if missing else handed
    from app.core.display_check import display_problem

    problem = display_problem(os.environ)  # Qt would abort the process instead
    if problem is not None:
        sys.stderr.write(f"saytype: error: {problem}\n")
        return 1
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Saytype")
    app.setDesktopFileName("io.saytype.Saytype")  # matches the installed .desktop file
    app.setQuitOnLastWindowClosed(False)
    from app.ui.shell.disabled_contrast import DisabledContrast
    from app.ui.shell.enter_key import EnterClicksButtons

    DisabledContrast(app)  # a dark theme's disabled buttons must look disabled; app owns it
    EnterClicksButtons(app)  # Enter on a focused button presses it, as Space does
    desktop = DesktopApp.build(control_uids=control_uids, hidden=hidden)
    if paths:
        desktop.queue_files([Path(p) for p in paths])
    status = app.exec()
    ended = desktop.shutdown(wait_ms=1000 if desktop.quitting else 5000)
    if not ended and desktop.threads_running():
        # Destroying a QThread that still runs aborts the process, and a model call
        # cannot be interrupted: leave without running any destructor.
        log.warning("exiting with %s still running", ", ".join(desktop.threads_running()))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(status))
    return int(status)


@dataclass
class DesktopApp:
    """Everything the GUI is made of, built once; :meth:`shutdown` is the only exit path."""

    parts: DesktopParts
    stopped: bool = False
    quitting: QuitSequence | None = None

    @classmethod
    def build(  # noqa: PLR0915 - one linear recipe
        cls,
        sounddevice_backend: object = None,
        control_uids: Sequence[int] = (),
        *,
        hidden: bool = False,
    ) -> DesktopApp:
        """Build and show the app (also used by tests, with a fake sound device).

        ``control_uids``: users besides ours whose control commands are obeyed.
        ``hidden``: the window stays closed when a tray can bring it back.
        """
        from PySide6.QtCore import QTimer

        from app.core.audio.cue_player import CuePlayer, bundled_sounds_dir
        from app.core.audio.media_players import MediaPlayers
        from app.core.audio.media_quiet import MediaJournal, MediaQuiet
        from app.core.engine.live_pipeline import LivePipeline
        from app.core.engine.model_folder import ModelError
        from app.core.engine.model_host import ModelHost, compute_options
        from app.core.engine.model_registry import bundled_instead, resolve_model
        from app.core.engine.pause_gate import PauseGate
        from app.core.engine.remote.dictation_engine import saved_dictation_engine
        from app.core.hotkeys.chord import display_chord
        from app.core.output.delivery_route import choose_delivery_route
        from app.core.output.history import MESSAGE_NO_HISTORY, HistoryError, HistoryStore
        from app.core.paths import data_dir, models_dir
        from app.core.profiles.focused_window import last_app_lookup, window_lookup
        from app.core.settings_file import load_settings
        from app.ui.dictation.delivery_service import DeliveryService
        from app.ui.dictation.dictation_controller import DictationController
        from app.ui.dictation.dictation_cues import DictationCues
        from app.ui.dictation.hotkey_setup import build_hotkey_bridge
        from app.ui.dictation.inference_worker import InferenceWorker
        from app.ui.dictation.listening_indicator import ListeningIndicator
        from app.ui.dictation.microphone import Microphone
        from app.ui.dictation.profile_chooser import ProfileChooser
        from app.ui.dictation.retype import RetypeCountdown
        from app.ui.files.file_jobs import FileJobRunner
        from app.ui.files.queue_offer import offer_waiting_files
        from app.ui.files.queue_panel import QueuePanel
        from app.ui.history.history_panel import HistoryPanel
        from app.ui.history.recovery_offer import offer_recovery
        from app.ui.settings.settings_applier import connect_settings
        from app.ui.settings.settings_store import SettingsStore
        from app.ui.shell.desktop_parts import DesktopParts
        from app.ui.shell.main_window import MainWindow
        from app.ui.shell.tray import Tray
        from app.ui.shell.wiring import open_microphone, wire_desktop, wire_model_memory

        notices: list[tuple[str, str]] = []
        loaded = load_settings()
        settings = loaded.settings
        if loaded.notice:
            notices.append(("warning", loaded.notice))
        log.info("settings loaded")

        history: HistoryStore | None
        try:
            history = HistoryStore()
        except HistoryError as exc:
            history = None  # dictation still works; each text also stays on the clipboard
            notices.append(("error", f"{exc} {MESSAGE_NO_HISTORY}"))
        if history is not None and history.notice:
            notices.append(("warning", history.notice))
        log.info("history opened" if history is not None else "no history this session")

        model_name, model_notice = settings.model, ""
        try:
            source = resolve_model(model_name, models_dir())
        except ModelError as exc:
            model_notice = bundled_instead(model_name, exc)
            notices.append(("error", model_notice))
            model_name = "tiny.en"
            source = resolve_model(model_name)
        host = ModelHost(
            source, compute_options(settings.device, settings.compute_type, settings.cpu_threads)
        )
        pipeline = LivePipeline(
            host, language=settings.language or None, vocabulary=settings.vocabulary
        )

        microphone = Microphone(settings.input_device, backend=sounddevice_backend)

        # Local unless the user made a saved endpoint active (Settings → Engine).
        engine, endpoints_notice = saved_dictation_engine(pipeline)
        notices += [("warning", endpoints_notice)] if endpoints_notice else []
        worker = InferenceWorker(engine, microphone.ring, microphone.new_audio, host=host)
        gate = PauseGate()  # live dictation first: file jobs wait while someone dictates
        files = FileJobRunner(host, gate)
        # Keys sent while one of our windows has the focus would press our own buttons.
        route = choose_delivery_route(os.environ)  # X11 or Wayland, by the session
        # The desktop's remote-control permission, kept so that it asks once.
        route = replace(route, portal_token=data_dir() / "remote-desktop-token")
        log.info("delivery route %s: %s", route.name, route.reason)
        delivery = DeliveryService(own_window_active=_saytype_has_focus, route=route)
        window_holder: list[MainWindow] = []
        # Profiles by window: X11 and sway tell which window has the focus; others do not.
        profiles = ProfileChooser(
            window_lookup(route.name, os.environ),
            last_app=last_app_lookup(route.name, os.environ, os.getpid()),
        )
        controller = DictationController(
            worker,
            microphone,
            delivery,
            history,
            settings,
            model_name,
            own_window_active=lambda: bool(window_holder and window_holder[0].isActiveWindow()),
            gate=gate,
            profiles=profiles,
        )
        profiles.notice.connect(lambda message: controller.notice.emit("warning", message))

        hotkeys = build_hotkey_bridge(settings, notices, controller.notice.emit)
        hotkeys.start_requested.connect(lambda: controller.start(source="hotkey"))
        hotkeys.finish_requested.connect(controller.stop)
        hotkeys.held_changed.connect(controller.set_hotkey_held)
        hotkeys.cancel_requested.connect(controller.escape)
        hotkeys.follow(controller)

        tray = Tray()
        tray.toggle_requested.connect(lambda: controller.toggle(source="tray"))
        controller.state_changed.connect(tray.set_state)
        history_panel = HistoryPanel(history) if history is not None else None
        retype = RetypeCountdown(delivery, own_window_active=_saytype_has_focus)
        queue_panel = QueuePanel(files)
        window = MainWindow(
            controller, microphone, history_panel, display_chord(hotkeys.chord), queue_panel
        )
        window_holder.append(window)
        # Says "listening" where the user looks, with no tray and the window hidden.
        indicator = ListeningIndicator(controller, microphone, enabled=settings.show_indicator)
        window.hides_to_tray = tray.available
        tray.appeared.connect(lambda: setattr(window, "hides_to_tray", True))  # a panel came
        parts = DesktopParts(
            settings_store=SettingsStore(settings),
            history=history,
            host=host,
            pipeline=pipeline,
            engine=engine,
            microphone=microphone,
            worker=worker,
            files=files,
            delivery=delivery,
            controller=controller,
            hotkeys=hotkeys,
            tray=tray,
            window=window,
            indicator=indicator,
            history_panel=history_panel,
            retype=retype,
            queue_panel=queue_panel,
            profiles=profiles,
            cues=DictationCues(CuePlayer(bundled_sounds_dir(), sounddevice_backend)),
            media=MediaQuiet(MediaPlayers(), MediaJournal(data_dir() / "paused-media.json")),
        )
        app = cls(parts)
        wire_desktop(parts, quit_app=app.request_quit)
        wire_model_memory(parts)
        connect_settings(parts)
        if hidden and tray.available:
            log.info("started in the tray, the window closed")
        else:
            window.show()
            log.info("window shown")
        hotkeys.start()  # after the window: its failure message shows there
        for level, message in notices:
            window.notice.show_notice(level, message)
        if (damaged := loaded.notice) is not None:  # replaced once the settings are saved
            parts.settings_store.saved.connect(lambda: window.notice.withdraw(damaged))
        if model_notice:  # no longer true once another model is chosen

            def model_chosen(old: Settings, new: Settings) -> None:
                if new.model != old.model:
                    window.notice.withdraw(model_notice)

            parts.settings_store.changed.connect(model_chosen)
        parts.recovery_offer = offer_recovery(parts)  # a crash left a dictation's audio behind
        offer_waiting_files(parts)  # or files waiting in the Files tab
        worker.load_model()
        if settings.keep_mic_open:  # after the window is up: opening a device can take a while
            QTimer.singleShot(
                0, lambda: None if app.stopped else open_microphone(microphone, window)
            )
        app._listen_for_commands(control_uids)
        return app

    def _listen_for_commands(self, other_uids: Sequence[int]) -> None:
        from app.ui.shell.control_server import ControlServer

        server = ControlServer(socket_path(), self.handle_command, other_uids=other_uids)
        if other_uids:
            uids = ", ".join(map(str, other_uids))
            log.info("control commands are also obeyed from uid %s (--control-user)", uids)
        if not server.listen():
            log.warning("no control socket: `saytype toggle` will not reach this instance")
        self.parts.control = server

    def queue_files(self, paths: list[Path]) -> None:
        """Queue files for transcription (from the command line or a second launch)."""
        self.parts.window.queue_files(paths)

    def handle_command(self, command: str, args: list[str]) -> ControlReply | PendingReply:
        """Obey a command from the control socket (GUI thread); ``start`` answers later."""
        from app.ui.shell.control_commands import obey_command

        return obey_command(self.parts, command, args, request_quit=self.request_quit)

    def request_quit(self) -> None:
        """Quit from inside the event loop: close the parts, wait for the threads, then exit.

        The GUI thread never blocks: the model threads end after their current call and
        say so; the event loop ends once they have, or after ``QUIT_LIMIT_MS`` (then
        :func:`run_gui` exits without destroying a running thread).
        """
        from PySide6.QtWidgets import QApplication

        from app.ui.shell.quit_sequence import FILE_QUIT_PATIENCE_MS, QuitSequence

        if self.quitting is not None or self.stopped:
            return  # already quitting, or shut down (closing the window asks again)
        parts = self.parts
        self.quitting = QuitSequence(parent=parts.window)
        self._close_parts()
        parts.window.hides_to_tray = False
        parts.window.hide()
        self.quitting.wait_for(
            "the live model thread", lambda: parts.worker.thread_running, parts.worker.thread_ended
        )
        files = parts.files  # its segment's words are dropped anyway: not 15 s for them
        ended = files.thread_ended
        self.quitting.wait_for(
            "the file model thread", lambda: files.thread_running, ended, FILE_QUIT_PATIENCE_MS
        )
        dialog = parts.settings_dialog
        if dialog is not None and dialog.models_page is not None:
            page = dialog.models_page
            page.cancel_download()
            self.quitting.wait_for("a download", lambda: page.downloading, page.download_ended)
        self.quitting.finished.connect(lambda _all_ended: QApplication.quit())
        self.quitting.start()

    def threads_running(self) -> list[str]:
        """What is still running after a quit: the model threads (empty once they ended)."""
        parts = self.parts
        return [
            name
            for name, running in (
                ("inference", parts.worker.thread_running),
                ("files", parts.files.thread_running),
            )
            if running
        ]

    def _close_parts(self) -> None:
        """Ask every part to stop, in reverse order of building, without waiting. Once."""
        if self.stopped:
            return
        self.stopped = True
        parts = self.parts
        # The model threads can only end after the model call in progress (a file
        # segment, a live pass, a model load): ask them first, so that wait overlaps
        # the rest of the shutdown and each other instead of adding up.
        steps: list[tuple[str, Callable[[], object]]] = [
            ("files", parts.files.request_stop),
            ("worker", parts.worker.request_stop),
            ("hotkeys", parts.hotkeys.stop),
            ("controller", lambda: parts.controller.cancel(keep_recording=True)),
            ("delivery", parts.delivery.shutdown),
            ("microphone", parts.microphone.close_and_wait),
            ("tray", parts.tray.hide),
            ("indicator", parts.indicator.close_for_quit),
        ]
        if parts.cues is not None:  # before the controller's cancel: a quit sounds no cue
            steps.insert(3, ("cues", parts.cues.close_and_wait))
        if parts.control is not None:
            steps.insert(2, ("control", parts.control.close))
        if parts.history_panel is not None:  # Undo delete ends with the session
            steps.append(("history deletes", parts.history_panel.forget_deleted))
        if parts.history is not None:
            steps.append(("history", parts.history.close))
        for name, step in steps:
            try:
                step()
            except Exception:  # one failing part must not stop the others
                log.exception("shutting down %s failed", name)
        log.info("parts closed")

    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Close everything and wait up to ``wait_ms`` for the model threads; True if they ended.

        For tests and for the session ending under us (the event loop already
        returned). Safe to call twice, and after :meth:`request_quit`.
        """
        self._close_parts()
        workers_ended = self.parts.files.shutdown(wait_ms) & self.parts.worker.shutdown(wait_ms)
        window = self.parts.window
        window.hides_to_tray = False
        window.close()
        window.deleteLater()
        log.info("shut down" if workers_ended else "shut down; a model call was still running")
        return workers_ended


def _saytype_has_focus() -> bool:
    """True while one of Saytype's windows (main window, a dialog) has the keyboard focus."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.focusWindow() is not None
