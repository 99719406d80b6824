"""A small always-on-top strip that shows Saytype is listening, wherever the focus is.

Stock GNOME has no tray, and the main window is usually hidden behind the app
being dictated into, so without this nothing on screen says the microphone is
live. The strip sits at the bottom centre of the screen holding the cursor and
shows the state, the profile the dictation uses, the input level and the tail
of the live text.

It must never take the keyboard focus: the text is being typed into another
application, and Saytype refuses to type while one of its own windows has the
focus. So it is a frameless tool window that does not accept focus, is shown
without activating, and lets mouse clicks through to the window below.

On Qt's Wayland platform none of that holds: the strip is an ordinary
toplevel, and the compositor tiles it and gives it the focus (under sway the
dictated text then went nowhere: tests/test_dictation_wayland_e2e.py). A
strip that floats without focus needs the layer-shell protocol, which Qt
offers only through LayerShellQt, not in PySide6; so there the strip stays
hidden, and the main window and the tray say that Saytype listens.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QCursor, QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout

from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.live_view import LevelMeter
from app.ui.dictation.microphone import Microphone

log = logging.getLogger(__name__)

_STATE_TEXT = {"listening": "Listening…", "finishing": "Finishing…"}
_METER_INTERVAL_MS = 50  # as the main window's meter
TAIL_CHARS = 60
_BOTTOM_MARGIN_PX = 48  # above the bottom edge: clear of docks and taskbars that overlap
_FLAGS = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
    | Qt.WindowType.WindowTransparentForInput
    # X11: out of the window manager's hands, so out of its taskbar too (a panel listed
    # the strip as a task with every dictation). Wayland ignores it.
    | Qt.WindowType.X11BypassWindowManagerHint
)


def text_tail(committed: str, partial: str, limit: int = TAIL_CHARS) -> tuple[str, str]:
    """The last ``limit`` characters of ``committed`` + ``partial``, split back into the two.

    A cut text starts with "…"; the partial part keeps its own share so that it can
    still be shown dimmed.
    """
    joined = committed + partial  # the partial begins with its own space or mark
    if len(joined) <= limit:
        return joined[: len(joined) - len(partial)], partial
    tail = "…" + joined[len(joined) - (limit - 1) :].lstrip()
    if len(partial) >= len(tail):
        return "", tail
    split = len(tail) - len(partial)
    return tail[:split], tail[split:]


class ListeningIndicator(QFrame):
    """The on-screen strip: shown while listening and finishing, when enabled.

    Args:
        controller: its ``state_changed`` and ``live_text`` drive the strip.
        microphone: read for the level meter while the strip is shown.
        enabled: the ``show_indicator`` setting; when False the strip never shows.
    """

    def __init__(
        self, controller: DictationController, microphone: Microphone, *, enabled: bool = True
    ) -> None:
        super().__init__(None, _FLAGS)  # no parent: a tool window would follow its parent
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle("Saytype is listening")
        self.setAccessibleName("Saytype listening indicator")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        # Tooltip colours: readable over any application, and they follow the theme.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.ToolTipBase))
        palette.setColor(
            QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.ToolTipText)
        )
        self.setPalette(palette)
        self._mic = microphone
        self._takes_focus = QGuiApplication.platformName() == "wayland"
        if self._takes_focus and enabled:
            log.info("Qt's Wayland platform: the listening strip stays hidden (it takes the focus)")
        self.enabled = enabled
        self.state = "idle"
        self.committed = ""
        self.partial = ""
        self.state_label = QLabel(self)
        self.state_label.setAccessibleName("Dictation state")
        font = self.state_label.font()
        font.setBold(True)
        self.state_label.setFont(font)
        self.profile_label = QLabel(self)
        self.profile_label.setAccessibleName("Profile")
        self.meter = LevelMeter(self)
        self.text_label = QLabel(self)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setAccessibleName("Live text")
        self._build_layout()
        self._timer = QTimer(self)
        self._timer.setInterval(_METER_INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        controller.state_changed.connect(self.show_state)
        controller.live_text.connect(self.show_text)
        controller.profile_chosen.connect(self.show_profile)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.state_label)
        top.addWidget(self.profile_label)
        top.addWidget(self.meter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.text_label)
        # Wide enough for the whole tail, so the strip does not jump as words arrive.
        self.setFixedWidth(self.fontMetrics().averageCharWidth() * (TAIL_CHARS + 6) + 20)

    def set_enabled(self, enabled: bool) -> None:
        """Apply the ``show_indicator`` setting (hides the strip at once when turned off)."""
        self.enabled = enabled
        self.show_state(self.state)

    def show_state(self, state: str) -> None:
        """Show the strip for "listening" and "finishing"; hide it for every other state."""
        self.state = state
        wanted = self.enabled and not self._takes_focus and state in _STATE_TEXT
        if wanted:
            self.state_label.setText(_STATE_TEXT[state])
            if not self.isVisible():
                self.show_text("", "")  # a new dictation: no old words
                self.profile_label.clear()
                self._place()
                self.show()
                self._timer.start()
        elif self.isVisible():
            self._timer.stop()
            self.hide()

    def show_text(self, committed: str, partial: str) -> None:
        """Show the last characters of the live text; the unsure part dimmed."""
        self.committed, self.partial = committed, partial
        settled, unsure = text_tail(committed, partial)
        dim = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        self.text_label.setText(
            html.escape(settled)
            + (f'<i style="color:{dim}">{html.escape(unsure)}</i>' if unsure else "")
            or "&nbsp;"  # keeps the line's height while nothing is heard yet
        )

    def show_profile(self, name: str) -> None:
        """Name the per-app profile the dictation under way uses."""
        self.profile_label.setText(f"· {name}")

    @property
    def shown_text(self) -> str:
        """The text as shown, without the markup."""
        return "".join(text_tail(self.committed, self.partial))

    def _place(self) -> None:
        """Bottom centre of the screen holding the cursor (the one the user looks at)."""
        cursor = QCursor.pos()
        screen = QGuiApplication.screenAt(cursor) or QGuiApplication.primaryScreen()
        if screen is None:
            return
        self.adjustSize()
        area = screen.availableGeometry()
        x = area.x() + (area.width() - self.width()) // 2
        y = area.y() + area.height() - self.height() - _BOTTOM_MARGIN_PX
        self.move(QPoint(x, max(area.y(), y)))
        log.debug("listening indicator at %d,%d on %s", x, y, screen.name())

    def _tick(self) -> None:
        self.meter.show_level(self._mic.level_dbfs())

    def close_for_quit(self) -> None:
        """Stop the meter and go away (at shutdown)."""
        self._timer.stop()
        self.hide()
        self.deleteLater()
