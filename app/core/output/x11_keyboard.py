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
3. borrowed keycodes stay mapped (a cache shared by later deliveries): a
   keycode gets another keysym only when the spares run out mid-text, and is
   emptied again only by :meth:`X11KeyInjector.release_borrowed` once typing
   is idle. Before either, the injector waits for the *target* to fetch the
   changed keymap, observed with the RECORD extension (core
   ``GetKeyboardMapping`` or XKB ``GetMap`` requests of the focused window's
   client that cover the changed keycodes), plus a short settle: Xlib clients
   (xterm) apply keymap notifies when they read them from the socket, possibly
   before they process key events queued ahead of them. Without RECORD, or if
   no fetch is seen, a fixed grace period stands in.

Characters at level 1 or 2 of the current layout are typed from it (Shift for
level 2, inverted under Caps Lock for letters): accents work on any layout.
python-xlib and pynput's keysym table are imported lazily: ``import pynput``
raises without an X display, and the core must import everywhere.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.output.keymap_watch import FetchWatch, FixedDelay
from app.core.output.text_delivery import FocusMoved, InjectionError, KeysPressed
from app.core.output.x11_focus import X11KeyboardFocus
from app.core.output.x11_keysyms import (
    SPECIAL_KEYSYMS,
    char_of_keysym,
    keysym_for_char,
    keysym_name,
    legacy_keysyms,
)

log = logging.getLogger(__name__)

# After the target's fetch, time for an Xlib client to work through its queued keys.
_SETTLE_S = 0.1
# Keys go out this many characters at a time, each burst right after a look at the keys
# held. A key pressed between the look and the burst still applies to it; one character
# a burst makes that gap the shortest and its harm one character (decision 0048).
BURST_CHARS = 1

_MODIFIER_NAMES = ("shift", "lock", "control", "mod1", "mod2", "mod3", "mod4", "mod5")
_CHORD_KEYSYMS = {
    "ctrl": "Control_L",
    "control": "Control_L",
    "shift": "Shift_L",
    "alt": "Alt_L",
    "super": "Super_L",
    "insert": "Insert",
    "backspace": "BackSpace",  # "scratch that" in type-as-I-speak mode
    "enter": "Return",  # a profile's keys after the text
}
_LOCK_MASK = 1 << 1


@dataclass(frozen=True)
class _Stroke:
    """One character as a keycode, pressed with or without Shift."""

    keycode: int
    shift: bool


class X11KeyInjector(X11KeyboardFocus):
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
        self._legacy = legacy_keysyms()
        self._assigned: dict[int, int] = {}  # borrowed keycode -> keysym, live on the server
        self._last_used: dict[int, float] = {}  # borrowed keycode -> when its last key went out
        self._pending_fetch: FetchWatch | FixedDelay | None = None

    # ---- KeyInjector protocol -------------------------------------------------------

    def type_text(self, text: str) -> None:
        """Type ``text`` exactly; characters missing from the layout get borrowed keycodes."""
        if not text:
            return
        first, count = self._keycode_range()
        mapping = [list(row) for row in self._display.get_keyboard_mapping(first, count)]
        self._forget_overwritten(mapping, first)
        layout = self._layout_strokes(mapping, first)
        spare = [
            first + i
            for i, row in enumerate(mapping)
            if first + i in self._assigned or not any(row)
        ]
        caps_locked = bool(self._display.screen().root.query_pointer().mask & _LOCK_MASK)
        shift = self._keycode("Shift_L", mapping, first)
        fake = self._xtest.fake_input
        press_event, release_event = self._X.KeyPress, self._X.KeyRelease
        sent, focus, window = 0, self._focus_id(), self.focused_window_id()
        try:
            for chunk in _chunks(text, layout, len(spare)):
                needed = sorted({c for c in chunk if c not in layout}, key=chunk.index)
                strokes = dict(layout)
                if needed:
                    if not spare:
                        raise InjectionError("the keyboard map has no spare keycode to borrow")
                    borrowed = self._borrow(needed, spare, mapping, first)
                    strokes.update({c: _Stroke(k, False) for c, k in borrowed.items()})
                for start in range(0, len(chunk), BURST_CHARS):
                    burst = chunk[start : start + BURST_CHARS]
                    events = [
                        event
                        for char in burst
                        for event in _tap_events(strokes[char], char, caps_locked, shift)
                    ]
                    # Looked at just before the keys go, with nothing left to work out in
                    # between: a Ctrl pressed after inject()'s look (or mid-text) would make
                    # every key below a shortcut.
                    if self.any_key_down():
                        raise KeysPressed(sent)
                    # A click or a window manager's switch moves the focus without a key
                    # held: the rest of a long text went into the next app (a terminal).
                    if self._focus_id() != focus and self.focused_window_id() != window:
                        raise FocusMoved("the focus moved to another window while typing")
                    for press, keycode in events:
                        fake(self._display, press_event if press else release_event, keycode)
                    self._display.flush()  # out now; the next look, a round trip, waits on them
                    sent += len(burst)
                    sent_at = time.monotonic()
                    for char in set(burst).intersection(needed):
                        self._last_used[strokes[char].keycode] = sent_at
                self._display.sync()
        except InjectionError as error:
            if not isinstance(error, KeysPressed):
                error.typed = sent  # what went in before it failed
            raise

    def _focus_id(self) -> int:
        """The X id of the window with the focus now (one round trip)."""
        focus = self._display.get_input_focus().focus
        return int(focus) if isinstance(focus, int) else int(focus.id)

    def release_borrowed(self) -> None:
        """Give the borrowed keycodes back (empty them), once the target is done with them."""
        if not self._assigned:
            return
        self._settle(max(self._last_used.get(k, 0.0) for k in self._assigned))
        first, count = self._keycode_range()
        mapping = [list(row) for row in self._display.get_keyboard_mapping(first, count)]
        self._forget_overwritten(mapping, first)
        if not self._assigned:
            return
        self._change_rows(dict.fromkeys(self._assigned, 0), mapping, first)
        self._display.sync()
        self._assigned.clear()
        self._last_used.clear()

    def send_chord(self, keys: Sequence[str]) -> None:
        """Press ``keys`` in order (e.g. ``["ctrl", "v"]``), then release them in reverse.

        The keys are looked up in the server's map as it is now: the map Xlib read at
        connection time made Ctrl+V Ctrl+K after a switch to Dvorak (a line deleted).
        """
        first, count = self._keycode_range()
        mapping = self._display.get_keyboard_mapping(first, count)
        keycodes = [
            self._keycode(_CHORD_KEYSYMS.get(key.lower(), key), mapping, first) for key in keys
        ]
        for keycode in keycodes:
            self._xtest.fake_input(self._display, self._X.KeyPress, keycode)
        for keycode in reversed(keycodes):
            self._xtest.fake_input(self._display, self._X.KeyRelease, keycode)
        self._display.sync()

    def modifiers_down(self) -> frozenset[str]:
        """The keys held now: modifiers by name (``control``, ``mod1``…), others as ``key space``.

        Any held key counts, not only modifiers: the hotkey's own key (Space of
        Ctrl+Shift+Space) keeps the hotkey's key grab active until it goes up,
        and whatever is typed or pasted meanwhile goes to the grab, not the app.
        """
        pressed = self._display.query_keymap()
        down = {code for code in range(8, 256) if pressed[code // 8] & (1 << (code % 8))}
        held = set()
        modifier_map = self._display.get_modifier_mapping()
        for name, keycodes in zip(_MODIFIER_NAMES, modifier_map, strict=False):
            held |= {name} if down & set(keycodes) else set()
            down -= set(keycodes)
        for code in down:  # not a modifier: the hotkey's own key, most often
            held.add(f"key {keysym_name(self._XK, self._display.keycode_to_keysym(code, 0))}")
        return frozenset(held)

    def any_key_down(self) -> bool:
        """Whether any key is down now: the one round trip made before each burst of keys."""
        return any(self._display.query_keymap())

    def close(self) -> None:
        """Give back borrowed keycodes and close the display connection."""
        try:
            self.release_borrowed()
        finally:
            if self._pending_fetch is not None:
                self._pending_fetch.close()
                self._pending_fetch = None
            self._display.close()

    # ---- keymap -----------------------------------------------------------------------

    def _keycode_range(self) -> tuple[int, int]:
        info = self._display.display.info
        return int(info.min_keycode), int(info.max_keycode - info.min_keycode + 1)

    def _keycode(self, keysym_name: str, mapping: Sequence[Sequence[int]], first: int) -> int:
        """The keycode that gives ``keysym_name`` in ``mapping`` (the server's map, read now),
        as Xlib picks it: lowest column, then lowest code."""
        keysym = self._XK.string_to_keysym(keysym_name)
        found = [
            (column, first + row)
            for row, syms in enumerate(mapping)
            for column, sym in enumerate(syms)
            if keysym and sym == keysym
        ]
        if not found:
            raise InjectionError(f"no key for {keysym_name!r} in the keyboard map")
        return min(found)[1]

    def _forget_overwritten(self, mapping: list[list[int]], first: int) -> None:
        """Drop borrowed keycodes whose keysym is gone from the server's map.

        A layout switch (``setxkbmap``, the desktop's layout menu) loads a whole
        new map: a borrowed keycode then types something else, or is a real key
        of the new layout that must be neither used nor emptied.
        """
        for keycode, keysym in list(self._assigned.items()):
            row = mapping[keycode - first]
            if not row or row[0] != keysym:
                del self._assigned[keycode]
                self._last_used.pop(keycode, None)

    def _layout_strokes(self, mapping: list[list[int]], first: int) -> dict[str, _Stroke]:
        """Characters reachable at level 1 (plain) or 2 (Shift) of the first group."""
        by_keysym: dict[int, _Stroke] = {}
        for level in (1, 0):  # level 0 last so a plain stroke wins over a shifted one
            for offset, row in enumerate(mapping):
                if first + offset in self._assigned:
                    continue  # borrowed keycodes are managed by _borrow, not the layout
                if len(row) > level and row[level]:
                    by_keysym[row[level]] = _Stroke(first + offset, level == 1)
        strokes: dict[str, _Stroke] = {}
        for keysym, stroke in by_keysym.items():
            char = char_of_keysym(keysym)
            if char is not None:
                strokes.setdefault(char, stroke)
        for char, keysyms in self._legacy.items():
            for keysym in keysyms:
                if keysym in by_keysym:
                    strokes.setdefault(char, by_keysym[keysym])
        for char, keysym in SPECIAL_KEYSYMS.items():
            if keysym in by_keysym:
                strokes[char] = by_keysym[keysym]
        return strokes

    def _borrow(
        self, needed: list[str], spare: list[int], mapping: list[list[int]], first: int
    ) -> dict[str, int]:
        """Keycodes for ``needed`` characters: already borrowed ones, then free, then evicted.

        Borrowed keycodes stay mapped between deliveries, so repeated
        characters never remap anything. A keycode gets a new keysym only when
        the spares run out, and only after the target has caught up.
        """
        by_keysym = {keysym: keycode for keycode, keysym in self._assigned.items()}
        result = {
            c: by_keysym[keysym_for_char(c)] for c in needed if keysym_for_char(c) in by_keysym
        }
        missing = [c for c in needed if c not in result]
        if not missing:
            return result
        in_use = set(result.values())
        free = [k for k in spare if k not in self._assigned]
        evictable = sorted(
            (k for k in self._assigned if k not in in_use),
            key=lambda k: self._last_used.get(k, 0.0),
        )
        rows = {}
        for char, keycode in zip(missing, free + evictable, strict=False):
            rows[keycode] = keysym_for_char(char)
            result[char] = keycode
        evicted = [k for k in rows if k in self._assigned]
        if evicted:
            self._settle(max(self._last_used.get(k, 0.0) for k in evicted))
        watch = self._watch_target_fetch(set(rows))
        self._change_rows(rows, mapping, first)
        self._display.sync()
        self._pending_fetch = watch
        self._assigned.update(rows)
        return result

    def _change_rows(self, rows: dict[int, int], mapping: list[list[int]], first: int) -> None:
        """One ChangeKeyboardMapping over the touched range, so clients see one change.

        ``mapping`` is the caller's copy of the server's map; it is updated too,
        since the range also rewrites the untouched keycodes inside it.
        """
        width = len(mapping[0])
        for keycode, keysym in rows.items():
            # Every level the same keysym: Shift or Caps Lock cannot alter the character.
            row = [keysym] * min(width, 4) + [0] * max(0, width - 4) if keysym else [0] * width
            mapping[keycode - first] = row
        low, high = min(rows), max(rows)
        block = [list(mapping[k - first]) for k in range(low, high + 1)]
        self._display.change_keyboard_mapping(low, block)

    # ---- synchronising with the target ------------------------------------------------

    def _settle(self, last_sent: float) -> None:
        """Wait until keys sent up to ``last_sent`` were resolved by the target.

        Qt (xkbcommon) handles keymap notifies in event order, so its fetch of
        the current map is enough. Xlib clients such as xterm handle them when
        they *read* them, possibly ahead of key events still queued, and no
        request marks "keys processed"; so after the fetch (which proves the
        target is reading this chunk) a short settle time follows.
        """
        if self._pending_fetch is not None:
            self._pending_fetch.wait()
            self._pending_fetch.close()
            self._pending_fetch = None
        remaining = last_sent + _SETTLE_S - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)  # no X request marks "key events processed" (see above)

    def _watch_target_fetch(self, keycodes: set[int]) -> FetchWatch | FixedDelay:
        if self._has_record:
            try:
                return FetchWatch(self._display, self._name, self._xkb_opcode, keycodes)
            except Exception as exc:
                log.debug("RECORD watch unavailable (%s); using a fixed delay", exc)
                self._has_record = False
        return FixedDelay()


def _xlib(module: str) -> Any:
    """Import a python-xlib module (no type stubs exist, so it is typed Any)."""
    return importlib.import_module(module)


def _tap_events(
    stroke: _Stroke, char: str, caps_locked: bool, shift: int
) -> list[tuple[bool, int]]:
    """(pressed, keycode) for typing ``char``: its key, inside Shift where its level needs it."""
    press_shift = stroke.shift != (caps_locked and char.isalpha() and char.isascii())
    tap = [(True, stroke.keycode), (False, stroke.keycode)]
    return [(True, shift), *tap, (False, shift)] if press_shift else tap


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
