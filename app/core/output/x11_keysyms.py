"""Keysyms and the characters they type, for the X11 injector (``x11_keyboard.py``).

Latin-1 keysyms are the characters' own codes, the rest of Unicode is
``0x01000000 | code``, and a layout may still use legacy keysyms (Cyrillic_de),
whose characters pynput's table knows.
"""

from __future__ import annotations

from typing import Any

SPECIAL_KEYSYMS = {"\n": 0xFF0D, "\r": 0xFF0D, "\t": 0xFF09}  # Return, Tab


def keysym_for_char(char: str) -> int:
    """The keysym that produces ``char``: Latin-1 as is, everything else as Unicode."""
    if char in SPECIAL_KEYSYMS:
        return SPECIAL_KEYSYMS[char]
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 | code


def char_of_keysym(keysym: int) -> str | None:
    """The character a keysym types, or None for keys that type none (Shift, F12)."""
    if 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:
        return chr(keysym)
    if 0x01000100 <= keysym <= 0x0110FFFF:
        return chr(keysym & 0x00FFFFFF)
    return None


def legacy_keysyms() -> dict[str, set[int]]:
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


def keysym_name(xk: Any, keysym: int) -> str:
    """``space``, ``F12``…: the name X gives a keysym (its number when it has none).

    Args:
        xk: python-xlib's ``Xlib.XK`` module (imported lazily by the caller).
    """
    names = {value: name[3:] for name, value in vars(xk).items() if name.startswith("XK_")}
    return str(names.get(keysym, hex(keysym)))
