"""Which keyboard types into other applications in this session, and why.

Decided once, from the session's environment, by the composition root (and,
later, shown by Settings and ``saytype doctor``):

* a Wayland session (``WAYLAND_DISPLAY`` set, and ``XDG_SESSION_TYPE=wayland``
  or no ``DISPLAY``) types through the virtual keyboard with ``wtype``, which
  reaches native Wayland applications and XWayland ones alike;
* anything else with a ``DISPLAY`` types with XTest, as Saytype always has;
* a Wayland session without wtype still types into X11 (XWayland) windows
  when there is a ``DISPLAY``, and says what to install for the rest.

Paste mode on the wtype route goes through the Wayland clipboard
(``wayland_clipboard``; wl-paste reads the old one) and the virtual keyboard's
paste keys; without wl-clipboard it types instead, and the reason says so.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.core.output.text_delivery import (
    MESSAGE_NO_KEYBOARD,
    MESSAGE_NO_ROUTE,
    InjectionError,
    KeyInjector,
)
from app.core.output.wayland_clipboard import INSTALL_HINT as CLIPBOARD_INSTALL_HINT
from app.core.output.wayland_clipboard import WaylandClipboard
from app.core.output.wayland_keyboard import INSTALL_HINT, MESSAGE_NO_WTYPE, WtypeKeyInjector

RouteName = Literal["x11", "wayland-wtype", "none"]


@dataclass(frozen=True)
class DeliveryRoute:
    """How keys reach other applications: ``name`` and one sentence of ``reason``.

    Attributes:
        name: ``"x11"`` (XTest), ``"wayland-wtype"`` (virtual keyboard) or
            ``"none"`` (nothing can type; the text goes to the clipboard).
        reason: Why, in one sentence a user can act on.
        environ: The environment the keyboard is opened in (None: this process's).
        wayland_clipboard: Paste through the Wayland clipboard (not Qt's).
    """

    name: RouteName
    reason: str
    environ: Mapping[str, str] | None = None
    wayland_clipboard: bool = False

    def open_wayland_clipboard(self) -> WaylandClipboard | None:
        """The Wayland clipboard that paste mode uses here; None: Qt's (X11)."""
        if not self.wayland_clipboard or self.environ is None:
            return None
        return WaylandClipboard(self.environ)

    def open_keyboard(self) -> KeyInjector:
        """Open this route's keyboard; raise :class:`InjectionError` when it cannot type."""
        if self.name == "wayland-wtype":
            return WtypeKeyInjector(self.environ)
        if self.name == "x11":
            from app.core.output.x11_keyboard import X11KeyInjector

            display = self.environ.get("DISPLAY") if self.environ is not None else None
            return X11KeyInjector(display)
        raise InjectionError(self.reason)

    def no_keyboard_message(self, error: Exception) -> str:
        """What the user reads when :meth:`open_keyboard` raised ``error``."""
        if self.name == "x11":
            return MESSAGE_NO_KEYBOARD.format(reason=error)  # worded as before routes
        return MESSAGE_NO_ROUTE.format(reason=str(error).rstrip("."))


# What DeliveryService uses when it is given no route: X11, as before routes existed.
X11_ROUTE = DeliveryRoute("x11", "Typing with XTest into X11 windows.")


def is_wayland_session(environ: Mapping[str, str]) -> bool:
    """A Wayland session: a Wayland display, and the session says so or there is no X."""
    if not environ.get("WAYLAND_DISPLAY"):
        return False
    return environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" or not environ.get("DISPLAY")


def choose_delivery_route(
    environ: Mapping[str, str], which: Callable[[str], str | None] = shutil.which
) -> DeliveryRoute:
    """The route for a session with environment ``environ``.

    Args:
        environ: The session's environment (``os.environ`` in the app).
        which: Finds a program on ``PATH`` (a fake in tests).
    """
    display = environ.get("DISPLAY", "")
    if is_wayland_session(environ):
        wayland = environ["WAYLAND_DISPLAY"]
        if which("wtype"):
            typing = f"Wayland session ({wayland}): typing through the virtual keyboard with wtype"
            if which("wl-paste"):
                reason = f"{typing}, pasting through the Wayland clipboard."
            else:
                reason = (
                    f"{typing}; paste mode types too until wl-clipboard is installed "
                    f"({CLIPBOARD_INSTALL_HINT})."
                )
            return DeliveryRoute("wayland-wtype", reason, environ, bool(which("wl-paste")))
        if display:
            return DeliveryRoute(
                "x11",
                "Wayland session without wtype: typing reaches only X11 (XWayland) windows; "
                f"install wtype ({INSTALL_HINT}) to type into native Wayland apps.",
                environ,
            )
        return DeliveryRoute("none", f"{MESSAGE_NO_WTYPE}.", environ)
    if display:
        return DeliveryRoute("x11", f"X11 session ({display}): typing with XTest.", environ)
    return DeliveryRoute(
        "none",
        "No display to type into: neither DISPLAY nor WAYLAND_DISPLAY is set.",
        environ,
    )
