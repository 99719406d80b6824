"""The hotkey through the XDG GlobalShortcuts portal: press and release from the compositor.

Wayland lets no app see global keys, but where the desktop's portal offers
``org.freedesktop.portal.GlobalShortcuts`` (KDE Plasma, GNOME 48+, Hyprland)
the compositor itself reports a bound shortcut's press (``Activated``) and
release (``Deactivated``), so hold-to-talk works without compositor bindings.
Saytype binds two shortcuts: ``dictate`` (its chord as the preferred trigger;
the desktop may ask the user, who may choose another key) and ``cancel`` (no
trigger: the user may give it one in the desktop's settings).

:class:`PortalChordListener` turns those signals back into the chord's key
presses and releases, in the order a keyboard gives them (KWin repeats
``Activated`` while a key auto-repeats: only the first counts), so the same
:class:`~app.core.hotkeys.gesture.HotkeyGesture` as on X11 decides start,
finish and cancel, and hold-to-talk, toggle and the hold threshold behave alike.

Plasma 5.27's backend registers a session's shortcuts from ``CreateSession``'s
``shortcuts`` option (the portal's draft API) and ignores those
``BindShortcuts`` carries (xdg-desktop-portal-kde ``GlobalShortcutsPortal::BindShortcuts``,
fixed in Plasma 6), so the shortcuts go in both.

jeepney (pure Python, blocking) talks to the bus on the listener's own thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from app.core.desktop_portal import (
    CALL_TIMEOUT_S,
    PORTAL_PATH,
    Body,
    PortalError,
    portal_property,
    portal_request,
    session_bus_address,
)
from app.core.hotkeys.chord import Chord, parse_chord
from app.core.hotkeys.x11_grab import KEYSYM_NAMES

log = logging.getLogger(__name__)

SHORTCUTS_INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
DICTATE = "dictate"
CANCEL = "cancel"
_XDG_MODIFIERS = {"ctrl": "CTRL", "shift": "SHIFT", "alt": "ALT", "super": "LOGO"}
_MODIFIER_ORDER = ("ctrl", "alt", "shift", "super", "altgr")
_BIND_TIMEOUT_S = 120.0  # the desktop may ask the user to confirm the shortcut
_RECEIVE_SLICE_S = 0.2  # how soon the listener thread notices stop()


def xdg_trigger(chord: Chord) -> str | None:
    """The chord as the XDG shortcuts spec writes a trigger (``CTRL+SHIFT+space``).

    Returns None for a chord the spec cannot name (AltGr is no XDG modifier).
    """
    if any(modifier not in _XDG_MODIFIERS for modifier in chord.modifiers):
        return None
    modifiers = [_XDG_MODIFIERS[m] for m in _MODIFIER_ORDER if m in chord.modifiers]
    key = KEYSYM_NAMES.get(chord.key, chord.key)
    if key[:1] == "f" and key[1:].isdigit():
        key = key.upper()  # the keysym F9
    return "+".join([*modifiers, key])


def desktop_key_differs(chord: Chord, description: str) -> bool:
    """Whether the desktop's ``trigger_description`` names another key than ``chord``.

    Only a description written as a chord (Plasma: ``Ctrl+Shift+Space``) counts;
    one in another form (or none) is not taken as a difference.
    """
    try:
        return parse_chord(description) != chord
    except ValueError:
        return False


def portal_offers_global_shortcuts(environ: Mapping[str, str], timeout_s: float = 3.0) -> bool:
    """Whether the session's portal offers GlobalShortcuts (its ``version`` answers)."""
    return portal_property(environ, SHORTCUTS_INTERFACE, "version", timeout_s) is not None


class _Key:
    """A key as the bridge's ``key_name`` reads it (its name as ``char``)."""

    vk = None

    def __init__(self, name: str) -> None:
        self.char = name


KeyCallback = Callable[[Any, bool], None]  # (key, injected), as the X11 listener calls


class PortalChordListener:
    """Binds the hotkey through the portal and reports it as key presses and releases.

    Shaped like the X11 key listener (``start``, ``wait``, ``stop``, ``join``,
    ``is_alive``). :meth:`start` binds, so it blocks (call it off the GUI thread)
    and raises :class:`PortalError` when the portal cannot give the hotkey.

    Args:
        on_press: Called with a key and False (not injected) on the listener thread.
        on_release: Likewise for releases.
        chord_now: The chord the gesture watches now; ``dictate`` reports its keys.
        environ: The session's environment (its ``DBUS_SESSION_BUS_ADDRESS``).
    """

    def __init__(
        self,
        on_press: KeyCallback,
        on_release: KeyCallback,
        chord_now: Callable[[], Chord],
        environ: Mapping[str, str],
    ) -> None:
        self._on_press = on_press
        self._on_release = on_release
        self._chord_now = chord_now
        self._environ = environ
        self._bus: Any = None
        self._session = ""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._held: list[str] = []  # the keys the last Activated pressed, to release them
        self._held_shortcut: str | None = None  # the shortcut held down now
        self.bound: dict[str, str] = {}  # shortcut id -> the trigger the desktop reports

    def start(self) -> None:
        """Open a portal session, bind the shortcuts, then listen on a thread of our own."""
        address = session_bus_address(self._environ)
        if address is None:
            raise PortalError("no session bus")
        from jeepney.io.blocking import open_dbus_connection

        try:
            self._bus = open_dbus_connection(bus=address)
            self._bind()
        except PortalError:
            self._close_bus()
            raise
        except Exception as exc:
            self._close_bus()
            raise PortalError(f"the GlobalShortcuts portal failed: {exc}") from exc
        self._thread = threading.Thread(target=self._listen, name="hotkey-portal", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Ready once :meth:`start` returned (the binding is done by then)."""

    @property
    def desktop_trigger(self) -> str:
        """The key the desktop bound the hotkey to, as it describes it ("" if it did not say).

        The chord is only a preference: the user may pick another key when the
        desktop asks, and Plasma keeps the key it bound first.
        """
        return self.bound.get(DICTATE, "")

    def stop(self) -> None:
        """Stop listening (the thread closes the connection, which ends the portal session)."""
        self._stopping.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the listener thread."""
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        """Whether the listener thread runs."""
        return self._thread is not None and self._thread.is_alive()

    # --- binding ----------------------------------------------------------------------

    def _bind(self) -> None:
        shortcuts = self._shortcuts()
        results = self._request(
            "CreateSession",
            "a{sv}",
            lambda token: ({**token, "session_handle_token": ("s", "saytype"), **shortcuts},),
            CALL_TIMEOUT_S,
        )
        self._session = str(results["session_handle"][1])
        results = self._request(
            "BindShortcuts",
            "oa(sa{sv})sa{sv}",
            lambda token: (self._session, shortcuts["shortcuts"][1], "", token),
            _BIND_TIMEOUT_S,
        )
        self.bound = {
            str(name): str(props.get("trigger_description", ("s", ""))[1])
            for name, props in results.get("shortcuts", ("a(sa{sv})", []))[1]
        }
        if DICTATE not in self.bound:
            raise PortalError("the desktop did not bind Saytype's hotkey")
        log.info("GlobalShortcuts portal bound %s", self.bound)

    def _shortcuts(self) -> dict[str, tuple[str, Any]]:
        dictate: dict[str, tuple[str, str]] = {"description": ("s", "Dictate (hold or tap)")}
        trigger = xdg_trigger(self._chord_now())
        if trigger is not None:
            dictate["preferred_trigger"] = ("s", trigger)
        cancel = {"description": ("s", "Cancel the dictation")}
        return {"shortcuts": ("a(sa{sv})", [(DICTATE, dictate), (CANCEL, cancel)])}

    def _request(self, method: str, signature: str, body: Body, timeout_s: float) -> dict[str, Any]:
        return portal_request(
            self._bus, SHORTCUTS_INTERFACE, method, signature, body, timeout_s=timeout_s
        )

    # --- listener thread --------------------------------------------------------------

    def _listen(self) -> None:
        from jeepney import HeaderFields, MatchRule
        from jeepney.bus_messages import message_bus

        bus = self._bus
        rule = MatchRule(type="signal", interface=SHORTCUTS_INTERFACE, path=PORTAL_PATH)
        try:
            bus.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S)
            with bus.filter(rule) as signals:
                while not self._stopping.is_set():
                    try:
                        message = bus.recv_until_filtered(signals, timeout=_RECEIVE_SLICE_S)
                    except TimeoutError:
                        continue
                    member = message.header.fields.get(HeaderFields.member)
                    if message.body and message.body[0] == self._session:
                        self.handle_signal(str(member), str(message.body[1]))
        except Exception as exc:  # the bus or the portal went away
            if not self._stopping.is_set():
                log.warning("the GlobalShortcuts portal stopped answering; no hotkey: %s", exc)
        finally:
            self._release_held()
            self._close_bus()

    def handle_signal(self, member: str, shortcut: str) -> None:
        """Turn one of this session's portal signals into key presses or releases.

        Args:
            member: ``Activated`` or ``Deactivated`` (others are ignored).
            shortcut: The shortcut's id: ``dictate`` or ``cancel``.
        """
        try:
            if member == "Activated":
                self._press(shortcut)
            elif member == "Deactivated":
                self._release_held()
        except Exception:
            log.exception("the GlobalShortcuts portal callback failed")

    def _press(self, shortcut: str) -> None:
        if shortcut == self._held_shortcut:
            return  # auto-repeat: KWin sends Activated again every repeat until the release
        self._release_held()  # the other shortcut's press, whose release never came
        if shortcut == DICTATE:
            chord = self._chord_now()
            keys = [m for m in _MODIFIER_ORDER if m in chord.modifiers] + [chord.key]
        elif shortcut == CANCEL:
            keys = ["esc"]
        else:
            return
        for key in keys:
            self._on_press(_Key(key), False)
        self._held, self._held_shortcut = keys, shortcut

    def _release_held(self) -> None:
        keys, self._held, self._held_shortcut = self._held, [], None
        for key in reversed(keys):
            self._on_release(_Key(key), False)

    def _close_bus(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.close()


def portal_listener_factory(
    chord_now: Callable[[], Chord], environ: Mapping[str, str]
) -> Callable[[KeyCallback, KeyCallback], PortalChordListener]:
    """Makes the hotkey bridge's key listener from the portal instead of the X server."""

    def make(on_press: KeyCallback, on_release: KeyCallback) -> PortalChordListener:
        return PortalChordListener(on_press, on_release, chord_now, environ)

    return make
