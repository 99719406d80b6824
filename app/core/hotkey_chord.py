"""The canonical spelling of a hotkey chord, shared by settings, the hotkey listener and the UI.

A chord is stored as text such as ``"ctrl+shift+space"``: lowercase modifiers in
the fixed order ctrl, alt, shift, super, joined by ``+``, then one key. One
spelling per chord means two chords can be compared as strings, and a file
edited by hand (``"Shift+Control+Space"``) is read back to the same value.
"""

from __future__ import annotations

__all__ = ["MODIFIERS", "NAMED_KEYS", "canonical_chord"]

MODIFIERS = ("ctrl", "alt", "shift", "super")
NAMED_KEYS = (
    "space", "enter", "tab", "esc", "backspace", "insert", "delete", "home", "end",
    "page_up", "page_down", "up", "down", "left", "right", "pause", "print_screen", "menu",
    *(f"f{number}" for number in range(1, 25)),
)  # fmt: skip
# Other spellings people (and Qt, pynput, older files) use for the same keys.
_KEY_ALIASES = {
    "control": "ctrl", "ctl": "ctrl", "option": "alt", "meta": "super", "win": "super",
    "windows": "super", "cmd": "super", "mod4": "super", "escape": "esc", "return": "enter",
    "del": "delete", "ins": "insert", "pgup": "page_up", "pageup": "page_up",
    "pgdn": "page_down", "pagedown": "page_down", "print": "print_screen",
    "printscreen": "print_screen", "prtsc": "print_screen", "apps": "menu", "spacebar": "space",
}  # fmt: skip


def canonical_chord(text: str) -> str:
    """Return ``text`` as a canonical hotkey chord such as ``"ctrl+shift+space"``.

    Accepts any case, any modifier order, spaces around ``+`` and common aliases
    (``Control``, ``Meta``, ``Escape``…). The canonical form lists the modifiers
    in the order ctrl, alt, shift, super, then one key: a single lowercase
    character or a name from :data:`NAMED_KEYS`.

    Raises:
        ValueError: when ``text`` does not name exactly one key plus modifiers.
    """
    cleaned = text.strip().lower()
    head, key = cleaned.rsplit("+", 1) if "+" in cleaned[1:] else ("", cleaned)
    if cleaned.endswith("++"):  # "+" itself is the key, as in "ctrl++"
        head, key = cleaned[:-2], "+"
    names = [_key_name(part) for part in ([*head.split("+"), key] if head else [key])]
    if not names[-1]:
        raise ValueError("a hotkey needs a key")
    *modifiers, key = names
    unknown = [name for name in modifiers if name not in MODIFIERS]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a modifier (use ctrl, alt, shift or super)")
    if len(set(modifiers)) != len(modifiers):
        raise ValueError("a modifier is repeated")
    if key in MODIFIERS:
        raise ValueError("a hotkey needs a key besides its modifiers")
    if key not in NAMED_KEYS and not (len(key) == 1 and key.isprintable() and key != " "):
        raise ValueError(f"{key!r} is not a key name")
    ordered = [name for name in MODIFIERS if name in modifiers]
    return "+".join([*ordered, key])


def _key_name(text: str) -> str:
    stripped = text.strip()
    return _KEY_ALIASES.get(stripped.replace(" ", "").replace("_", ""), stripped)
