"""Reserve the hotkey on X11 so the focused app never receives it.

pynput's listener only watches (XRecord); without a grab, Ctrl+Shift+Space
and its auto-repeats also reach the focused window, where a terminal turns
Ctrl+Space into NUL bytes and an editor sets a mark. ``XGrabKey`` on the root
window reserves exactly the chord (with and without Caps Lock and Num Lock,
which X counts as modifiers), so an extra modifier still passes through to the
app, matching the gesture's exact-chord rule. Esc is grabbed only while a
dictation is active, so it cancels the dictation without also closing a
dialog in the focused app, and is left alone the rest of the time.

A grab's events arrive on this module's own X connection; a thread drains
them (they are not needed: the listener sees the keys through XRecord) and
carries out grab/ungrab requests, because python-xlib connections are not
shared between threads here.
"""

from __future__ import annotations

import importlib
import logging
import os
import queue
import select
import threading
from collections.abc import Callable
from typing import Any

from app.core.hotkeys.chord import Chord

log = logging.getLogger(__name__)

# Our key names → X keysym names, where they differ.
KEYSYM_NAMES = {
    "esc": "Escape",
    "enter": "Return",
    "page_up": "Prior",
    "page_down": "Next",
    "print_screen": "Print",
    "backspace": "BackSpace",
    "delete": "Delete",
    "insert": "Insert",
    "home": "Home",
    "end": "End",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "tab": "Tab",
    "pause": "Pause",
    "menu": "Menu",
    "space": "space",
}
_MODIFIER_MASKS = {"ctrl": 1 << 2, "shift": 1 << 0, "alt": 1 << 3, "super": 1 << 6, "altgr": 1 << 7}
_LOCK_MASK = 1 << 1  # Caps Lock
_NUM_LOCK_MASK = 1 << 4  # Mod2: Num Lock on common layouts
_LOCK_VARIANTS = (0, _LOCK_MASK, _NUM_LOCK_MASK, _LOCK_MASK | _NUM_LOCK_MASK)
_ESCAPE = Chord(frozenset(), "esc")


class KeyGrabError(Exception):
    """The chord cannot be reserved (another app holds it, or no X display)."""


class X11KeyGrab:
    """Holds passive key grabs on the root window from a private connection and thread."""

    def __init__(self, display_name: str | None = None) -> None:
        xdisplay = importlib.import_module("Xlib.display")
        try:
            self._display: Any = xdisplay.Display(display_name)
        except Exception as exc:
            raise KeyGrabError(f"cannot open the X display: {exc}") from exc
        self._root = self._display.screen().root
        self._requests: queue.Queue[tuple[Callable[[], None], threading.Event]] = queue.Queue()
        self._wake_read, self._wake_write = os.pipe()
        self._closing = threading.Event()
        self._grabbed: dict[Chord, list[tuple[int, int]]] = {}
        self._thread = threading.Thread(target=self._run, name="x11-key-grab", daemon=True)
        self._thread.start()

    def grab(self, chord: Chord) -> None:
        """Reserve ``chord``; raises KeyGrabError when another client already holds it."""
        self._call(lambda: self._grab_now(chord))

    def ungrab(self, chord: Chord) -> None:
        """Release ``chord`` (no-op when not grabbed)."""
        self._call(lambda: self._ungrab_now(chord))

    def set_escape(self, grabbed: bool) -> None:
        """Reserve Esc while a dictation is active; release it otherwise."""
        try:
            if grabbed:
                self.grab(_ESCAPE)
            else:
                self.ungrab(_ESCAPE)
            log.info("Esc %s", "reserved" if grabbed else "let go")  # tests wait for it
        except KeyGrabError as exc:  # Esc still cancels through the listener
            log.info("Esc not reserved: %s", exc)

    def close(self) -> None:
        """Release every grab and close the connection."""
        if self._closing.is_set():
            return
        for chord in list(self._grabbed):
            self.ungrab(chord)
        self._closing.set()
        os.write(self._wake_write, b"x")
        self._thread.join(2.0)
        self._display.close()
        os.close(self._wake_read)
        os.close(self._wake_write)

    # The grab thread -------------------------------------------------------------

    def _call(self, work: Callable[[], None]) -> None:
        if self._closing.is_set():
            return
        done = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            try:
                work()
            except BaseException as exc:  # handed back to the caller's thread
                errors.append(exc)

        self._requests.put((run, done))
        os.write(self._wake_write, b"x")
        if not done.wait(5.0):
            raise KeyGrabError("the X server did not answer the key grab")
        if errors:
            raise errors[0]

    def _run(self) -> None:
        fd = self._display.fileno()
        while not self._closing.is_set():
            try:
                readable, _, _ = select.select([fd, self._wake_read], [], [], 1.0)
                if self._wake_read in readable:
                    os.read(self._wake_read, 512)
                while self._display.pending_events():
                    self._display.next_event()  # grabbed key events: the listener has them
                while not self._requests.empty():
                    work, done = self._requests.get_nowait()
                    work()
                    done.set()
            except Exception:  # a broken connection must not kill the app
                log.exception("the X11 key grab thread failed")
                return

    def _grab_now(self, chord: Chord) -> None:
        if chord in self._grabbed:
            return
        keycode, mask = self._resolve(chord)
        xx = importlib.import_module("Xlib.X")
        xerror = importlib.import_module("Xlib.error")
        catch = xerror.CatchError(xerror.BadAccess)
        pairs = [(keycode, mask | extra) for extra in _LOCK_VARIANTS]
        for code, modifiers in pairs:
            self._root.grab_key(
                code, modifiers, True, xx.GrabModeAsync, xx.GrabModeAsync, onerror=catch
            )
        self._display.sync()
        if catch.get_error() is not None:
            for code, modifiers in pairs:
                self._root.ungrab_key(code, modifiers)
            self._display.sync()
            raise KeyGrabError(f"{chord} is already reserved by another application")
        self._grabbed[chord] = pairs

    def _ungrab_now(self, chord: Chord) -> None:
        for code, modifiers in self._grabbed.pop(chord, []):
            self._root.ungrab_key(code, modifiers)
        self._display.sync()

    def _resolve(self, chord: Chord) -> tuple[int, int]:
        xk = importlib.import_module("Xlib.XK")
        name = KEYSYM_NAMES.get(chord.key) or (
            chord.key.upper()
            if chord.key.startswith("f") and chord.key[1:].isdigit()
            else chord.key
        )
        keysym = xk.string_to_keysym(name)
        if not keysym and len(chord.key) == 1:
            keysym = ord(chord.key)  # Latin-1 keysyms equal their code points
        keycode = self._display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            raise KeyGrabError(f"the key {chord.key!r} is not on this keyboard")
        mask = 0
        for modifier in chord.modifiers:
            mask |= _MODIFIER_MASKS[modifier]
        return int(keycode), mask
