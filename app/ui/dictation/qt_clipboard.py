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


def kept_formats(source: QMimeData) -> list[str]:
    """The formats worth copying: all but those Qt makes from the others."""
    return [fmt for fmt in source.formats() if fmt not in _SKIPPED_FORMATS]


def copy_of(source: QMimeData | None) -> QMimeData | None:
    """A deep copy of every format (the owner may change or exit before the restore)."""
    if source is None:
        return None
    formats = kept_formats(source)
    if not formats:
        return None
    started = time.monotonic()
    copy = QMimeData()
    for fmt in formats:
        copy.setData(fmt, source.data(fmt))
    log.debug("saved %d clipboard formats in %.3f s", len(formats), time.monotonic() - started)
    return copy


class BorrowedClipboard:
    """The user's CLIPBOARD and PRIMARY, lent to one paste and given back after it.

    GUI thread only. Every format is saved before the pasted text goes on; giving
    back leaves alone a selection the user copied meanwhile.
    """

    def __init__(self) -> None:
        self._saved: dict[QClipboard.Mode, QMimeData | None] | None = None
        self._made: list[QMimeData] = []  # clipboard data made here (see hand_clipboard_to_qt)
        self._pasted = ""  # the text a paste put on the clipboard, until it is given back

    @property
    def lent(self) -> bool:
        """Whether a paste's text is on the clipboard in place of the user's."""
        return self._saved is not None

    def lend(self, text: str, on_fetch: Callable[[], None]) -> None:
        """Save the user's clipboard and put ``text`` on it; ``on_fetch`` hears each fetch."""
        clipboard = QGuiApplication.clipboard()
        self._saved = {mode: copy_of(clipboard.mimeData(mode)) for mode in clipboard_modes()}
        self._pasted = text
        for mode in clipboard_modes():
            watched = WatchedMimeData(text, on_fetch)
            self._made = [*self._made[-7:], watched]  # the clipboard drops older ones
            clipboard.setMimeData(watched, mode)

    def keep(self) -> None:
        """Leave the pasted text on the clipboard for the user (the paste failed)."""
        self._saved = None

    def give_back(self) -> None:
        """Put the user's saved clipboard back, unless they copied something since."""
        saved, self._saved = self._saved, None
        if saved is None:
            return
        clipboard = QGuiApplication.clipboard()
        for mode, mime in saved.items():
            if clipboard.text(mode) != self._pasted:
                continue  # the user copied something since the paste: theirs stays
            if mime is None:
                clipboard.clear(mode)
            else:
                self._made = [*self._made[-7:], mime]
                clipboard.setMimeData(mime, mode)

    def hand_to_qt(self) -> None:
        """Before the application goes: Qt's own copies replace the data made here."""
        hand_clipboard_to_qt(self._made)
        self._made.clear()
