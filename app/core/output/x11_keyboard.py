"""Exact key injection on X11 with XTest, including characters the keyboard lacks.

pynput's ``Controller.type()`` borrows one spare keycode per missing character
and remaps it for every keystroke; the target looks the keycode up only when it
*processes* the event, by which time the next character may already own it, so
"你好" arrived as "你你". This injector instead types in chunks:

1. every character the chunk needs that the layout lacks gets its own spare
   keycode, with the keysym on every level (Shift and Caps Lock cannot change
   it), all in one ``ChangeKeyboardMapping`` request;
2. the chunk's keys go out through XTest (``fake_input``), which every client
   accepts — xterm ignores pynput's synthetic ``XSendEvent`` keys by default;
3. before a keycode is given another keysym (the next chunk) or emptied again
   (the end), the injector waits until the *target* has fetched the keymap
   after the change. X orders the target's key events after its MappingNotify,
   so once its fetch is answered with the new map, the keys it has yet to
   process resolve correctly. The fetch is observed with the RECORD extension
   (core ``GetKeyboardMapping`` or XKB ``GetMap`` from the focused window's
   client); without RECORD, or if no fetch is seen, a fixed grace period is used.

Characters found at level 1 or 2 of the current layout are typed from it
(pressing Shift for level 2, inverted under Caps Lock for letters), so accents
work on any layout without remapping anything.

python-xlib and pynput's keysym table are imported lazily: ``import pynput``
raises without an X display, and the core must import everywhere.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from app.core.output.text_delivery import InjectionError

log = logging.getLogger(__name__)

# Grace period when the target's keymap fetch cannot be observed.
_FALLBACK_SETTLE_S = 0.15
# Upper bound on waiting for an observed fetch (a target that never refreshes).
_FETCH_TIMEOUT_S = 1.0

_CORE_CHANGE_KEYBOARD_MAPPING = 100
_CORE_GET_KEYBOARD_MAPPING = 101
_XKB_GET_MAP = 8

_MODIFIER_NAMES = ("shift", "lock", "control", "mod1", "mod2", "mod3", "mod4", "mod5")
_CHORD_KEYSYMS = {
    "ctrl": "Control_L",
    "control": "Control_L",
    "shift": "Shift_L",
    "alt": "Alt_L",
    "super": "Super_L",
    "insert": "Insert",
}
_SPECIAL_KEYSYMS = {"\n": 0xFF0D, "\r": 0xFF0D, "\t": 0xFF09}  # Return, Tab
_LOCK_MASK = 1 << 1


@dataclass(frozen=True)
class _Stroke:
    """One character as a keycode, pressed with or without Shift."""

    keycode: int
    shift: bool


def keysym_for_char(char: str) -> int:
    """The keysym that produces ``char``: Latin-1 as is, everything else as Unicode."""
    if char in _SPECIAL_KEYSYMS:
        return _SPECIAL_KEYSYMS[char]
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 | code


def _legacy_keysyms() -> dict[str, set[int]]:
    """Characters of the legacy (non-Unicode) keysyms a layout may use, e.g. Cyrillic_de."""
    try:
        from pynput._util.xorg_keysyms import SYMBOLS
    except Exception:  # pragma: no cover - the table is pure data
        return {}
    table: dict[str, set[int]] = {}
    for keysym, char in SYMBOLS.values():
        if char:
            table.setdefault(char, set()).add(keysym)
    return table


class X11KeyInjector:
    """Types text and sends chords into the focused X11 window with XTest.

    Not thread-safe: call it from one thread (the delivery worker).
    """

    def __init__(self, display_name: str | None = None) -> None:
        """Open the display; raise :class:`InjectionError` when X11 is unavailable."""
        try:
            self._X = _xlib("Xlib.X")
            self._XK = _xlib("Xlib.XK")
            self._xtest = _xlib("Xlib.ext.xtest")
            display = _xlib("Xlib.display")
        except Exception as exc:
            raise InjectionError(f"python-xlib is not available: {exc}") from exc
        try:
            self._display = display.Display(display_name)
        except Exception as exc:
            raise InjectionError(f"cannot open the X display: {exc}") from exc
        if not self._display.has_extension("XTEST"):
            self._display.close()
            raise InjectionError("the X server lacks the XTEST extension")
        self._name = display_name
        self._has_record = self._display.has_extension("RECORD")
        xkb = self._display.query_extension("XKEYBOARD")
        self._xkb_opcode: int | None = xkb.major_opcode if xkb.present else None
        self._legacy = _legacy_keysyms()
        self._borrowed: list[int] = []
        self._pending_fetch: _FetchWatch | _FixedDelay | None = None

    # ---- KeyInjector protocol -------------------------------------------------------

    def type_text(self, text: str) -> None:
        """Type ``text`` exactly; characters missing from the layout are mapped per chunk."""
        if not text:
            return
        first, count = self._keycode_range()
        mapping = [list(row) for row in self._display.get_keyboard_mapping(first, count)]
        spare = [first + i for i, row in enumerate(mapping) if not any(row)]
        layout = self._layout_strokes(mapping, first)
        caps_locked = bool(self._display.screen().root.query_pointer().mask & _LOCK_MASK)
        shift = self._keycode("Shift_L")
        try:
            for chunk in _chunks(text, layout, len(spare)):
                borrowed = sorted({c for c in chunk if c not in layout}, key=chunk.index)
                strokes = dict(layout)
                if borrowed:
                    if not spare:
                        raise InjectionError("the keyboard map has no spare keycode to borrow")
                    assignment = dict(zip(borrowed, spare, strict=False))
                    self._change_keymap(partial(self._map_keycodes, assignment, mapping, first))
                    strokes.update({c: _Stroke(k, False) for c, k in assignment.items()})
                for char in chunk:
                    stroke = strokes[char]
                    press_shift = stroke.shift != (
                        caps_locked and char.isalpha() and char.isascii()
                    )
                    self._tap(stroke.keycode, shift if press_shift else None)
                self._display.sync()
        finally:
            if self._borrowed:
                self._change_keymap(partial(self._clear_keycodes, mapping, first))
            if self._pending_fetch is not None:
                self._pending_fetch.close()  # keys after the restore need no borrowed keycode
                self._pending_fetch = None

    def send_chord(self, keys: Sequence[str]) -> None:
        """Press ``keys`` in order (e.g. ``["ctrl", "v"]``), then release them in reverse."""
        keycodes = [self._keycode(_CHORD_KEYSYMS.get(key.lower(), key)) for key in keys]
        for keycode in keycodes:
            self._xtest.fake_input(self._display, self._X.KeyPress, keycode)
        for keycode in reversed(keycodes):
            self._xtest.fake_input(self._display, self._X.KeyRelease, keycode)
        self._display.sync()

    def modifiers_down(self) -> frozenset[str]:
        """Names of the modifiers whose keys are physically held (``control``, ``mod1``…)."""
        pressed = self._display.query_keymap()
        held = set()
        modifier_map = self._display.get_modifier_mapping()
        for name, keycodes in zip(_MODIFIER_NAMES, modifier_map, strict=False):
            if any(code and pressed[code // 8] & (1 << (code % 8)) for code in keycodes):
                held.add(name)
        return frozenset(held)

    def focused_window_class(self) -> str | None:
        """WM_CLASS class of the focused top-level window, or None."""
        window = self._display.get_input_focus().focus
        root = self._display.screen().root
        while window and not isinstance(window, int) and window != root:
            wm_class = window.get_wm_class()
            if wm_class:
                return str(wm_class[1] or wm_class[0])
            window = window.query_tree().parent
        return None

    def close(self) -> None:
        """Close the display connection."""
        self._display.close()

    # ---- keymap -----------------------------------------------------------------------

    def _keycode_range(self) -> tuple[int, int]:
        info = self._display.display.info
        return int(info.min_keycode), int(info.max_keycode - info.min_keycode + 1)

    def _keycode(self, keysym_name: str) -> int:
        keysym = self._XK.string_to_keysym(keysym_name)
        keycode = int(self._display.keysym_to_keycode(keysym)) if keysym else 0
        if not keycode:
            raise InjectionError(f"no key for {keysym_name!r} in the keyboard map")
        return keycode

    def _layout_strokes(self, mapping: list[list[int]], first: int) -> dict[str, _Stroke]:
        """Characters reachable at level 1 (plain) or 2 (Shift) of the first group."""
        by_keysym: dict[int, _Stroke] = {}
        for level in (1, 0):  # level 0 last so a plain stroke wins over a shifted one
            for offset, row in enumerate(mapping):
                if len(row) > level and row[level]:
                    by_keysym[row[level]] = _Stroke(first + offset, level == 1)
        strokes: dict[str, _Stroke] = {}
        for keysym, stroke in by_keysym.items():
            char = _char_of_keysym(keysym)
            if char is not None:
                strokes.setdefault(char, stroke)
        for char, keysyms in self._legacy.items():
            for keysym in keysyms:
                if keysym in by_keysym:
                    strokes.setdefault(char, by_keysym[keysym])
        for char, keysym in _SPECIAL_KEYSYMS.items():
            if keysym in by_keysym:
                strokes[char] = by_keysym[keysym]
        return strokes

    def _map_keycodes(
        self, assignment: dict[str, int], mapping: list[list[int]], first: int
    ) -> None:
        rows = {keycode: keysym_for_char(char) for char, keycode in assignment.items()}
        self._change_rows(rows, mapping, first)
        self._borrowed = sorted(rows)

    def _clear_keycodes(self, mapping: list[list[int]], first: int) -> None:
        self._change_rows(dict.fromkeys(self._borrowed, 0), mapping, first)
        self._borrowed = []

    def _change_rows(self, rows: dict[int, int], mapping: list[list[int]], first: int) -> None:
        """One ChangeKeyboardMapping over the touched range, so clients see one change."""
        low, high = min(rows), max(rows)
        width = len(mapping[0])
        block = [list(mapping[k - first]) for k in range(low, high + 1)]
        for keycode, keysym in rows.items():
            # Every level the same keysym: Shift or Caps Lock cannot alter the character.
            row = [keysym] * min(width, 4) + [0] * max(0, width - 4)
            block[keycode - low] = row
            if keysym == 0:
                block[keycode - low] = [0] * width
        self._display.change_keyboard_mapping(low, block)

    def _tap(self, keycode: int, shift: int | None) -> None:
        fake = self._xtest.fake_input
        if shift is not None:
            fake(self._display, self._X.KeyPress, shift)
        fake(self._display, self._X.KeyPress, keycode)
        fake(self._display, self._X.KeyRelease, keycode)
        if shift is not None:
            fake(self._display, self._X.KeyRelease, shift)

    # ---- synchronising with the target ------------------------------------------------

    def _change_keymap(self, change: Callable[[], None]) -> None:
        """Apply a keymap ``change`` once the target has fetched the previous change.

        The first change of a delivery needs no wait: every key already sent
        resolved through the layout or an earlier, already fetched map.
        """
        if self._pending_fetch is not None:
            self._pending_fetch.wait()
            self._pending_fetch.close()
            self._pending_fetch = None
        watch = self._watch_target_fetch()
        change()
        self._display.sync()
        self._pending_fetch = watch

    def _watch_target_fetch(self) -> _FetchWatch | _FixedDelay:
        if self._has_record:
            try:
                return _FetchWatch(self._display, self._name, self._xkb_opcode)
            except Exception as exc:
                log.debug("RECORD watch unavailable (%s); using a fixed delay", exc)
                self._has_record = False
        return _FixedDelay()


class _FixedDelay:
    """Fallback when the target's keymap fetch cannot be observed."""

    def __init__(self) -> None:
        self._since = time.monotonic()

    def wait(self) -> None:
        remaining = _FALLBACK_SETTLE_S - (time.monotonic() - self._since)
        if remaining > 0:
            time.sleep(remaining)  # no signal to wait on: a grace period for the client

    def close(self) -> None:
        """Nothing to release."""


class _FetchWatch:
    """Sees, through RECORD, the focused client fetch the keymap after our next change.

    It records our own ``ChangeKeyboardMapping`` and the focus owner's
    ``GetKeyboardMapping`` / XKB ``GetMap`` requests, in server order: a fetch
    recorded after our change was answered with the changed map.
    """

    def __init__(self, display: Any, display_name: str | None, xkb_opcode: int | None) -> None:
        record = _xlib("Xlib.ext.record")
        self._display = display
        self._own_base = int(display.display.info.resource_id_base)
        focus = display.get_input_focus().focus
        target = focus.id if focus and not isinstance(focus, int) else record.AllClients
        xkb = (xkb_opcode, xkb_opcode, _XKB_GET_MAP, _XKB_GET_MAP) if xkb_opcode else (0, 0, 0, 0)
        self._context = display.record_create_context(
            0,
            [target, self._own_base],
            [
                {
                    "core_requests": (_CORE_CHANGE_KEYBOARD_MAPPING, _CORE_GET_KEYBOARD_MAPPING),
                    "core_replies": (0, 0),
                    "ext_requests": xkb,
                    "ext_replies": (0, 0, 0, 0),
                    "delivered_events": (0, 0),
                    "device_events": (0, 0),
                    "errors": (0, 0),
                    "client_started": False,
                    "client_died": False,
                }
            ],
        )
        display.sync()
        self._changed = False
        self._started = threading.Event()
        self._fetched = threading.Event()
        self._data_display = _xlib("Xlib.display").Display(display_name)
        self._thread = threading.Thread(target=self._run, name="keymap-fetch-watch", daemon=True)
        self._thread.start()
        if not self._started.wait(_FETCH_TIMEOUT_S):
            self.close()
            raise InjectionError("RECORD did not start")

    def _run(self) -> None:
        try:
            self._data_display.record_enable_context(self._context, self._on_record)
        except Exception:
            log.debug("RECORD context ended with an error", exc_info=True)
        finally:
            self._started.set()

    def _on_record(self, reply: Any) -> None:
        record = _xlib("Xlib.ext.record")
        if reply.category == record.StartOfData:
            self._started.set()
        if reply.category != record.FromClient or not reply.data:
            return
        opcode = reply.data[0]
        if reply.id_base == self._own_base:
            self._changed = self._changed or opcode == _CORE_CHANGE_KEYBOARD_MAPPING
        elif self._changed:
            self._fetched.set()

    def wait(self) -> None:
        """Block until the target's fetch is seen (or a timeout for a target that never asks)."""
        if not self._fetched.wait(_FETCH_TIMEOUT_S):
            log.debug("no keymap fetch by the target within %.1f s", _FETCH_TIMEOUT_S)

    def close(self) -> None:
        """End the recording and release the context and its connection."""
        self._display.record_disable_context(self._context)
        self._display.sync()
        self._thread.join(_FETCH_TIMEOUT_S)
        self._display.record_free_context(self._context)
        self._display.sync()
        self._data_display.close()


def _xlib(module: str) -> Any:
    """Import a python-xlib module (no type stubs exist, so it is typed Any)."""
    return importlib.import_module(module)


def _char_of_keysym(keysym: int) -> str | None:
    if 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:
        return chr(keysym)
    if 0x01000100 <= keysym <= 0x0110FFFF:
        return chr(keysym & 0x00FFFFFF)
    return None


def _chunks(text: str, layout: dict[str, _Stroke], spare: int) -> Iterator[str]:
    """Split ``text`` so no chunk needs more borrowed keycodes than there are spare."""
    start, needed = 0, set[str]()
    for index, char in enumerate(text):
        if char in layout or char in needed:
            continue
        if len(needed) == max(spare, 1):
            yield text[start:index]
            start, needed = index, set()
        needed.add(char)
    yield text[start:]
