"""Fitting Saytype's window into a narrow space: a tiling desktop's tile, a small screen.

A tiling compositor (sway, i3, Hyprland) gives a window the tile's size whatever
its minimum; Qt then lays the window out at its minimum and the tile cuts off the
right side, buttons included (a new user on sway lost the crash-recovery buttons
that way). So the window may shrink, and what sits side by side goes one under
the other when the width would not hold it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QSizePolicy, QSplitter, QWidget

# The smallest window: the History tab's buttons in a row, the notices wrapped.
NARROWEST = (400, 360)
_WRAPPED_LABEL_W = 220  # a wrapping label beside buttons needs at least this to be read


class PanesFit(QObject):
    """Stacks ``splitter``'s panes once ``window`` is too narrow for them side by side."""

    def __init__(self, window: QWidget, splitter: QSplitter) -> None:
        super().__init__(window)
        self._window = window
        self._splitter = splitter
        window.setMinimumSize(*NARROWEST)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self.fit(self._window.width())
        return False

    def fit(self, width: int) -> None:
        """Side by side where ``width`` holds both panes, else one under the other."""
        panes = [self._splitter.widget(i) for i in range(self._splitter.count())]
        needed = sum(pane.minimumSizeHint().width() for pane in panes if pane is not None)
        needed += self._splitter.handleWidth() + _margins(self._window)
        wanted = Qt.Orientation.Horizontal if width >= needed else Qt.Orientation.Vertical
        if self._splitter.orientation() != wanted:
            self._splitter.setOrientation(wanted)
            self._splitter.setSizes([1, 1])  # scaled: half each, across or down


class BannerFit(QObject):
    """Puts a banner's buttons under its text when the banner is too narrow for one row.

    The banner then never asks for more width than the window has: it is laid out at
    the width it gets, and reflows to it.
    """

    def __init__(self, banner: QWidget, layout: QBoxLayout) -> None:
        super().__init__(banner)
        self._banner = banner
        self._layout = layout
        policy = banner.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        banner.setSizePolicy(policy)
        banner.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._banner and event.type() in {QEvent.Type.Resize, QEvent.Type.Show}:
            self.fit(self._banner.width())
        return False

    def fit(self, width: int) -> None:
        """One row where ``width`` holds the text and every button, else a column."""
        needed = _margins(self._banner)
        for index in range(self._layout.count()):
            item = self._layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is None or widget.isHidden():
                continue
            wraps = isinstance(widget, QLabel) and widget.wordWrap()
            needed += _WRAPPED_LABEL_W if wraps else widget.sizeHint().width()
            needed += self._layout.spacing()
        row = QBoxLayout.Direction.LeftToRight
        wanted = row if width >= needed else QBoxLayout.Direction.TopToBottom
        if self._layout.direction() != wanted:
            self._layout.setDirection(wanted)


def _margins(widget: QWidget) -> int:
    """The horizontal margins of ``widget``'s layout, and of its central widget's."""
    total = 0
    for holder in (widget, getattr(widget, "centralWidget", lambda: None)()):
        layout = holder.layout() if isinstance(holder, QWidget) else None
        if layout is not None:
            margins = layout.contentsMargins()
            total += margins.left() + margins.right()
    return total
