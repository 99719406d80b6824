"""Where the keyboard focus is, on the panes that show none of their own.

Fusion marks a focused button or line edit, but a list or a read-only text pane shows
the focus at most on its current row: a keyboard user lost track of it. Those panes get
a frame in the highlight colour while they have the focus. A tab chosen with its Alt+
letter takes the focus into its page too: it stayed on the button it was on, where the
next Delete or Enter did something else. And Fusion marks a focused button only once a
key has moved the focus, so at launch, or after a dialog closed, a keyboard-only user saw
no mark at all: the marks stay on unless the mouse moved the focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent, QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFrame, QTabWidget, QWidget


class _FocusFrame(QObject):
    """Draws its pane's frame as a plain box in the highlight colour while it has the focus.

    Palette roles, not a style sheet: a style sheet on a pane stopped it following the
    desktop's palette when that changed (a dark theme turned on).
    """

    def __init__(self, pane: QAbstractScrollArea) -> None:
        super().__init__(pane)
        self._pane = pane
        self._native = (pane.frameStyle(), pane.lineWidth(), pane.foregroundRole())
        pane.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Frame on focus in, native frame on focus out; never consumes the event."""
        if watched is self._pane and event.type() == QEvent.Type.FocusIn:
            width = self._pane.frameWidth()  # the same width: the text does not move
            self._pane.setFrameStyle(QFrame.Shape.Box | QFrame.Shadow.Plain)
            self._pane.setLineWidth(max(1, width))
            self._pane.setForegroundRole(QPalette.ColorRole.Highlight)
        elif watched is self._pane and event.type() == QEvent.Type.FocusOut:
            style, line_width, role = self._native
            self._pane.setFrameStyle(style)
            self._pane.setLineWidth(line_width)
            self._pane.setForegroundRole(role)
        return False


def mark_focus(*panes: QAbstractScrollArea) -> None:
    """Frame each pane in the highlight colour while it has the keyboard focus."""
    for pane in panes:
        _FocusFrame(pane)


def focus_page_on_switch(tabs: QTabWidget) -> None:
    """When another tab is chosen, the focus goes into its page (its ``focus_home``)."""

    def switched(index: int) -> None:
        page = tabs.widget(index)
        focused = QApplication.focusWidget()
        if page is None or (focused is not None and page.isAncestorOf(focused)):
            return
        home = getattr(page, "focus_home", None) or page
        home.setFocus(Qt.FocusReason.TabFocusReason)

    tabs.currentChanged.connect(switched)


class _MarksStayOn(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            event.type() == QEvent.Type.FocusIn
            and isinstance(event, QFocusEvent)
            and isinstance(watched, QWidget)
            and event.reason() != Qt.FocusReason.MouseFocusReason
        ):
            watched.window().setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
        return False


def keep_focus_marks_on() -> None:
    """Focused buttons are marked whenever the focus did not come from a mouse click."""
    app = QApplication.instance()
    if app is None or app.findChild(_MarksStayOn) is not None:
        return
    app.installEventFilter(_MarksStayOn(app))
