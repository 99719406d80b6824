"""The line in Settings that says how text reaches other apps in this session, and why.

The route is chosen once at start from the session (X11; Wayland with wtype,
or with ydotool/dotool through /dev/uinput or the RemoteDesktop portal where
the compositor has no virtual keyboard; and the Wayland clipboard:
``core/output/delivery_route.py``); a person who wonders why text does not
arrive reads it here, and ``saytype doctor`` says the rest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.core.output.delivery_route import DeliveryRoute

ROUTE_NAMES = {
    "x11": "X11 (XTest)",
    "wayland-wtype": "Wayland virtual keyboard (wtype)",
    "wayland-uinput": "Wayland, through /dev/uinput (ydotool or dotool)",
    "wayland-portal": "Wayland, through the desktop's remote-control portal",
    "none": "None: text goes to the clipboard",
}
LABEL = "Delivery route"


def route_label(route: DeliveryRoute, parent: QWidget) -> QLabel:
    """A read-only, selectable label: the route's name, its reason, and where to learn more."""
    name = ROUTE_NAMES.get(route.name, route.name)
    label = QLabel(
        f"<b>{name}</b><br>{route.reason}<br>"
        "<small>Run <code>saytype doctor</code> in a terminal to check the rest.</small>",
        parent,
    )
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setObjectName("delivery_route")
    label.setAccessibleName(LABEL)
    label.setAccessibleDescription(f"{name}. {route.reason}")
    return label
