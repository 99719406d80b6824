"""Icons for the dictation states, drawn at run time so they stay crisp at any size.

One glyph (a microphone in a disc) in a colour per state, plus a mark for
errors, so the tray shows idle / listening / working / error at a glance, also
to people who cannot tell the colours apart (the shapes differ too).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

_COLOURS = {
    "idle": "#5f6b7a",
    "listening": "#d93025",
    "working": "#e8a317",
    "error": "#9c27b0",
}
_SIZES = (16, 22, 24, 32, 48, 64)


def icon_state(dictation_state: str) -> str:
    """Map a DictationState value to an icon state."""
    if dictation_state == "listening":
        return "listening"
    if dictation_state in {"finishing", "delivering"}:
        return "working"
    if dictation_state == "error":
        return "error"
    return "idle"


def state_icon(state: str) -> QIcon:
    """The icon for ``state`` (idle, listening, working or error)."""
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_draw(state, size))
    return icon


def _draw(state: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 32
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(_COLOURS.get(state, _COLOURS["idle"])))
    painter.drawEllipse(QRectF(1 * s, 1 * s, 30 * s, 30 * s))
    white = QColor("#ffffff")
    painter.setBrush(white)
    painter.drawRoundedRect(QRectF(12.5 * s, 6 * s, 7 * s, 13 * s), 3.5 * s, 3.5 * s)
    pen = QPen(white, 2 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(9 * s, 9 * s, 14 * s, 14 * s), 180 * 16, 180 * 16)
    painter.drawLine(QPointF(16 * s, 23 * s), QPointF(16 * s, 26 * s))
    if state == "listening":  # a filled dot: "recording"
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(white)
        painter.drawEllipse(QRectF(23 * s, 3 * s, 6 * s, 6 * s))
    elif state == "working":  # three dots: "busy"
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(white)
        for x in (21.0, 24.5, 28.0):
            painter.drawEllipse(QRectF((x - 1) * s, 26 * s, 2 * s, 2 * s))
    elif state == "error":  # an exclamation mark
        painter.setPen(QPen(white, 2.5 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(26 * s, 4 * s), QPointF(26 * s, 9 * s))
        painter.drawPoint(QPointF(26 * s, 12 * s))
    painter.end()
    return pixmap
