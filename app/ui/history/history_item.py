"""How one history entry looks in the list: its time, length, text on one line and tooltip.

An entry whose text did not reach the app it was dictated into (the delivery failed,
and the text went on the clipboard) carries a warning icon, so the user can find
what still needs pasting.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QStyle, QTreeWidgetItem, QWidget

from app.core.output.history import CANCELLED, NOT_DELIVERED, HistoryEntry
from app.core.profiles.profile import DEFAULT_PROFILE

ENTRY_ID = Qt.ItemDataRole.UserRole
NOT_DELIVERED_NOTE = (
    "Not (all) typed into the app when it was dictated: the whole text was put on the "
    "clipboard. Copy it or type it again from here."
)
CANCELLED_NOTE = (
    "Cancelled (Esc) before any of it was typed: the words heard until then. Copy them or "
    "type them from here."
)
_UNDELIVERED = {
    NOT_DELIVERED: (NOT_DELIVERED_NOTE, "Not delivered"),
    CANCELLED: (CANCELLED_NOTE, "Cancelled"),
}
_TOOLTIP_CHARS = 1000


def time_text(created_at: float) -> str:
    """The time of day for today's entries; the date and time for older ones."""
    moment = QDateTime.fromSecsSinceEpoch(int(created_at))
    locale = QLocale()
    if moment.date() == QDateTime.currentDateTime().date():
        return locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    if locale.language() == QLocale.Language.C:  # LANG=C.UTF-8 dates read "5 12 2026 21:09"
        return moment.toString("yyyy-MM-dd HH:mm")
    return locale.toString(moment, QLocale.FormatType.ShortFormat)


def duration_text(seconds: float) -> str:
    """Seconds with a decimal under a minute, else minutes:seconds."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def one_line(text: str) -> str:
    """The text on one row: its lines that are not blank, each break shown as " ↵ ".

    Only the first line, as before, hid that more followed ("Dear Anna" for a letter).
    """
    return " ↵ ".join(line.strip() for line in text.splitlines() if line.strip())


def make_item(entry: HistoryEntry, style_of: QWidget) -> QTreeWidgetItem:
    """A list row for ``entry`` (its id in :data:`ENTRY_ID`)."""
    item = QTreeWidgetItem(
        [time_text(entry.created_at), duration_text(entry.duration_s), one_line(entry.text)]
    )
    item.setData(0, ENTRY_ID, entry.id)
    show_delivery(item, entry, style_of)
    return item


def show_delivery(item: QTreeWidgetItem, entry: HistoryEntry, style_of: QWidget) -> None:
    """The row's icon and tooltip for where ``entry``'s text went."""
    tooltip = entry.text if len(entry.text) <= _TOOLTIP_CHARS else entry.text[:_TOOLTIP_CHARS] + "…"
    if entry.profile and entry.profile != DEFAULT_PROFILE:  # the app's own shaping
        tooltip += f"\n\nProfile: {entry.profile}"
    if entry.model.endswith(" (server)"):  # heard on a saved endpoint: the audio left
        tooltip += f"\n\nHeard by {entry.model}"
    if entry.delivered_to in _UNDELIVERED:
        note, said = _UNDELIVERED[entry.delivered_to]
        tooltip = f"{note}\n\n{tooltip}"
        item.setIcon(2, style_of.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        # A screen reader says it too: the icon alone would be lost on it.
        item.setData(2, Qt.ItemDataRole.AccessibleTextRole, f"{said}: {item.text(2)}")
    else:  # delivered after all (a Re-type)
        item.setIcon(2, QIcon())
        item.setData(2, Qt.ItemDataRole.AccessibleTextRole, None)
    for column in range(3):
        item.setToolTip(column, tooltip)
