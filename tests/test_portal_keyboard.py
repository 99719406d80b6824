"""The RemoteDesktop portal keyboard's pure parts: characters and keys as X keysyms.

The real chain (the portal session, KWin's keys, a Wayland window's text, the
clipboard for what the layout lacks) is tests/test_delivery_portal_kde.py.
"""

from __future__ import annotations

import pytest

from app.core.output.portal_keyboard import key_keysym, keysym_for
from app.core.output.text_delivery import InjectionError


@pytest.mark.parametrize(
    ("char", "keysym"),
    [
        ("a", 0x61),
        ("A", 0x41),  # the compositor adds Shift from the layout
        ("~", 0x7E),
        (" ", 0x20),
        ("é", 0xE9),  # Latin-1 keysyms are the code point
        ("€", 0x010020AC),  # the rest are Unicode keysyms
        ("你", 0x01004F60),
        ("\n", 0xFF0D),  # Return, as a keyboard's Enter
        ("\t", 0xFF09),
    ],
)
def test_a_character_is_its_x_keysym(char: str, keysym: int) -> None:
    assert keysym_for(char) == keysym


@pytest.mark.parametrize(
    ("key", "keysym"),
    [
        ("ctrl", 0xFFE3),
        ("Shift", 0xFFE1),
        ("v", 0x76),
        ("insert", 0xFF63),
        ("backspace", 0xFF08),
        ("enter", 0xFF0D),
        ("f1", 0xFFBE),
        ("F12", 0xFFC9),
    ],
)
def test_a_named_key_is_its_x_keysym(key: str, keysym: int) -> None:
    assert key_keysym(key) == keysym


def test_an_unknown_key_name_is_an_error_that_names_it() -> None:
    with pytest.raises(InjectionError, match="cannot press menu_key"):
        key_keysym("menu_key")
