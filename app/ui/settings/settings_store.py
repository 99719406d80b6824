"""The current settings, owned in one place: saved atomically, and ``changed`` for every part.

Parts do not read a settings object handed to them once: each connects to
``changed(old, new)`` and applies what concerns it (app.ui.settings.settings_applier
makes those connections). A save that fails is reported, and the new values are
still used for this session, so the user's choice is never silently dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.core.settings import Settings
from app.core.settings_error import SettingsError
from app.core.settings_file import peek_settings, save_settings

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
        peek: Callable[[], Settings | None] = peek_settings,
    ) -> None:
        super().__init__(parent)
        self._current = settings
        self._save = save
        self._peek = peek
        self._on_disk = peek() or settings  # what the file held when last read or written

    @property
    def current(self) -> Settings:
        """The settings in effect now."""
        return self._current

    def update(self, new: Settings) -> None:
        """Save ``new`` atomically and make it current; nothing happens when nothing changed.

        Settings changed in the file meanwhile (a text editor, a script) are kept where
        ``new`` leaves them as they were: writing the app's copy whole threw them away.
        """
        old = self._current
        new = self._with_changes_made_outside(old, new)
        if new == old:
            return
        try:
            self._save(new)
        except SettingsError as exc:
            log.warning("settings not saved: %s", exc)
            self.save_failed.emit(str(exc))
        else:
            self._on_disk = new
            self.saved.emit()
        self._current = new
        self.changed.emit(old, new)

    def _with_changes_made_outside(self, old: Settings, new: Settings) -> Settings:
        """``new``, with the file's own changes since it was last read for the settings
        ``new`` does not change."""
        disk = self._peek()
        if disk is None or disk == self._on_disk:
            return new
        base, self._on_disk = self._on_disk, disk
        outside = {
            name: getattr(disk, name)
            for name in _field_names()
            if getattr(disk, name) != getattr(base, name)
            and getattr(new, name) == getattr(old, name)
        }
        if outside:
            log.info("keeping settings changed in the file: %s", ", ".join(sorted(outside)))
        return new.replace(**outside)


def _field_names() -> list[str]:
    return [field.name for field in dataclasses.fields(Settings)]
