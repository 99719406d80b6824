"""The history panel: find a past dictation and copy it, type it again or delete it.

It reads and deletes through :class:`HistoryStore` directly, but delivering text
is the owner's job (``retype_requested``), so the panel never needs to know how
text reaches other applications. Searching is debounced so typing a query does
not run one database scan per key press, and runs off the GUI thread
(:class:`HistoryFinder`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.output.history import SHOWN_AT_ONCE, HistoryEntry, HistoryError, HistoryStore
from app.core.output.history_match import contains
from app.core.output.history_search import Found
from app.ui.dictation.dictation_history import record_delivery
from app.ui.history.history_deletes import HistoryDeletes
from app.ui.history.history_finder import HistoryFinder
from app.ui.history.history_item import ENTRY_ID, make_item, show_delivery
from app.ui.history.search_box import SearchUndo, make_search_box
from app.ui.shell.focus_marks import mark_focus

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
EMPTY_TEXT = "No dictations yet"


class HistoryPanel(QWidget):
    """Lists past dictations, newest first, with search, copy, re-type and delete.

    Signals:
        copy_requested(str): text the panel just put on the clipboard.
        retype_requested(str): text the owner should deliver to the focused application.
        error_occurred(str): a history read or delete failed; the message is for the user.
        status_message(str): what a delete or its undo did, for the status bar.
    """

    copy_requested = Signal(str)
    retype_requested = Signal(str)
    retry_requested = Signal(object)  # the HistoryEntry whose kept audio is heard again
    error_occurred = Signal(str)
    status_message = Signal(str)
    searched = Signal()  # the list shows the answer to the text in the search box

    def __init__(self, store: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.setAccessibleName("Dictation history")
        self._entries: dict[int, HistoryEntry] = {}
        self._total = 0  # the dictations the search box's text finds, shown or not
        self._to_select: int | None = None  # the entry to select once the list is filled
        self._finder = HistoryFinder(store, self)
        self._finder.found.connect(self._show_found)
        self._finder.failed.connect(self.error_occurred)
        self._build_search()
        self._build_list()
        self.copy_action = self._action("C&opy", QKeySequence.StandardKey.Copy, self.copy_selected)
        self.retype_action = self._action("Re-ty&pe", None, self.retype_selected)
        self.retry_action = self._action("Re&try", None, self.retry_selected)
        self.delete_action = self._action(
            "Delete", QKeySequence.StandardKey.Delete, self.delete_selected
        )
        self._deletes = HistoryDeletes(store, self)
        self._deletes.removed.connect(self._remove_row)
        self._deletes.restored.connect(self._show_restored)
        self._deletes.message.connect(self.status_message)
        self._deletes.failed.connect(self.error_occurred)
        self.addAction(self._deletes.undo_action)  # its shortcut works with the menu bar hidden
        self._deletes.removed.connect(SearchUndo(self._search, self._deletes.undo_action).deleted)
        layout = QVBoxLayout(self)
        layout.addWidget(self._search)
        layout.addWidget(self._build_splitter(), 1)
        self._more = QLabel(self)  # the list holds the newest entries only: say so
        self._more.setWordWrap(True)
        self._more.setAccessibleName("Older dictations")
        self._more.hide()
        layout.addWidget(self._more)
        layout.addLayout(self._build_buttons())
        mark_focus(self._list, self._detail)
        self.focus_home = self._list  # where a chosen History tab puts the keyboard
        self.refresh()

    @property
    def undo_delete_action(self) -> QAction:
        """Edit → Undo delete: puts back the dictation deleted last (the window gives its keys)."""
        return self._deletes.undo_action

    @property
    def deletes(self) -> HistoryDeletes:
        """Deletes and undos: their ``removed`` and ``restored`` signals say what changed."""
        return self._deletes

    def forget_deleted(self) -> None:
        """At quit: the recordings of deleted dictations are deleted for good."""
        self._deletes.forget()

    def focus_search(self) -> None:
        """Put the keyboard in the search field, its text selected (Edit → Find in history)."""
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def focus_list(self) -> None:
        self._list.setFocus(Qt.FocusReason.OtherFocusReason)  # the list of dictations

    def _build_search(self) -> None:
        self._search = make_search_box(self, self.focus_list)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self._search.textChanged.connect(self._search_timer.start)

    def _build_list(self) -> None:
        self._list = QTreeWidget(self)
        self._list.setColumnCount(3)
        self._list.setHeaderLabels(["Time", "Length", "Text"])
        self._list.setRootIsDecorated(False)
        self._list.setUniformRowHeights(True)
        self._list.setAlternatingRowColors(True)
        self._list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._list.setAccessibleName("Dictations")
        self._list.setAccessibleDescription("Past dictations, newest first.")
        header = self._list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._list.customContextMenuRequested.connect(self._show_context_menu)
        self._list.itemSelectionChanged.connect(self._selection_changed)
        self._empty = QLabel(EMPTY_TEXT, self)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._empty.setAccessibleName("History status")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._list)
        self._stack.addWidget(self._empty)

    def _build_splitter(self) -> QSplitter:
        self._detail = QPlainTextEdit(self)
        self._detail.setReadOnly(True)
        self._detail.setAccessibleName("Selected dictation")
        self._detail.setPlaceholderText("Select a dictation to see all of its text.")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._stack)
        splitter.addWidget(self._detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        return splitter

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        for action, description in (
            (self.copy_action, "Copy the selected dictation to the clipboard."),
            (self.retype_action, "Type the selected dictation into the focused application."),
            (self.retry_action, "Transcribe the kept recording again, into a new history entry."),
            (self.delete_action, "Delete the selected dictation and its recording."),
        ):
            button = QPushButton(action.text(), self)
            button.setAccessibleName(action.text().replace("&", ""))
            button.setAccessibleDescription(description)
            button.setToolTip(description)
            if action is self.delete_action:
                # A click leaves nothing selected: a double click deleted two entries.
                button.clicked.connect(lambda: self.delete_selected(select_next=False))
            else:
                button.clicked.connect(action.trigger)
            action.enabledChanged.connect(button.setEnabled)
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        return buttons

    def _action(
        self, text: str, shortcut: QKeySequence.StandardKey | None, slot: Callable[[], None]
    ) -> QAction:
        action = QAction(text, self._list)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Only while the list has focus: Ctrl+C in the search box copies the query.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        action.setEnabled(False)
        self._list.addAction(action)
        return action

    def set_search_text(self, text: str) -> None:
        """Type ``text`` into the search box (the list follows after the debounce delay)."""
        self._search.setText(text)

    def entries(self) -> list[HistoryEntry]:
        """The entries shown, top to bottom."""
        items = (self._list.topLevelItem(row) for row in range(self._list.topLevelItemCount()))
        return [self._entries[item.data(0, ENTRY_ID)] for item in items if item is not None]

    def selected_entry(self) -> HistoryEntry | None:
        """The selected entry, or None."""
        selected = self._list.selectedItems()
        return self._entries.get(selected[0].data(0, ENTRY_ID)) if selected else None

    def select_entry(self, entry_id: int) -> None:
        """Select the entry with this id, if it is shown."""
        for row in range(self._list.topLevelItemCount()):
            item = self._list.topLevelItem(row)
            if item is not None and item.data(0, ENTRY_ID) == entry_id:
                self._list.setCurrentItem(item)
                return

    def refresh(self) -> None:
        """Reload the list for the current search; a search answers later (``searched``).

        The newest dictations come at once (an index gives them); a search reads every
        text, so it runs off the GUI thread and the list keeps what it shows until then.
        """
        self._search_timer.stop()
        query = self._search.text().strip()
        if query:
            self._finder.find(query)
            return
        self._finder.forget()
        try:
            found = self._store.search()
            total = self._store.count() if len(found) >= SHOWN_AT_ONCE else len(found)
        except HistoryError as exc:
            log.warning("history read failed: %s", exc)
            self.error_occurred.emit(str(exc))
            return
        self._show_found(Found("", found, total))

    def _show_found(self, found: Found) -> None:
        if found.query != self._search.text().strip():
            return  # typed on since: the next search answers for the text shown
        selected = self.selected_entry()
        keep = self._to_select or (selected.id if selected is not None else None)
        self._to_select = None
        self._list.clear()
        self._entries = {}
        self._list.addTopLevelItems([self._make_item(entry) for entry in found.entries])
        self._say_what_is_left_out(found.query, len(found.entries), found.total)
        if keep is not None:
            self.select_entry(keep)
        if self.selected_entry() is None and found.entries:
            self.select_entry(found.entries[0].id)  # the newest: Copy and Re-type work at once
        self._update_empty_state()
        self.searched.emit()

    def _say_what_is_left_out(self, query: str, shown: int, total: int) -> None:
        """Under a full list: how many entries it leaves out, and how to reach them."""
        self._total = total
        if total > shown:
            which = "dictations" if not query else f"dictations containing “{query}”"
            self._more.setText(
                f"Showing the newest {shown} of {total} {which}; search for words in an "
                "older one to find it."
            )
        self._more.setVisible(total > shown)

    def add_entry(self, entry: HistoryEntry) -> None:
        """Show a new entry at the top without reloading (when it matches the search)."""
        query = self._search.text().strip().casefold()
        if entry.id in self._entries or (query and not contains(entry.text, query)):
            return
        self._list.insertTopLevelItem(0, self._make_item(entry))
        if self._list.topLevelItemCount() > SHOWN_AT_ONCE:  # the oldest goes, as on a reload
            oldest = self._list.takeTopLevelItem(SHOWN_AT_ONCE)
            self._entries.pop(oldest.data(0, ENTRY_ID), None) if oldest is not None else None
        self.select_entry(entry.id)  # the selection follows the newest dictation
        self._update_empty_state()
        shown = self._list.topLevelItemCount()  # "the newest 500 of 5005": one more in all now
        self._say_what_is_left_out(self._search.text().strip(), shown, self._total + 1)

    def _make_item(self, entry: HistoryEntry) -> QTreeWidgetItem:
        self._entries[entry.id] = entry
        return make_item(entry, self)

    def update_entry(self, entry: HistoryEntry) -> None:
        """Show where a listed entry's text went (it failed: the row gets a warning icon)."""
        if entry.id not in self._entries:
            return
        self._entries[entry.id] = entry
        for row in range(self._list.topLevelItemCount()):
            item = self._list.topLevelItem(row)
            if item is not None and item.data(0, ENTRY_ID) == entry.id:
                show_delivery(item, entry, self)

    def mark_delivered(self, entry: HistoryEntry, how: str) -> None:
        """``entry``'s text reached an app after all (a Re-type): its warning goes."""
        record_delivery(self._store, entry, how, self.update_entry, self)

    def _update_empty_state(self) -> None:
        if self._list.topLevelItemCount():
            self._stack.setCurrentWidget(self._list)
            return
        query = self._search.text().strip()
        self._empty.setText(f"No dictations contain “{query}”" if query else EMPTY_TEXT)
        self._stack.setCurrentWidget(self._empty)
        self._selection_changed()

    def empty_text(self) -> str | None:
        """The message shown instead of the list, or None while entries are shown."""
        return self._empty.text() if self._stack.currentWidget() is self._empty else None

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        for action in (self.copy_action, self.retype_action, self.delete_action):
            action.setEnabled(entry is not None)
        kept = (
            entry is not None and entry.audio_path is not None and Path(entry.audio_path).exists()
        )
        self.retry_action.setEnabled(kept)
        self._detail.setPlainText(entry.text if entry else "")

    def _show_context_menu(self, position: QPoint) -> None:
        item = self._list.itemAt(position)
        if item is None:
            return
        self._list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addActions([self.copy_action, self.retype_action, self.retry_action])
        menu.addSeparator()
        menu.addActions([self.delete_action, self.undo_delete_action])
        menu.popup(self._list.viewport().mapToGlobal(position))

    def copy_selected(self) -> None:
        """Put the selected entry's text on the clipboard and emit ``copy_requested``."""
        entry = self.selected_entry()
        if entry is None:
            return
        QGuiApplication.clipboard().setText(entry.text)
        self.copy_requested.emit(entry.text)

    def retype_selected(self) -> None:
        """Ask the owner to type the selected entry's text again."""
        entry = self.selected_entry()
        if entry is not None:
            self.retype_requested.emit(entry.text)

    def retry_selected(self) -> None:
        """Ask the owner to transcribe the selected entry's kept audio again."""
        entry = self.selected_entry()
        if entry is not None and entry.audio_path is not None:
            self.retry_requested.emit(entry)

    def delete_selected(self, *, select_next: bool = True) -> None:
        """Delete the selected entry: from the store off the GUI thread, then from the list.

        With ``select_next`` (the Delete key) its neighbour is selected for the next
        key press; the button leaves nothing selected, so a second click deletes nothing.
        """
        entry = self.selected_entry()
        if entry is None:
            return
        if not select_next:
            self._list.selectionModel().clear()  # the selection and the current item
        self._deletes.delete(entry)

    def _remove_row(self, entry_id: int) -> None:
        """Drop the entry's row; when it was selected, select its neighbour."""
        for row in range(self._list.topLevelItemCount()):
            item = self._list.topLevelItem(row)
            if item is not None and item.data(0, ENTRY_ID) == entry_id:
                break
        else:
            return
        was_selected = item.isSelected()
        self._list.takeTopLevelItem(row)
        self._entries.pop(entry_id, None)
        neighbour = self._list.topLevelItem(min(row, self._list.topLevelItemCount() - 1))
        if was_selected and neighbour is not None:
            self._list.setCurrentItem(neighbour)
        self._update_empty_state()
        shown = self._list.topLevelItemCount()  # "of 5000" stayed after deletes
        self._say_what_is_left_out(self._search.text().strip(), shown, self._total - 1)

    def _show_restored(self, entry: HistoryEntry) -> None:
        """An undone delete: the list shows the entry again, in its place, selected."""
        self._to_select = entry.id  # once the list is filled again (a search answers later)
        self.refresh()
