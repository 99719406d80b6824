"""Settings → Profiles: the per-app profiles, in rule order, with the form that edits one.

Like the models page, this page acts at once: each add, save, move, delete or
import is written to ``profiles.json`` when it is made (OK and Cancel of the
dialog are about the settings). The file is the same one the hotkey press and
``saytype profiles`` read, so a change applies from the next dictation. A
mistake (a pattern that is not a regular expression, a name taken) is one
sentence under the list, and nothing is saved.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core.profiles.profile import Profile, ProfileError
from app.core.profiles.profile_file import (
    export_profiles,
    load_profiles,
    profiles_path,
    read_profile_file,
    save_profiles,
)
from app.core.profiles.profile_rules import ProfileBook, WindowIdentity
from app.core.profiles.profile_suggestions import SUGGESTIONS
from app.ui.settings.profile_form import ProfileForm
from app.ui.shell.focus_marks import mark_focus
from app.ui.shell.questions import ask

log = logging.getLogger(__name__)

PROFILES_PAGE = "Profiles"
_JSON_FILTER = "Profiles (*.json)"


class ProfilesPage(QWidget):
    """Lists, adds, edits, orders, deletes, imports and exports profiles.

    Args:
        last_window: the app used last before Saytype, else the last one dictated into (or None).
        path: the profiles file (the user's when None).

    Signals:
        profiles_changed: the file was written.
    """

    profiles_changed = Signal()

    def __init__(
        self,
        last_window: Callable[[], WindowIdentity | None] = lambda: None,
        path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._last_window = last_window
        self._path = path or profiles_path()
        loaded = load_profiles(self._path)
        self.book = loaded.book
        self._seen = _contents(self._path)  # what the list shows: a change elsewhere is not lost
        self.list = QListWidget(self)
        self.list.setAccessibleName("Profiles, in the order their rules are tried")
        mark_focus(self.list)  # a list shows no focus of its own: a keyboard user lost it
        self._shown_row = 0
        self.list.currentRowChanged.connect(self._row_chosen)
        # As in the History panel: Delete on the list takes the selected profile off.
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_current)
        self._undo: tuple[ProfileBook, str] | None = None  # the list before the last delete
        undo_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo_key.activated.connect(self.undo_delete)
        self.message = QLabel(loaded.notice or "", self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Profiles message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Made in screen order, which Tab follows: the list's column, then the form and Save.
        self.buttons = {"last_app": self._button("Add for the last a&pp", self.add_for_last_app)}
        self.suggestions = QComboBox(self)
        self.suggestions.setAccessibleName("Suggested profiles")
        for suggestion in SUGGESTIONS:
            self.suggestions.addItem(suggestion.name, suggestion)
        self.buttons |= {
            "suggestion": self._button("Add su&ggestion", self.add_suggestion),
            "up": self._button("Move &up", lambda: self.move_current(-1)),
            "down": self._button("Move do&wn", lambda: self.move_current(1)),
            "delete": self._button("De&lete", self.delete_current),
            "import": self._button("&Import…", self._choose_import),
            "export": self._button("E&xport…", self._choose_export),
        }
        self.form = ProfileForm(self)
        self.buttons["save"] = self._button("&Save profile", self.save_current)
        self._build_layout()
        self._refresh(0)

    def _button(self, text: str, action: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(lambda: action())  # noqa: PLW0108 - drops "checked"
        return button

    def _build_layout(self) -> None:
        grid = QGridLayout()
        grid.addWidget(self.buttons["last_app"], 0, 0, 1, 3)
        grid.addWidget(self.suggestions, 1, 0, 1, 2)
        grid.addWidget(self.buttons["suggestion"], 1, 2)
        for column, name in enumerate(("up", "down", "delete")):
            grid.addWidget(self.buttons[name], 2, column)
        grid.addWidget(self.buttons["import"], 3, 0)
        grid.addWidget(self.buttons["export"], 3, 1)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(grid)
        scroll = QScrollArea(self)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab scrolls to the fields in it
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # At least as wide as the form and its scroll bar, so the form is never cut off.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        scroll.setMinimumWidth(self.form.minimumSizeHint().width() + bar + 2 * scroll.frameWidth())
        right = QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addWidget(self.buttons["save"], 0, Qt.AlignmentFlag.AlignRight)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A profile changes how dictations are shaped and sent in the apps its rule matches; "
            "the Default profile applies everywhere else. Changes to the list are saved at once; "
            "the form with Save profile, or OK.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)

    # ---- actions (the buttons call these; tests too) -------------------------------------

    def add_for_last_app(self) -> bool:
        """Add a profile whose rule matches the app used last before Saytype.

        That is the app focused last (X11, sway), else the one last dictated into.
        """
        window = self._last_window()
        if window is None or not (window.instance or window.window_class):
            self._say("Dictate into the app once (press the hotkey there), then add it here.")
            return False
        app = window.instance or window.window_class
        name = self._free_name(window.window_class or app)
        profile = Profile(name, window_class=f"^{re.escape(app)}$")
        book = self.book.with_profile(profile)
        first = book.choose(window).name  # the first rule that matches it wins
        said = (
            f"Added {name}."
            if first == name
            else (
                f"Added {name}, but {first} comes first and matches this app too: move {name} up "
                "to use it there."
            )
        )
        return self._store(book, name, said)

    def add_suggestion(self) -> bool:
        """Add the suggestion chosen in the list below the buttons."""
        suggestion = self.suggestions.currentData()
        assert isinstance(suggestion, Profile)
        if self.book.find(suggestion.name) is not None:
            self._say(f"{suggestion.name} is in the list already.")
            return False
        return self._store(self.book.with_profile(suggestion), suggestion.name, "")

    def save_current(self) -> bool:
        """Save the form as the selected profile."""
        current = self._current()
        try:
            profile = self.form.profile()
            book = self.book.with_profile(profile, replacing=current.name)
        except ValueError as exc:  # ProfileError too: one sentence
            self._say(str(exc))
            return False
        return self._store(book, profile.name, f"Saved {profile.name}.")

    def unsaved_edits(self) -> bool:
        """Whether the form says something the selected profile does not (Save not pressed)."""
        return self.unsaved_edits_at(self.list.currentRow())

    def unsaved_edits_at(self, row: int) -> bool:
        """Whether the form says something the profile at ``row`` does not."""
        try:
            return self.form.profile() != self._profile_at(row)
        except ValueError:
            return True  # typed, but not yet a profile

    def save_edits(self) -> bool:
        """Save the form if it was edited (Settings' OK); False, with the reason shown, if not."""
        return not self.unsaved_edits() or self.save_current()

    def ask_about_edits(self, then: Callable[[], object]) -> None:
        """Leaving the form unsaved: ask whether to save its edits; ``then`` once settled.

        Cancel (or Esc) goes back to the form, edits and all, and ``then`` never runs.
        """
        if not self.unsaved_edits():
            then()
            return

        def discard() -> None:
            self._show_current(self.list.currentRow())
            then()

        ask(
            self,
            "Save the profile?",
            f"The profile “{self._current().name}” has changes that were not saved.",
            "&Save",
            "&Discard",
            lambda: self.save_current() and then(),
            on_no=discard,
            yes_by_default=True,
            cancel="Cancel",
        )

    def _row_chosen(self, row: int) -> None:
        """Another profile chosen in the list: the form's edits to this one are not lost."""
        if row == self._shown_row or row < 0 or not self.unsaved_edits_at(self._shown_row):
            self._show_current(row)
            return
        self.list.blockSignals(True)  # the question is about the profile still shown
        self.list.setCurrentRow(self._shown_row)
        self.list.blockSignals(False)
        self.ask_about_edits(lambda: self.list.setCurrentRow(row))

    def move_current(self, step: int) -> bool:
        """Try the selected profile's rule ``step`` places later (earlier when negative)."""
        current = self._current()
        return self._store(self.book.moved(current.name, step), current.name, "")

    def delete_current(self) -> bool:
        """Delete the selected profile (the Default one cannot go)."""
        current = self._current()
        if current.is_default:
            self._say("The Default profile always applies; clear what it changes instead.")
            return False
        before = self.book
        said = f"Deleted {current.name}. Ctrl+Z brings it back."
        if not self._store(self.book.without(current.name), None, said):
            return False
        self._undo = (before, current.name)
        return True

    def undo_delete(self) -> bool:
        """Bring back the profile deleted last, where it was (while nothing else changed)."""
        if self._undo is None:
            return False
        before, name = self._undo
        return self._store(before, name, f"Brought back {name}.")

    def import_file(self, path: Path) -> bool:
        """Add the profiles of ``path`` (all or nothing)."""
        try:
            incoming = read_profile_file(path)
        except ProfileError as exc:
            self._say(str(exc))
            return False
        names = ", ".join(incoming.names_imported()) or "no profiles"
        return self._store(self.book.merged(incoming), None, f"Imported {names}.")

    def export_file(self, path: Path) -> bool:
        """Write every profile to ``path`` (the file dialog asked before replacing a file)."""
        try:
            export_profiles(self.book, path, replace=True)
        except ProfileError as exc:
            self._say(str(exc))
            return False
        self._say(f"Exported the profiles to {path}.")
        return True

    # ---- helpers ---------------------------------------------------------------------------

    def _choose_import(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Import profiles", "", _JSON_FILTER)
        if chosen:
            self.import_file(Path(chosen))

    def _choose_export(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export profiles", "profiles.json", _JSON_FILTER
        )
        if chosen:
            self.export_file(Path(chosen))

    def _store(self, book: ProfileBook, select: str | None, said: str) -> bool:
        self._undo = None  # any change after a delete: bringing the old list back would undo it
        if _contents(self._path) != self._seen:
            # Changed since this list was read (`saytype profiles import`, an editor):
            # writing the list back would throw that change away.
            loaded = load_profiles(self._path)
            self.book, self._seen = loaded.book, _contents(self._path)
            self._refresh(0)
            self._say(
                "The profiles file was changed outside this window, so nothing was saved: "
                "the list now shows the file. Make your change again."
            )
            return False
        try:
            save_profiles(book, self._path)
        except ProfileError as exc:
            self._say(str(exc))
            return False
        self._seen = _contents(self._path)
        self.book = book
        names = [profile.name for profile in book.all()]
        self._refresh(names.index(select) if select in names else 0)
        self._say(said)
        self.profiles_changed.emit()
        return True

    def _refresh(self, row: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for profile in self.book.all():
            self.list.addItem(f"{profile.name} — {_rule_text(profile)}")
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._show_current(row)

    def _show_current(self, row: int) -> None:
        self._shown_row = row
        profile = self._current()
        self.form.show_profile(profile)
        first, last = row <= 1, row in {0, self.list.count() - 1}
        self.buttons["up"].setEnabled(not first)
        self.buttons["down"].setEnabled(not last)
        self.buttons["delete"].setEnabled(not profile.is_default)

    def _current(self) -> Profile:
        return self._profile_at(self.list.currentRow())

    def _profile_at(self, row: int) -> Profile:
        profiles = list(self.book.all())
        return profiles[max(0, min(row, len(profiles) - 1))]

    def _free_name(self, wanted: str) -> str:
        name, number = wanted, 2
        while self.book.find(name) is not None:
            name, number = f"{wanted} {number}", number + 1
        return name

    def _say(self, sentence: str) -> None:
        self.message.setText(sentence)


def _rule_text(profile: Profile) -> str:
    if profile.is_default:
        return "everywhere else"
    parts = [f"class {profile.window_class}"] if profile.window_class else []
    parts += [f"title {profile.window_title}"] if profile.window_title else []
    return ", ".join(parts)


def _contents(path: Path) -> bytes | None:
    """The file's bytes (None when there is none, or it cannot be read)."""
    try:
        return path.read_bytes()
    except OSError:
        return None
