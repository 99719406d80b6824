"""The main window's size and place, kept from one run to the next.

Qt's own ``saveGeometry`` bytes are written to ``window-geometry`` beside the
settings whenever the window is hidden (closed to the tray, or quitting), and
given back to it at the next start. Qt's ``restoreGeometry`` refuses damaged
bytes and moves a window whose screen is gone back onto one that is there, so a
bad file only means the default size.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject
from PySide6.QtWidgets import QWidget

from app.core.atomic_file import write_bytes_atomically
from app.core.paths import config_dir

log = logging.getLogger(__name__)

_MAX_BYTES = 4096  # Qt's geometry is about 66 bytes: anything far larger is not one


def window_place_path() -> Path:
    """Where the window's size and place are kept."""
    return config_dir() / "window-geometry"


class WindowPlace(QObject):
    """Gives ``window`` the size and place it had last, and keeps them when it is hidden."""

    def __init__(self, window: QWidget, path: Path | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._path = path or window_place_path()
        self._restore()
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Keep the place once the window is hidden; never consumes the event."""
        if watched is self._window and event.type() == QEvent.Type.Hide:
            self.save()
        return False

    def save(self) -> None:
        """Write the window's geometry now (a failure is logged: only its place is lost)."""
        try:
            write_bytes_atomically(self._path, bytes(self._window.saveGeometry().data()))
        except OSError as exc:
            log.warning("could not keep the window's size and place in %s: %s", self._path, exc)

    def _restore(self) -> None:
        try:
            data = self._path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("could not read the window's size and place from %s: %s", self._path, exc)
            return
        if len(data) > _MAX_BYTES or not self._window.restoreGeometry(QByteArray(data)):
            log.warning("ignored %s: not a window geometry", self._path)
