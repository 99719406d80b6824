"""Whether a panel hosts tray icons (StatusNotifierItems) yet, and a signal once one does.

Qt asks the session bus once per process, at the first tray icon, whether a
StatusNotifierItem host is registered, and remembers the answer. On Wayland
there is no other kind of tray, and a compositor's autostart often runs the
panel and Saytype together: asked too early, Qt would leave Saytype without
an icon for good. So on Wayland Saytype asks the bus itself first, and creates
its icon only once the panel's host has registered.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage, QDBusServiceWatcher

log = logging.getLogger(__name__)

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
_HOST_REGISTERED = "IsStatusNotifierHostRegistered"
_CALL_TIMEOUT_MS = 2000  # the GUI thread waits for the answer, as Qt's own check does


def host_registered(bus: QDBusConnection | None = None) -> bool:
    """Whether a panel's StatusNotifierHost is registered with the watcher now."""
    bus = bus if bus is not None else QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    interface = bus.interface()
    if interface is None or not interface.isServiceRegistered(WATCHER).value():
        return False
    ask = QDBusMessage.createMethodCall(
        WATCHER, WATCHER_PATH, "org.freedesktop.DBus.Properties", "Get"
    )
    ask.setArguments([WATCHER, _HOST_REGISTERED])
    reply = bus.call(ask, QDBus.CallMode.Block, _CALL_TIMEOUT_MS)
    if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
        return False
    value = reply.arguments()[0]
    return bool(getattr(value, "variant", lambda: value)())


class PanelWatch(QObject):
    """Emits :attr:`host_ready` once a panel can host the tray icon (then stops watching)."""

    host_ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = QDBusConnection.sessionBus()
        self._services: QDBusServiceWatcher | None = None
        self._watching = False

    def start(self) -> bool:
        """Watch the bus for a panel; False when there is no session bus to watch."""
        if not self._bus.isConnected():
            return False
        self._watching = True
        # The watcher may appear with its host already registered, or register it later.
        self._services = QDBusServiceWatcher(
            WATCHER, self._bus, QDBusServiceWatcher.WatchModeFlag.WatchForRegistration, self
        )
        self._services.serviceRegistered.connect(self._check)
        self._bus.connect(*self._host_signal())
        return True

    def stop(self) -> None:
        """Stop watching (at quit, or once the icon exists)."""
        if not self._watching:
            return
        self._watching = False
        if self._services is not None:
            self._services.setWatchedServices([])
        self._bus.disconnect(*self._host_signal())

    def _host_signal(self) -> tuple[Any, ...]:
        """The watcher's signal for a new host (from any sender), and our slot for it.

        The slot goes as ``SLOT()``'s text: PySide's stubs say bytes, which it refuses.
        """
        return ("", WATCHER_PATH, WATCHER, "StatusNotifierHostRegistered", self, SLOT("_check()"))

    @Slot()
    def _check(self) -> None:
        if self._watching and host_registered(self._bus):
            log.info("a panel now hosts tray icons")
            self.stop()
            self.host_ready.emit()
