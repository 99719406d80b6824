"""Which keyboard types into other applications in this session, and why.

Decided once, from the session's environment, by the composition root (and,
later, shown by Settings and ``saytype doctor``):

* a Wayland session (``WAYLAND_DISPLAY`` set, and ``XDG_SESSION_TYPE=wayland``
  or no ``DISPLAY``) types through the virtual keyboard with ``wtype``, which
  reaches native Wayland applications and XWayland ones alike;
* anything else with a ``DISPLAY`` types with XTest, as Saytype always has;
* a Wayland session whose compositor offers no virtual keyboard (GNOME, KDE:
  its advertised protocols say so, or ``XDG_CURRENT_DESKTOP`` where they
  cannot be listed) types through ``/dev/uinput`` with ydotool or dotool
  (``uinput_keyboard``) where the user has set that up, else through the
  desktop's RemoteDesktop portal (``portal_keyboard``; it may ask the user
  once); with neither, the reason names the uinput one-time setup;
* a Wayland session without wtype still types into X11 (XWayland) windows
  when there is a ``DISPLAY``, and says what to install for the rest.

Paste mode on the wtype route goes through the Wayland clipboard
(``wayland_clipboard``; wl-paste reads the old one) and the virtual keyboard's
paste keys; without wl-clipboard it types instead, and the reason says so.
The uinput and portal routes paste the same way where the compositor lets apps
set the clipboard, and paste there what the keyboard layout cannot type.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core.output.delivery_messages import MESSAGE_NO_KEYBOARD, MESSAGE_NO_ROUTE
from app.core.output.portal_keyboard import PortalKeyInjector, portal_offers_remote_keyboard
from app.core.output.text_delivery import InjectionError, KeyInjector
from app.core.output.uinput_keyboard import (
    UINPUT_DEVICE,
    UinputKeyInjector,
    UinputProbe,
    probe_uinput,
)
from app.core.output.wayland_clipboard import INSTALL_HINT as CLIPBOARD_INSTALL_HINT
from app.core.output.wayland_clipboard import WaylandClipboard
from app.core.output.wayland_keyboard import INSTALL_HINT, MESSAGE_NO_WTYPE, WtypeKeyInjector
from app.core.output.wayland_selection import SelectionError, compositor_interfaces

RouteName = Literal["x11", "wayland-wtype", "wayland-uinput", "wayland-portal", "none"]
VIRTUAL_KEYBOARD = "zwp_virtual_keyboard_manager_v1"
DATA_CONTROL = "zwlr_data_control_manager_v1"
# The compositors known to offer no virtual keyboard, by XDG_CURRENT_DESKTOP entry.
_NO_VIRTUAL_KEYBOARD = {"gnome": "GNOME", "kde": "KDE"}

InterfacesProbe = Callable[[Mapping[str, str]], "frozenset[str] | None"]
UinputCheck = Callable[[Mapping[str, str], Callable[[str], "str | None"]], UinputProbe]
PortalCheck = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True)
class DeliveryRoute:
    """How keys reach other applications: ``name`` and one sentence of ``reason``.

    Attributes:
        name: ``"x11"`` (XTest), ``"wayland-wtype"`` (virtual keyboard),
            ``"wayland-uinput"`` (``/dev/uinput`` with ydotool or dotool),
            ``"wayland-portal"`` (the RemoteDesktop portal) or ``"none"``
            (nothing can type; the text goes to the clipboard).
        reason: Why, in one sentence a user can act on.
        environ: The environment the keyboard is opened in (None: this process's).
        wayland_clipboard: Paste through the Wayland clipboard (not Qt's).
        portal_token: Where the portal route keeps the desktop's permission (None: not kept).
    """

    name: RouteName
    reason: str
    environ: Mapping[str, str] | None = None
    wayland_clipboard: bool = False
    portal_token: Path | None = None

    def open_wayland_clipboard(self) -> WaylandClipboard | None:
        """The Wayland clipboard that paste mode uses here; None: Qt's (X11)."""
        if not self.wayland_clipboard or self.environ is None:
            return None
        return WaylandClipboard(self.environ)

    def open_keyboard(self, clipboard: WaylandClipboard | None = None) -> KeyInjector:
        """Open this route's keyboard; raise :class:`InjectionError` when it cannot type.

        ``clipboard`` is the Wayland clipboard the caller pastes with, shared by the
        uinput keyboard for what the layout cannot type (None: it opens its own).
        """
        if self.name == "wayland-wtype":
            return WtypeKeyInjector(self.environ)
        if self.name == "wayland-uinput":
            paster = clipboard if clipboard is not None else self.open_wayland_clipboard()
            return UinputKeyInjector(self.environ, clipboard=paster)
        if self.name == "wayland-portal" and self.environ is not None:
            paster = clipboard if clipboard is not None else self.open_wayland_clipboard()
            return PortalKeyInjector(self.environ, clipboard=paster, token_file=self.portal_token)
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


def known_interfaces(environ: Mapping[str, str]) -> frozenset[str] | None:
    """The compositor's protocols, or None when they cannot be listed."""
    try:
        return compositor_interfaces(environ)
    except SelectionError:
        return None


def missing_virtual_keyboard(
    environ: Mapping[str, str], interfaces: frozenset[str] | None
) -> str | None:
    """Which compositor offers no virtual keyboard ("GNOME", "KDE", "This compositor"), or None.

    The compositor's advertised protocols decide; when they are unknown,
    ``XDG_CURRENT_DESKTOP`` naming GNOME or KDE does.
    """
    desktops = environ.get("XDG_CURRENT_DESKTOP", "").lower().split(":")
    known = next((_NO_VIRTUAL_KEYBOARD[d] for d in desktops if d in _NO_VIRTUAL_KEYBOARD), None)
    if interfaces is None:
        return known
    return None if VIRTUAL_KEYBOARD in interfaces else known or "This compositor"


def choose_delivery_route(
    environ: Mapping[str, str],
    which: Callable[[str], str | None] = shutil.which,
    *,
    interfaces: InterfacesProbe = known_interfaces,
    uinput: UinputCheck = probe_uinput,
    remote_keyboard: PortalCheck = portal_offers_remote_keyboard,
) -> DeliveryRoute:
    """The route for a session with environment ``environ``.

    Args:
        environ: The session's environment (``os.environ`` in the app).
        which: Finds a program on ``PATH`` (a fake in tests).
        interfaces: The compositor's protocols, None when unknown (a fake in tests).
        uinput: Whether ydotool or dotool can type, and what setup is missing.
        remote_keyboard: Whether the desktop's portal offers a RemoteDesktop keyboard.
    """
    display = environ.get("DISPLAY", "")
    if is_wayland_session(environ):
        wayland = environ["WAYLAND_DISPLAY"]
        offered = interfaces(environ)
        lacking = missing_virtual_keyboard(environ, offered)
        setup = ""
        if lacking:
            probe = uinput(environ, which)
            chosen: tuple[RouteName, str] | None = None
            if probe.tool is not None:  # the user set it up: no question from the desktop
                chosen = ("wayland-uinput", f"typing through {UINPUT_DEVICE} with {probe.tool}")
            elif remote_keyboard(environ):
                how = "typing through the desktop's remote-control portal (it may ask once)"
                chosen = ("wayland-portal", how)
            if chosen is not None:
                name, how = chosen
                return _route_without_virtual_keyboard(
                    name, how, environ=environ, which=which, offered=offered, lacking=lacking
                )
            setup = f"{lacking} offers no virtual keyboard, and {_clause(probe.problem)}"
        if which("wtype"):
            typing = f"Wayland session ({wayland}): typing through the virtual keyboard with wtype"
            if setup:
                reason = f"{typing}, which fails here: {_clause(setup)}."
            elif which("wl-paste"):
                reason = f"{typing}, pasting through the Wayland clipboard."
            else:
                reason = (
                    f"{typing}; paste mode types too until wl-clipboard is installed "
                    f"({CLIPBOARD_INSTALL_HINT})."
                )
            return DeliveryRoute("wayland-wtype", reason, environ, bool(which("wl-paste")))
        if display:
            fix = setup or f"install wtype ({INSTALL_HINT}) to type into native Wayland apps"
            return DeliveryRoute(
                "x11",
                "Wayland session without wtype: typing reaches only X11 (XWayland) windows; "
                f"{_clause(fix)}.",
                environ,
            )
        # Nothing types, but wl-copy can still leave the text where the message says it is.
        clipboard = bool(which("wl-paste"))
        return DeliveryRoute("none", f"{setup or MESSAGE_NO_WTYPE}.", environ, clipboard)
    if display:
        return DeliveryRoute(
            "x11", f"X11 session ({display}): keys and pastes are sent with XTest.", environ
        )
    return DeliveryRoute(
        "none",
        "No display to type into: neither DISPLAY nor WAYLAND_DISPLAY is set.",
        environ,
    )


def _route_without_virtual_keyboard(
    name: RouteName,
    how: str,
    *,
    environ: Mapping[str, str],
    which: Callable[[str], str | None],
    offered: frozenset[str] | None,
    lacking: str,
) -> DeliveryRoute:
    typing = f"{lacking} offers no virtual keyboard: {how}"
    if not which("wl-paste"):
        reason = (
            f"{typing}; paste mode types too, and characters outside the keyboard layout "
            f"need wl-clipboard ({CLIPBOARD_INSTALL_HINT})."
        )
        return DeliveryRoute(name, reason, environ)
    if offered is not None and DATA_CONTROL not in offered:
        reason = (
            f"{typing}; the compositor lets no app set the clipboard, so paste mode types "
            "too and characters outside the keyboard layout cannot be typed."
        )
        return DeliveryRoute(name, reason, environ)
    reason = (
        f"{typing}, pasting (and characters outside the keyboard layout) through the "
        "Wayland clipboard."
    )
    return DeliveryRoute(name, reason, environ, wayland_clipboard=True)


def _clause(sentence: str) -> str:
    """``sentence`` to follow a colon or a comma: "Typing" becomes "typing"; "GNOME" stays."""
    if sentence[:1].isupper() and not sentence[1:2].isupper():
        return sentence[:1].lower() + sentence[1:]
    return sentence
