"""Turning keys reported by pynput into the names the hotkey gesture understands.

Qt-free. pynput reports Shift+A as "A" and Shift+1 as "!", but the release
may come after Shift is up ("a", "1"); reading the X keymap folds both to the
key's own name, so a chord never sticks half-pressed.
"""

from __future__ import annotations

import enum
import importlib
import warnings
from collections.abc import Mapping
from typing import Any

from app.core.hotkeys.chord import normalize_key


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
    """Map each keysym on the X keymap's first group to its key's unshifted character."""
    display = _open_x_display()
    try:
        info = display.display.info
        rows = display.get_keyboard_mapping(
            info.min_keycode, info.max_keycode - info.min_keycode + 1
        )
    finally:
        display.close()
    table: dict[int, str] = {}
    for row in rows:
        base = _keysym_char(row[0]) if len(row) else None
        if base is None:
            continue
        for keysym in row[:2]:  # unshifted and Shift levels; AltGr is a modifier of its own
            if keysym:
                table.setdefault(keysym, normalize_key(base))
    return table


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
