"""Typing through the XDG RemoteDesktop portal, where Wayland has no virtual keyboard.

GNOME (mutter) and KDE (KWin) offer no ``zwp_virtual_keyboard_manager_v1``,
but their portals offer ``org.freedesktop.portal.RemoteDesktop``: an app opens
a session with a keyboard (``CreateSession``, ``SelectDevices``, ``Start``; the
desktop may ask the user at ``Start``, GNOME does, Plasma 5.27 only shows a
notification for an unsandboxed app) and then sends keys as X keysyms
(``NotifyKeyboardKeysym``), which the compositor maps to a key (and Shift or
AltGr) of the user's own layout. No setup is needed, unlike ``/dev/uinput``.

A keysym the layout has no key for is dropped by the compositor without a
word (KWin logs "Failed to convert keysym into keycode"), so, as on the uinput
route, only printable ASCII is typed as keys, and everything else (é, €, ✓,
emoji) is pasted at its place through the Wayland clipboard, which is then
given back; with no clipboard to set, such text fails before the first key.

The compositor merges these keys with the physical keyboard's state (KWin:
a Ctrl still held from the hotkey turned "xyz" into cut, redo and undo). No
Wayland client can see which keys are held, so every run of keys first
releases the modifiers, as ``xdotool --clearmodifiers`` does; a modifier the
user still holds then counts as released until it is pressed again.

Plasma 5.27's portal learns the user's layout lazily: its first key asks KWin
for the keymap and, until the answer arrives, keysyms are mapped through a US
keymap (on a German layout "Quiz:" came out "QuiyÖ" once in CI, under load).
So a new session sends one key release at once (:meth:`_prime_layout`); the
session opens when Saytype starts, long before the first dictation is typed.

Where the portal can keep a permission (version 2: ``persist_mode``), the
``restore_token`` it returns is saved, so the desktop asks once, not at every
start. One session is opened on first use and kept; a session the desktop
closed (the user revoked it) is opened again once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.core.atomic_file import write_text_atomically
from app.core.desktop_portal import (
    CALL_TIMEOUT_S,
    PORTAL_NAME,
    PORTAL_PATH,
    PortalError,
    portal_property,
    portal_request,
    session_bus_address,
)
from app.core.output.paste_keys import paste_chord_for
from app.core.output.text_delivery import InjectionError
from app.core.output.uinput_keyboard import ClipboardPaster, uinput_steps
from app.core.output.wayland_focus import WaylandKeyboardFocus

log = logging.getLogger(__name__)

REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
KEYBOARD_DEVICE = 1  # the portal's device types: 1 keyboard, 2 pointer, 4 touchscreen
PERSIST_UNTIL_REVOKED = 2
_START_TIMEOUT_S = 120.0  # the desktop may ask the user
MESSAGE_NOT_IN_LAYOUT = (
    "{chars} cannot be typed through the desktop's remote-control portal (not on the keyboard "
    "layout), and this compositor lets no app set the clipboard to paste them: choose the "
    "clipboard as where the text goes (Settings)"
)

# X keysyms (X11/keysymdef.h) of the keys Saytype presses by name.
_NAMED_KEYSYMS = {
    "ctrl": 0xFFE3, "control": 0xFFE3, "shift": 0xFFE1, "alt": 0xFFE9, "super": 0xFFEB,
    "enter": 0xFF0D, "return": 0xFF0D, "tab": 0xFF09, "backspace": 0xFF08,
    "escape": 0xFF1B, "esc": 0xFF1B, "delete": 0xFFFF, "insert": 0xFF63, "space": 0x20,
    "home": 0xFF50, "left": 0xFF51, "up": 0xFF52, "right": 0xFF53, "down": 0xFF54,
    "end": 0xFF57,
}  # fmt: skip
_CHAR_KEYS = {"\n": "enter", "\r": "enter", "\t": "tab"}
# Shift, Control, Alt and Super, left and right, and AltGr (ISO_Level3_Shift).
_MODIFIER_KEYSYMS = (0xFFE1, 0xFFE2, 0xFFE3, 0xFFE4, 0xFFE9, 0xFFEA, 0xFFEB, 0xFFEC, 0xFE03)

Connect = Callable[[str], Any]  # a bus address -> an open jeepney blocking connection


def portal_offers_remote_keyboard(environ: Mapping[str, str], timeout_s: float = 3.0) -> bool:
    """Whether the session's portal offers RemoteDesktop with a keyboard."""
    types = portal_property(environ, REMOTE_DESKTOP, "AvailableDeviceTypes", timeout_s)
    return isinstance(types, int) and bool(types & KEYBOARD_DEVICE)


def keysym_for(char: str) -> int:
    """The X keysym of one character: Latin-1 as itself, the rest as Unicode keysyms."""
    if char in _CHAR_KEYS:
        return _NAMED_KEYSYMS[_CHAR_KEYS[char]]
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 + code


def key_keysym(name: str) -> int:
    """The keysym of a key as Saytype names it (``"ctrl"``, ``"v"``, ``"f5"``…)."""
    lowered = name.lower()
    if lowered in _NAMED_KEYSYMS:
        return _NAMED_KEYSYMS[lowered]
    if len(lowered) == 1:
        return keysym_for(lowered)
    if lowered[:1] == "f" and lowered[1:].isdigit() and 1 <= int(lowered[1:]) <= 35:
        return 0xFFBD + int(lowered[1:])  # F1 is 0xFFBE
    raise InjectionError(f"the remote-control portal cannot press {name}: no keysym known")


class PortalKeyInjector(WaylandKeyboardFocus):
    """Sends keys to the focused window through the RemoteDesktop portal.

    Opening it opens the portal session (the desktop may ask the user), so
    open it on the delivery thread. Not thread-safe: one thread uses it.
    """

    def __init__(
        self,
        environ: Mapping[str, str],
        *,
        clipboard: ClipboardPaster | None = None,
        token_file: Path | None = None,
        connect: Connect | None = None,
        restore_delay_s: float = 0.5,
    ) -> None:
        """Open the portal session.

        Args:
            environ: The session's environment (its ``DBUS_SESSION_BUS_ADDRESS``).
            clipboard: Pastes what the layout cannot type; None: such text fails.
            token_file: Where the portal's restore token is kept (None: not kept).
            connect: Opens a bus connection (jeepney's; a fake in tests).
            restore_delay_s: How long a paste waits for the target before restoring.

        Raises:
            InjectionError: No portal, or the user or the desktop refused.
        """
        address = session_bus_address(environ)
        if address is None:
            raise InjectionError("the remote-control portal needs a session bus")
        if connect is None:
            from jeepney.io.blocking import open_dbus_connection

            connect = lambda bus: open_dbus_connection(bus=bus)  # noqa: E731
        self._environ = dict(environ)
        self._address = address
        self._connect = connect
        self._clipboard = clipboard
        self._token_file = token_file
        self._restore_delay_s = restore_delay_s
        self._bus: Any = None
        self._session = ""
        self._open_session()

    def type_text(self, text: str) -> None:
        """Type ``text`` exactly; what the layout may lack is pasted at its place."""
        steps = uinput_steps(text)
        pasted = "".join(value for kind, value in steps if kind == "paste")
        if pasted and self._clipboard is None:  # fail before any key: nothing typed by halves
            raise InjectionError(
                MESSAGE_NOT_IN_LAYOUT.format(chars=" ".join(dict.fromkeys(pasted)))
            )
        self._release_modifiers()
        for kind, value in steps:
            if kind == "paste":
                self._paste(value)
            elif kind == "key":
                self._tap([key_keysym(value)])
            else:
                for char in value:
                    self._tap([keysym_for(char)])

    def send_chord(self, keys: Sequence[str]) -> None:
        """Press ``keys`` (``"ctrl"``, ``"shift"``, ``"v"``, ``"backspace"``…) together."""
        keysyms = [key_keysym(key) for key in keys]
        self._release_modifiers()
        self._tap(keysyms)

    def close(self) -> None:
        """End the portal session (the desktop's "remote control" indicator goes away)."""
        bus, self._bus = self._bus, None
        if bus is None:
            return
        try:
            if not self._session:
                return  # no session was created
            from jeepney import DBusAddress, new_method_call

            session = DBusAddress(self._session, PORTAL_NAME, "org.freedesktop.portal.Session")
            bus.send_and_get_reply(new_method_call(session, "Close"), timeout=CALL_TIMEOUT_S)
        except Exception as exc:  # the portal went away first: the session went with it
            log.debug("closing the remote-control session: %s", exc)
        finally:
            bus.close()

    # --- the session ------------------------------------------------------------------

    def _open_session(self) -> None:
        try:
            self._bus = self._connect(self._address)
            self._start()
            self._prime_layout()
        except PortalError as exc:
            self.close()
            raise InjectionError(f"the remote-control portal refused: {exc}") from exc
        except Exception as exc:
            self.close()
            raise InjectionError(f"the remote-control portal failed: {exc}") from exc
        log.info("remote-control portal session %s started", self._session)

    def _start(self) -> None:
        results = self._call(
            "CreateSession",
            "a{sv}",
            lambda token: ({**token, "session_handle_token": ("s", "saytype_keyboard")},),
        )
        self._session = str(results["session_handle"][1])
        devices: dict[str, tuple[str, Any]] = {"types": ("u", KEYBOARD_DEVICE)}
        saved = self._saved_token()
        if self._token_file is not None and self._version() >= 2:  # older ones refuse the option
            devices["persist_mode"] = ("u", PERSIST_UNTIL_REVOKED)
            if saved:
                devices["restore_token"] = ("s", saved)
        self._call("SelectDevices", "oa{sv}", lambda token: (self._session, {**token, **devices}))
        started = self._call("Start", "osa{sv}", lambda token: (self._session, "", token))
        granted = int(started.get("devices", ("u", 0))[1])
        if not granted & KEYBOARD_DEVICE:
            raise PortalError("the desktop gave no keyboard")
        token = started.get("restore_token", ("s", ""))[1]
        if token and self._token_file is not None and token != saved:
            self._save_token(str(token))

    def _call(self, method: str, signature: str, body: Callable[..., tuple[Any, ...]]) -> Any:
        timeout = _START_TIMEOUT_S if method == "Start" else CALL_TIMEOUT_S
        return portal_request(self._bus, REMOTE_DESKTOP, method, signature, body, timeout_s=timeout)

    def _saved_token(self) -> str:
        if self._token_file is None:
            return ""
        try:
            return self._token_file.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def _save_token(self, token: str) -> None:
        assert self._token_file is not None
        try:
            write_text_atomically(self._token_file, token)  # owner-only: it grants control
        except OSError as exc:  # the desktop asks again next time; typing still works
            log.warning("could not keep the remote-control permission: %s", exc)

    def _version(self) -> int:
        """The portal's RemoteDesktop version (2 and later keep a permission)."""
        from jeepney import DBusAddress, Properties
        from jeepney.wrappers import unwrap_msg

        portal = DBusAddress(PORTAL_PATH, PORTAL_NAME, REMOTE_DESKTOP)
        reply = self._bus.send_and_get_reply(
            Properties(portal).get("version"), timeout=CALL_TIMEOUT_S
        )
        return int(unwrap_msg(reply)[0][1])

    # --- keys -------------------------------------------------------------------------

    def _prime_layout(self) -> None:
        """Have the desktop load the user's layout now, not at the first typed key."""
        if not self._send(_MODIFIER_KEYSYMS[0], pressed=False):  # Shift up: changes nothing
            raise PortalError("the desktop ended the remote-control session")

    def _release_modifiers(self) -> None:
        """Release every modifier, so that one the user still holds makes no shortcut."""
        for keysym in _MODIFIER_KEYSYMS:
            self._notify(keysym, pressed=False)

    def _tap(self, keysyms: Sequence[int]) -> None:
        """Press ``keysyms`` in order, release them in reverse."""
        for keysym in keysyms:
            self._notify(keysym, pressed=True)
        for keysym in reversed(keysyms):
            self._notify(keysym, pressed=False)

    def _notify(self, keysym: int, *, pressed: bool) -> None:
        for attempt in (1, 2):
            if self._bus is None:
                self._open_session()
            if self._send(keysym, pressed=pressed):
                return
            # The desktop closed the session (the user revoked it): nothing was sent for this
            # key, so open a new one and send it again, once.
            self.close()
            if attempt == 2:
                raise InjectionError("the desktop ended the remote-control session")

    def _send(self, keysym: int, *, pressed: bool) -> bool:
        """Send one key event; False if the session refused it."""
        from jeepney import DBusAddress, MessageType, new_method_call

        portal = DBusAddress(PORTAL_PATH, PORTAL_NAME, REMOTE_DESKTOP)
        body: tuple[Any, ...] = (self._session, {}, keysym, 1 if pressed else 0)
        call = new_method_call(portal, "NotifyKeyboardKeysym", "oa{sv}iu", body)
        try:
            reply = self._bus.send_and_get_reply(call, timeout=CALL_TIMEOUT_S)
        except Exception as exc:  # the bus went away
            raise InjectionError(f"the remote-control portal stopped answering: {exc}") from exc
        if reply.header.message_type is MessageType.error:
            log.info("remote-control session refused a key: %s", reply.body)
            return False
        return True

    def _paste(self, text: str) -> None:
        assert self._clipboard is not None  # checked before the first key
        chord = paste_chord_for(self.focused_window_class())
        self._clipboard.paste(text, lambda: self.send_chord(chord), self._restore_delay_s)
