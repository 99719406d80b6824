"""The Help menu's two boxes: About Saytype and the keyboard shortcuts.

Both are written from live facts rather than kept by hand: the version from
``app._version``, the folders from ``app.core.paths``, the shortcuts from the
window's own menu actions. A hand-kept list would drift from the menus the
first time someone adds an action. The boxes open window-modal and return at
once, so nothing blocks the event loop while a dictation may be running.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from app._version import __version__
from app.core.log_file import log_dir
from app.core.paths import config_dir, data_dir, models_dir

# Saytype's licence is pyproject.toml's `license`; the others are those of what ships with it.
LICENCES = (
    ("Saytype", "MIT"),
    ("faster-whisper", "MIT"),
    ("Whisper model weights (OpenAI)", "MIT"),
    ("PySide6 (Qt for Python)", "LGPLv3"),
)


def about_html(model_name: str) -> str:
    """The About box's text: version, model, licences and where Saytype keeps its files."""
    folders = (
        ("Settings", config_dir()),
        ("History and recordings", data_dir()),
        ("Downloaded models", models_dir()),
        ("Logs (never your words)", log_dir()),
    )
    licences = "".join(f"<li>{html.escape(n)}: {html.escape(lic)}</li>" for n, lic in LICENCES)
    places = "".join(f"<li>{name}: <code>{_path(path)}</code></li>" for name, path in folders)
    return (
        f"<h3>Saytype {html.escape(__version__)}</h3>"
        "<p>Offline dictation: speech to text, typed into any application.</p>"
        f"<p>Model in use: <b>{html.escape(model_name)}</b></p>"
        f"<p>Licences:</p><ul>{licences}</ul>"
        f"<p>Folders:</p><ul>{places}</ul>"
    )


def add_help_menu(
    window: QMainWindow, show_shortcuts: Callable[[], object], show_about: Callable[[], object]
) -> None:
    """The Help menu: Keyboard shortcuts (F1) and About Saytype; F10 opens the menus."""
    # Alt+H is the History tab's, E is Edit's and P is History's Re-ty&pe button.
    bar = window.menuBar()
    help_menu = bar.addMenu("He&lp")
    # As in GNOME's and KDE's apps; Qt leaves F10 to the desktop, and most do nothing.
    menus = QShortcut(QKeySequence("F10"), window)
    menus.activated.connect(lambda: bar.setActiveAction(bar.actions()[0]))
    shortcuts = QAction("&Keyboard shortcuts", window)
    shortcuts.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
    shortcuts.triggered.connect(show_shortcuts)
    help_menu.addAction(shortcuts)
    about = QAction("&About Saytype", window)
    about.setMenuRole(QAction.MenuRole.AboutRole)
    about.triggered.connect(show_about)
    help_menu.addAction(about)


# What the hotkey does in each mode of Settings → General (a new user could not tell).
_HOTKEY_ROW = {
    "auto": "Dictate from any application: hold while you speak, or tap, speak, tap again",
    "hold": "Dictate from any application: hold while you speak",
    "toggle": "Start or stop dictation, from any application",
}
# The README's table, "Spoken commands and text shaping" (a test keeps them alike).
SPOKEN_COMMANDS = [
    ("comma", ","),
    ("period, full stop", "."),
    ("question mark", "?"),
    ("exclamation mark, exclamation point", "!"),
    ("colon / semicolon", ": / ;"),
    ("open quote / close quote", '" … "'),
    ("open paren / close paren", "( … )"),
    ("new line", "a line break"),
    ("new paragraph", "an empty line"),
    ("scratch that", "removes the phrase before it"),
    ("cap WORD", "Word"),
    ("all caps WORD", "WORD"),
    ("no space", "joins the next word to the one before"),
]


def shortcut_rows(
    actions: Iterable[QAction], hotkey_text: str, mode: str = "auto"
) -> list[tuple[str, str]]:
    """(what, keys) for the global hotkey, Esc, and every menu action that has a shortcut."""
    rows = [
        (_HOTKEY_ROW.get(mode, _HOTKEY_ROW["auto"]), hotkey_text),
        ("Cancel the dictation under way", "Esc"),
        ("Cancel a Re-type countdown", "Esc"),
        ("Delete the selected history entry; bring it back", "Delete, Ctrl+Z"),
        ("Cancel the selected file in the queue, or take it off once ended", "Delete"),
        ("Open a finished file's transcript", "Enter"),
        ("Copy the selected segment of a transcript", "Enter, Ctrl+C"),
        ("Next or previous page of Settings", "Ctrl+Tab, Ctrl+Shift+Tab"),
        ("Open the menus", "F10"),
    ]
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and not action.isSeparator():
            rows.append((_without_mnemonic(action.text()), keys))
    return rows


def shortcuts_html(rows: list[tuple[str, str]]) -> str:
    """The shortcuts as a two-column table, then the spoken commands."""
    return (
        f"{_table(rows)}<p>Buttons and menus: Alt with the letter underlined in their "
        "name (some desktops underline it only while Alt is held); Enter or Space presses "
        "the focused button.</p><p><b>Spoken commands</b> (English; Settings → Text turns "
        "them off). Say:</p>"
        f"{_table(SPOKEN_COMMANDS)}"
    )


def _table(rows: list[tuple[str, str]]) -> str:
    return "<table>{}</table>".format(
        "".join(
            f"<tr><td>{html.escape(what)}</td><td>&nbsp;&nbsp;<b>{html.escape(keys)}</b></td></tr>"
            for what, keys in rows
        )
    )


def open_about(parent: QWidget, model_name: str) -> QMessageBox:
    """Show About Saytype (window-modal, returns at once)."""
    box = _open(parent, "About Saytype", about_html(model_name))
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    return box


def open_shortcuts(parent: QWidget, rows: list[tuple[str, str]]) -> QMessageBox:
    """Show the keyboard shortcuts (window-modal, returns at once)."""
    return _open(parent, "Keyboard shortcuts", shortcuts_html(rows))


def _open(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.NoIcon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # paths to copy
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setAccessibleName(title)
    box.open()
    return box


def _path(path: Path) -> str:
    return html.escape(str(path))


def _without_mnemonic(text: str) -> str:
    """ "Cop&y last" → "Copy last" ("&&" is a literal ampersand)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")
