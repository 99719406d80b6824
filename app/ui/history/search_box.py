"""The history's search box, its Esc, and its Ctrl+Z: a delete made after the search was
typed is undone first.

A text field keeps Ctrl+Z for its own text, so after "Deleted …. Ctrl+Z puts it back."
the key undid the search typed before the delete instead of the delete. Whichever
happened last, the typing or the delete, is what Ctrl+Z undoes. Esc clears a search,
as in a browser's find bar; in an empty box it is the window's (cancel a dictation).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget


def make_search_box(parent: QWidget, to_results: Callable[[], object]) -> QLineEdit:
    """The field whose text the history list is filtered by; Down calls ``to_results``
    (puts the keyboard in the list, as in a browser's or a mail client's search)."""
    search = QLineEdit(parent)
    search.setPlaceholderText("Search dictations")
    search.setClearButtonEnabled(True)
    search.setAccessibleName("Search dictations")
    search.setAccessibleDescription(
        "Shows only the dictations containing this text. Esc clears it; Down goes to them."
    )
    search.installEventFilter(_EscClears(search))
    search.installEventFilter(_DownGoesTo(search, to_results))
    return search


class _DownGoesTo(QObject):
    """Down in the one-line search box (where it does nothing) calls ``to_results``."""

    def __init__(self, search: QLineEdit, to_results: Callable[[], object]) -> None:
        super().__init__(search)
        self._to_results = to_results

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self._to_results()
            return True
        return super().eventFilter(watched, event)


class _EscClears(QObject):
    """Esc in a search box with text clears it (the filter then shows everything)."""

    def __init__(self, search: QLineEdit) -> None:
        super().__init__(search)
        self._search = search

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kinds = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        if (
            event.type() in kinds
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self._search.text()
        ):
            event.accept()  # the field's Esc, not the window's shortcut
            if event.type() == QEvent.Type.KeyPress:
                self._search.clear()
            return True
        return super().eventFilter(watched, event)


class SearchUndo(QObject):
    """Gives Ctrl+Z in ``search`` to Undo delete when a delete is newer than its text."""

    def __init__(self, search: QLineEdit, undo_delete: QAction) -> None:
        super().__init__(search)
        self._undo_delete = undo_delete
        self._delete_is_newer = False
        search.textEdited.connect(self._typed)
        search.installEventFilter(self)

    def deleted(self) -> None:
        """A dictation was deleted: the newest thing Ctrl+Z can undo."""
        self._delete_is_newer = True

    def _typed(self) -> None:
        self._delete_is_newer = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Undo)
            and self._delete_is_newer
            and self._undo_delete.isEnabled()
        ):
            event.ignore()  # not the field's key this time: the window's shortcut takes it
            return True
        return super().eventFilter(watched, event)
