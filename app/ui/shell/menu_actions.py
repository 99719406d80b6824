"""Menu items with the desktop's own key for their job, or ours where it has none."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def add_menu_action(
    menu: QMenu, text: str, standard: QKeySequence.StandardKey | None, fallback: str
) -> QAction:
    """Add ``text`` to ``menu`` with the platform's keys for ``standard``, else ``fallback``."""
    action = QAction(text, menu)
    keys = QKeySequence.keyBindings(standard) if standard is not None else []
    action.setShortcuts(keys or [QKeySequence(fallback)])
    menu.addAction(action)
    return action
