"""Turning keys reported by pynput into the names the hotkey gesture understands.

Qt-free. pynput reports Shift+A as "A" and Shift+1 as "!", but the release
may come after Shift is up ("a", "1"); reading the X keymap folds both to the
key's own name, so a chord never sticks half-pressed. The same holds for named
keys: Shift+Tab presses as ISO_Left_Tab and may release as Tab.
"""

from __future__ import annotations

import enum
import importlib
import logging
import warnings
from collections.abc import Mapping
from typing import Any

from app.core.hotkeys.chord import modifier_of, normalize_key, physical_key

log = logging.getLogger(__name__)


def key_name(key: object, base_chars: Mapping[int, str] | None = None) -> str | None:
    """Turn a pynput key into a name the gesture understands, or None for an unknown key.

    ``Key`` members keep their name (``"ctrl_r"``, ``"space"``, ``"alt_gr"``).
    A ``KeyCode`` becomes its unshifted character: pynput reports Shift+A as
    ``"A"`` and Shift+1 as ``"!"`` on a US layout, but the release may come
    after Shift is up (``"a"``, ``"1"``), so ``base_chars`` (X keysym → the
    character on the key's first level) folds both to the key's own name.
    """
    if key is None:
        return None
    if isinstance(key, enum.Enum):
        return str(key.name)
    vk = getattr(key, "vk", None)
    if base_chars and isinstance(vk, int) and vk in base_chars:
        return base_chars[vk]
    char = getattr(key, "char", None)
    if char:
        return normalize_key(char)
    return f"vk{vk}" if vk is not None else None


def x11_base_chars() -> dict[int, str]:
    """Map each keysym on the X keymap's first group to its key's own name.

    That is the unshifted character, or for a key without one (Tab, the arrows),
    pynput's name for its unshifted keysym: a key held "down" under one name and
    released under another would keep every exact chord from matching again.
    """
    display = _open_x_display()
    try:
        info = display.display.info
        rows = display.get_keyboard_mapping(
            info.min_keycode, info.max_keycode - info.min_keycode + 1
        )
    finally:
        display.close()
    named = _named_keys()
    table: dict[int, str] = {}
    for row in rows:
        name = _own_name(row, named)
        if name is None:
            continue
        for keysym in row[:2]:  # unshifted and Shift levels; AltGr is a modifier of its own
            if keysym:
                table.setdefault(keysym, name)
    return table


def _own_name(row: Any, named: Mapping[int, str]) -> str | None:
    """A key's own name from its keymap row: its unshifted character, else pynput's name."""
    if not len(row):
        return None
    char = _keysym_char(row[0])
    return normalize_key(char) if char is not None else named.get(row[0])


def _named_keys() -> dict[int, str]:
    """pynput's named keys (``Key.tab``…) by keysym, as :func:`key_name` names them."""
    keyboard = importlib.import_module("pynput.keyboard")
    names: dict[int, str] = {}
    for member in keyboard.Key:
        vk = getattr(member.value, "vk", None)
        if isinstance(vk, int):
            names.setdefault(vk, str(member.name))
    return names


def _open_x_display() -> Any:
    xdisplay = importlib.import_module("Xlib.display")
    with warnings.catch_warnings():
        # python-xlib leaves its socket open when it cannot connect; only the error matters.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return xdisplay.Display()
        except Exception as exc:
            message = str(exc) or type(exc).__name__
    raise RuntimeError(message)


def _keysym_char(keysym: int) -> str | None:
    if 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:  # Latin-1 keysyms are code points
        return chr(keysym)
    if keysym & 0xFF000000 == 0x01000000:  # Unicode keysyms
        return chr(keysym & 0x00FFFFFF)
    return None


class X11KeyState:
    """The ordinary keys the X server says are down now, by the names the gesture uses.

    The server's own state (``QueryKeymap``) is the truth the listener's event
    stream only follows: a release lost on the way leaves a key "down" there alone.
    Modifiers are left out (the gesture trusts its events for those). Opens its
    own connection; call it from one thread, and :meth:`close` it.
    """

    def __init__(self) -> None:
        self._display = _open_x_display()
        info = self._display.display.info
        first = info.min_keycode
        rows = self._display.get_keyboard_mapping(first, info.max_keycode - first + 1)
        named = _named_keys()
        self._names: dict[int, str] = {}
        for offset, row in enumerate(rows):
            name = _own_name(row, named)
            if name is not None:
                self._names[first + offset] = physical_key(name)

    def __call__(self) -> frozenset[str] | None:
        """The keys down now; None when one cannot be named (it may be the one in doubt)."""
        try:
            pressed = self._display.query_keymap()
        except Exception:  # the display went away: no answer, so nothing is forgotten
            log.warning("could not ask the X server which keys are down", exc_info=True)
            return None
        down = set()
        for code in range(8, 256):
            if pressed[code // 8] & (1 << (code % 8)):
                name = self._names.get(code)
                if name is None:
                    return None
                if modifier_of(name) is None:
                    down.add(name)
        return frozenset(down)

    def close(self) -> None:
        """Close the connection."""
        self._display.close()


def x11_key_state() -> X11KeyState | None:
    """An :class:`X11KeyState`, or None (logged) when the display cannot be asked."""
    try:
        return X11KeyState()
    except Exception:  # the hotkey still works on its events alone
        log.warning("cannot ask the X server which keys are down", exc_info=True)
        return None
