"""The parts the desktop app is made of, as typed fields (built in app.main, wired in wiring).

One object, one field per part, so the wiring code reads each part with its real
type: no string keys, no ``Any``. Parts that exist only in some setups (no
history store, no unfinished journal to offer) are ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.audio.media_quiet import MediaQuiet
    from app.core.engine.live_pipeline import LivePipeline
    from app.core.engine.model_host import ModelHost
    from app.core.engine.remote.dictation_engine import DictationEngine
    from app.core.output.history import HistoryStore
    from app.core.settings import Settings
    from app.ui.dictation.bound_hotkey import BoundHotkey
    from app.ui.dictation.delivery_service import DeliveryService
    from app.ui.dictation.dictation_controller import DictationController
    from app.ui.dictation.dictation_cues import DictationCues
    from app.ui.dictation.hotkey_bridge import HotkeyBridge
    from app.ui.dictation.idle_unloader import IdleUnloader
    from app.ui.dictation.inference_worker import InferenceWorker
    from app.ui.dictation.listening_indicator import ListeningIndicator
    from app.ui.dictation.microphone import Microphone
    from app.ui.dictation.profile_chooser import ProfileChooser
    from app.ui.dictation.retype import RetypeCountdown
    from app.ui.files.file_jobs import FileJobRunner
    from app.ui.files.queue_panel import QueuePanel
    from app.ui.history.history_panel import HistoryPanel
    from app.ui.history.recovery_offer import RecoveryOffer
    from app.ui.settings.settings_dialog import SettingsDialog
    from app.ui.settings.settings_store import SettingsStore
    from app.ui.shell.control_server import ControlServer
    from app.ui.shell.main_window import MainWindow
    from app.ui.shell.tray import Tray


@dataclass
class DesktopParts:
    """Every long-lived part of the GUI."""

    settings_store: SettingsStore
    history: HistoryStore | None
    host: ModelHost
    pipeline: LivePipeline
    engine: DictationEngine  # the local pipeline, or a saved endpoint around it
    microphone: Microphone
    worker: InferenceWorker
    files: FileJobRunner
    delivery: DeliveryService
    controller: DictationController
    hotkeys: HotkeyBridge
    tray: Tray
    window: MainWindow
    indicator: ListeningIndicator
    history_panel: HistoryPanel | None
    retype: RetypeCountdown
    queue_panel: QueuePanel
    idle_unloader: IdleUnloader | None = None
    profiles: ProfileChooser | None = None
    cues: DictationCues | None = None
    media: MediaQuiet | None = None
    recovery_offer: RecoveryOffer | None = None
    control: ControlServer | None = None
    bound_hotkey: BoundHotkey | None = None  # made at the first `saytype press|release`
    settings_dialog: SettingsDialog | None = None  # while it is open
    settings_opening: bool = False  # its choices are being listed off the GUI thread
    settings_page: str = ""  # the page it showed last: it opens there again

    @property
    def settings(self) -> Settings:
        """The settings in effect now (change them through ``settings_store.update``)."""
        return self.settings_store.current
