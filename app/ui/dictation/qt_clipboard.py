"""Qt's clipboard for paste mode in X11 sessions: formats saved whole, fetches noticed.

Split from ``delivery_service`` (one job per module): Qt serves X selection
requests through ``QMimeData.retrieveData``, which :class:`WatchedMimeData`
reports, so the old clipboard comes back only after the target fetched the text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaType, QMimeData
from PySide6.QtGui import QClipboard, QGuiApplication

log = logging.getLogger(__name__)

# Qt's synthesised image format; the real image formats are copied instead.
_SKIPPED_FORMATS = frozenset({"application/x-qt-image"})


class WatchedMimeData(QMimeData):
    """Clipboard text that reports each time another application fetches it."""

    def __init__(self, text: str, on_fetch: Callable[[], None]) -> None:
        super().__init__()
        self.setText(text)
        self._on_fetch = on_fetch

    def retrieveData(self, mimetype: str, preferredType: QMetaType | QMetaType.Type) -> Any:  # noqa: N802, N803
        self._on_fetch()
        return super().retrieveData(mimetype, preferredType)


def hand_clipboard_to_qt(made: list[QMimeData]) -> None:
    """Replace clipboard data made in Python by Qt's own copy of its text.

    The clipboard owns the QMimeData objects set on it and deletes them when the
    application object goes, which at exit is after Python has finalised; a
    Python-made one (or our subclass) then crashes the process on its way out.
    """
    clipboard = QGuiApplication.clipboard()
    for mode in clipboard_modes():
        mime = clipboard.mimeData(mode)
        if mime is not None and any(mime is ours for ours in made):
            clipboard.setText(mime.text() if mime.hasText() else "", mode)


def clipboard_modes() -> list[QClipboard.Mode]:
    """CLIPBOARD, and PRIMARY where the platform has it (X11)."""
    modes = [QClipboard.Mode.Clipboard]
    if QGuiApplication.clipboard().supportsSelection():
        modes.append(QClipboard.Mode.Selection)
    return modes


def copy_of(source: QMimeData | None) -> QMimeData | None:
    """A deep copy of every format (the owner may change or exit before the restore)."""
    if source is None:
        return None
    formats = [fmt for fmt in source.formats() if fmt not in _SKIPPED_FORMATS]
    if not formats:
        return None
    started = time.monotonic()
    copy = QMimeData()
    for fmt in formats:
        copy.setData(fmt, source.data(fmt))
    log.debug("saved %d clipboard formats in %.3f s", len(formats), time.monotonic() - started)
    return copy
