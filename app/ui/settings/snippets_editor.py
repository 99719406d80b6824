"""The editor of a snippet table: a list of triggers, and the text of the one selected.

A snippet's text has lines, so it cannot share the one-line editors of the
other list settings; this widget is used both for the global setting (on the
Text page) and in the profile form. It edits a copy: :meth:`snippets` reads
the table back, and the owner checks it with the settings' own rules.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# The Alt+letters of the editor's buttons, kept free on the page that shows it.
BUTTON_MNEMONICS = frozenset("vet")  # free on the Profiles page too
NEW_TRIGGER_HINT = "What you say, such as: insert my address"


class SnippetsEditor(QWidget):
    """Add, edit and remove (trigger, text) snippets.

    Selecting a trigger shows it and its text for editing; Save puts them back
    (or adds a new snippet when the trigger is new). ``changed`` is emitted
    whenever the table changes.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table: dict[str, str] = {}
        self.list = QListWidget(self)
        self.list.setAccessibleName("Snippet triggers")
        self.list.setMaximumHeight(110)
        self.list.currentTextChanged.connect(self._show_selected)
        self.trigger_edit = QLineEdit(self)
        self.trigger_edit.setPlaceholderText(NEW_TRIGGER_HINT)
        self.trigger_edit.setAccessibleName("Snippet trigger")
        self.trigger_edit.setToolTip("Say this on its own to insert the text below")
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setPlaceholderText("The text to insert, exactly as written (lines and all)")
        self.text_edit.setAccessibleName("Snippet text")
        self.text_edit.setToolTip("Inserted exactly as written, lines and all")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMaximumHeight(90)
        self.save_button = QPushButton("Sa&ve snippet", self)
        self.save_button.clicked.connect(self.save_shown)
        self.new_button = QPushButton("New snipp&et", self)
        self.new_button.clicked.connect(self.start_new)
        self.remove_button = QPushButton("Remove snippe&t", self)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.new_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Trigger:", self.trigger_edit)
        form.addRow("Text:", self.text_edit)
        self.setFocusProxy(self.list)  # where Alt+letter and Tab arrive
        # A label's Alt+letter reaches only a buddy that takes focus itself; the proxy then
        # passes it on to the list.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(form)
        layout.addLayout(buttons)

    def set_snippets(self, snippets: tuple[tuple[str, str], ...]) -> None:
        """Show ``snippets`` (the editor's fields are cleared)."""
        self._table = dict(snippets)
        self._refill()
        self.clear_shown()

    def snippets(self) -> tuple[tuple[str, str], ...]:
        """The table as edited, in the order the triggers were added.

        A trigger and text still in the fields count as saved: OK on the dialog
        must not drop a snippet because Save snippet was not pressed first.
        """
        return tuple(self._with_shown().items())

    def save_shown(self) -> None:
        """Store the trigger and text shown (an empty one is left for the settings to refuse).

        Text with no trigger is not stored, but :meth:`snippets` still holds it, so the
        owner's check says that it needs a trigger instead of dropping it unseen.
        """
        trigger = " ".join(self.trigger_edit.text().split())
        if not trigger:
            if self.text_edit.toPlainText().strip():
                self.trigger_edit.setFocus()
                self.changed.emit()
            return
        self._table = self._with_shown()
        self._refill(select=trigger)
        self.changed.emit()

    def _with_shown(self) -> dict[str, str]:
        """The table with the fields' trigger and text stored in it (a copy)."""
        table = dict(self._table)
        trigger = " ".join(self.trigger_edit.text().split())
        if not trigger:
            text = self.text_edit.toPlainText()
            return {**table, "": text} if text.strip() else table
        selected = self.list.currentItem()
        old = selected.text() if selected is not None else trigger
        if old in table and old != trigger:  # renamed: it keeps its place in the list
            table = {(trigger if key == old else key): value for key, value in table.items()}
        table[trigger] = self.text_edit.toPlainText()
        return table

    def remove_selected(self) -> None:
        """Remove the selected snippet."""
        selected = self.list.currentItem()
        if selected is None:
            return
        self._table.pop(selected.text(), None)
        self._refill()
        self.clear_shown()
        self.changed.emit()

    def start_new(self) -> None:
        """Empty the fields and put the cursor in the trigger, to type a new snippet."""
        self.clear_shown()
        self.trigger_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clear_shown(self) -> None:
        """Empty the fields, ready for a new snippet."""
        self.list.setCurrentRow(-1)
        self.trigger_edit.clear()
        self.text_edit.clear()

    def _refill(self, select: str = "") -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(list(self._table))
        self.list.blockSignals(False)
        if select:
            self.list.setCurrentRow(list(self._table).index(select))

    def _show_selected(self, trigger: str) -> None:
        if trigger in self._table:
            self.trigger_edit.setText(trigger)
            self.text_edit.setPlainText(self._table[trigger])
