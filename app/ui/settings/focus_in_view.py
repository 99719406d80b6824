"""Keep the keyboard focus in sight inside the scrolling pages of a window.

Tab scrolls a :class:`QScrollArea` to the field it reaches, but a label's Alt+letter
moves the focus without scrolling: a keyboard-only user pressed Alt+N at the bottom of
Settings → Profiles, and typed on into a Name field scrolled out of sight.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget


class FocusInView(QObject):
    """Scrolls ``root`` (a scroll area), and any inside it that holds the newly focused
    widget, to that widget. A child of ``root``: it stops following when ``root`` goes."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self._root = root
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not self._root.isAncestorOf(new):
            return
        holder = new.parentWidget()
        while holder is not None:
            if isinstance(holder, QScrollArea):
                holder.ensureWidgetVisible(new)
            holder = None if holder is self._root else holder.parentWidget()
