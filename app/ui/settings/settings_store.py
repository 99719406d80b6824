"""The current settings, owned in one place: saved atomically, and ``changed`` for every part.

Parts do not read a settings object handed to them once: each connects to
``changed(old, new)`` and applies what concerns it (app.ui.settings.settings_applier
makes those connections). A save that fails is reported, and the new values are
still used for this session, so the user's choice is never silently dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.core.settings import Settings
from app.core.settings_error import SettingsError
from app.core.settings_file import save_settings

log = logging.getLogger(__name__)


class SettingsStore(QObject):
    """Holds the current ``Settings``; :meth:`update` saves, then emits ``changed(old, new)``.

    Signals:
        changed(Settings, Settings): the previous and the new settings, after a save.
        save_failed(str): why the new settings could not be written (they still apply).
        saved(): the new settings were written (before ``changed``).
    """

    changed = Signal(object, object)
    save_failed = Signal(str)
    saved = Signal()

    def __init__(
        self,
        settings: Settings,
        save: Callable[[Settings], None] = save_settings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._current = settings
        self._save = save

    @property
    def current(self) -> Settings:
        """The settings in effect now."""
        return self._current

    def update(self, new: Settings) -> None:
        """Save ``new`` atomically and make it current; nothing happens when nothing changed."""
        if new == self._current:
            return
        old = self._current
        try:
            self._save(new)
        except SettingsError as exc:
            log.warning("settings not saved: %s", exc)
            self.save_failed.emit(str(exc))
        else:
            self.saved.emit()
        self._current = new
        self.changed.emit(old, new)
