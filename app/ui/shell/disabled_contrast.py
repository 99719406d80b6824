"""Disabled controls that look disabled in a dark palette.

Some dark system palettes give the Disabled colour group nearly the same text
colour as the Active one, so a greyed-out button (Cancel while idle) reads as
clickable. When the application palette is dark (window lightness < 128),
:class:`DisabledContrast` dims the Disabled group's text roles toward the button
background and flattens the disabled button face toward the window colour. It
re-applies on every application palette change (the user switching theme); a
light palette keeps its own disabled colours.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette

log = logging.getLogger(__name__)

DARK_LIGHTNESS = 128  # a Window colour darker than this is a dark palette
TEXT_WEIGHT = 0.4  # disabled text: this far from the button face toward the enabled text
FACE_WEIGHT = 0.5  # disabled button face: this far from the button colour toward the window

_Group = QPalette.ColorGroup
_Role = QPalette.ColorRole
TEXT_ROLES = (_Role.ButtonText, _Role.WindowText, _Role.Text)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark one (its window colour is darker than mid-grey)."""
    return palette.color(_Group.Active, _Role.Window).lightness() < DARK_LIGHTNESS


def mix(start: QColor, end: QColor, weight: float) -> QColor:
    """The colour ``weight`` of the way from ``start`` to ``end`` (0 is start, 1 is end)."""
    return QColor.fromRgbF(
        start.redF() + (end.redF() - start.redF()) * weight,
        start.greenF() + (end.greenF() - start.greenF()) * weight,
        start.blueF() + (end.blueF() - start.blueF()) * weight,
    )


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of ``colour`` (0 black … 1 white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio between two colours (1 … 21)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def dim_disabled(palette: QPalette) -> QPalette:
    """A copy of ``palette`` whose Disabled text and button face are clearly dimmer.

    Computed from the Active group only, so applying it twice changes nothing.
    """
    dimmed = QPalette(palette)
    button = palette.color(_Group.Active, _Role.Button)
    window = palette.color(_Group.Active, _Role.Window)
    face = mix(button, window, FACE_WEIGHT)
    dimmed.setColor(_Group.Disabled, _Role.Button, face)
    for role in TEXT_ROLES:
        text = palette.color(_Group.Active, role)
        dimmed.setColor(_Group.Disabled, role, mix(face, text, TEXT_WEIGHT))
    return dimmed


class DisabledContrast(QObject):
    """Keeps the application's disabled colours dimmed while its palette is dark.

    Args:
        app: The running application; its palette is adjusted now and on every change.
    """

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self._app = app
        app.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        """Dim the disabled colours of a dark palette; a light one is left as it is."""
        palette = QGuiApplication.palette()
        if not is_dark(palette):
            return
        wanted = dim_disabled(palette)
        if wanted != palette:  # our own setPalette comes back here and stops
            log.debug("disabled colours dimmed for a dark palette")
            self._app.setPalette(wanted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Re-apply when the application palette changes (a theme switch)."""
        if watched is self._app and event.type() == QEvent.Type.ApplicationPaletteChange:
            self.apply()
        return False
