"""Hotkey chords as plain values: parse what people type, print one canonical form.

A chord is a set of modifiers plus exactly one non-modifier key. Everything here
works on key *names* (strings), so the gesture logic and the settings file never
see a pynput object: the bridge turns pynput's keys into these names at the
edge. Left and right modifier keys are the same modifier ("ctrl_r" is "ctrl"),
but AltGr is its own modifier ("altgr"), so a chord with Alt never fires on
AltGr, the key European layouts use to type characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MODIFIER_ORDER: tuple[str, ...] = ("ctrl", "alt", "altgr", "shift", "super")

# Names pynput, X11 and people use for each (modifier, side).
_MODIFIER_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ctrl", "l"): ("ctrl", "ctrl_l", "control", "control_l", "ctl", "lctrl"),
    ("ctrl", "r"): ("ctrl_r", "control_r", "rctrl"),
    ("alt", "l"): ("alt", "alt_l", "lalt", "option"),
    ("alt", "r"): ("alt_r", "ralt"),
    ("altgr", "r"): ("altgr", "altgr_r", "alt_gr", "iso_level3_shift", "mode_switch"),
    ("shift", "l"): ("shift", "shift_l", "lshift"),
    ("shift", "r"): ("shift_r", "rshift"),
    ("super", "l"): ("super", "super_l", "cmd", "cmd_l", "command", "win", "windows", "meta"),
    ("super", "r"): ("super_r", "cmd_r", "meta_r", "win_r"),
}
_MODIFIER_SIDES: dict[str, tuple[str, str]] = {
    name: side for side, names in _MODIFIER_NAMES.items() for name in names
}

_NAMED_KEYS: tuple[str, ...] = (
    "space",
    "enter",
    "tab",
    "esc",
    "backspace",
    "insert",
    "delete",
    "home",
    "end",
    "page_up",
    "page_down",
    "up",
    "down",
    "left",
    "right",
    *(f"f{number}" for number in range(1, 25)),
    "pause",
    "print_screen",
    "menu",
)

_KEY_ALIASES: dict[str, str] = {
    " ": "space",
    "spacebar": "space",
    "return": "enter",
    "kp_enter": "enter",
    "escape": "esc",
    "back_space": "backspace",
    "ins": "insert",
    "del": "delete",
    "pageup": "page_up",
    "pgup": "page_up",
    "prior": "page_up",
    "pagedown": "page_down",
    "pgdn": "page_down",
    "next": "page_down",
    "break": "pause",
    "print": "print_screen",
    "printscreen": "print_screen",
    "prtsc": "print_screen",
    "sysrq": "print_screen",
    "apps": "menu",
    "plus": "+",
    "minus": "-",
}

# Without Ctrl, Alt or Super a chord fires during ordinary typing and editing (Shift+A,
# Shift+Left), so only keys that never type may go without them (as in the shortcut field).
_STANDALONE_KEYS = frozenset({*(f"f{number}" for number in range(1, 25)), "pause"})

_DISPLAY_MODIFIERS = {"ctrl": "Ctrl", "alt": "Alt", "altgr": "AltGr", "shift": "Shift"}
_DISPLAY_KEYS = {"esc": "Esc", "page_up": "Page Up", "page_down": "Page Down"}
_DISPLAY_KEYS["print_screen"] = "Print Screen"


@dataclass(frozen=True)
class Chord:
    """Modifiers held together with one trigger key, e.g. Ctrl+Shift+Space.

    Attributes:
        modifiers: Canonical modifier names, a subset of :data:`MODIFIER_ORDER`.
        key: The canonical name of the trigger key (never a modifier).
    """

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        return format_chord(self)


DEFAULT_CHORD = Chord(frozenset({"ctrl", "shift"}), "space")


def modifier_of(name: str) -> str | None:
    """The canonical modifier a key name stands for, or None for an ordinary key.

    Args:
        name: A key name such as ``"ctrl_r"``, ``"Shift_L"`` or ``"cmd"``.

    Returns:
        ``"ctrl"``, ``"alt"``, ``"altgr"``, ``"shift"`` or ``"super"``, or None.
    """
    side = _MODIFIER_SIDES.get(name.strip().lower())
    return side[0] if side else None


def physical_key(name: str) -> str:
    """A name for the physical key: ``"ctrl_l"`` and ``"ctrl_r"`` stay apart, letters fold.

    The gesture tracks which keys are down by this name, so releasing one Ctrl
    while the other is still held does not count as releasing Ctrl.
    """
    side = _MODIFIER_SIDES.get(name.strip().lower())
    if side:
        return f"{side[0]}_{side[1]}"
    return normalize_key(name)


def normalize_key(name: str) -> str:
    """The canonical name of a non-modifier key: ``"Return"`` → ``"enter"``, ``"A"`` → ``"a"``.

    Unknown multi-letter names (``"caps_lock"``, ``"media_next"``) pass through
    lowercased, so they can still be tracked, but :func:`parse_chord` rejects them.
    """
    if len(name) == 1:
        return _KEY_ALIASES.get(name, name.lower())
    lowered = name.strip().lower().replace(" ", "_")
    return _KEY_ALIASES.get(lowered, lowered)


def parse_chord(text: str) -> Chord:
    """Parse a chord as people write it.

    Accepts ``"Ctrl+Shift+Space"``, ``"control+space"``, ``"<ctrl>+<shift>+space"``
    (pynput's style), ``"cmd+k"``/``"win+k"``/``"meta+k"`` (all Super), ``"ctrl++"``.

    Args:
        text: The chord text.

    Returns:
        The chord.

    Raises:
        ValueError: With a message a person can act on, when the text names an
            unknown key, no key, two keys, or a typing key without a modifier.
    """
    tokens = _split_tokens(text)
    modifiers: set[str] = set()
    keys: list[str] = []
    for token in tokens:
        modifier = modifier_of(token)
        if modifier is not None:
            if modifier in modifiers:
                raise ValueError(
                    f"Hotkey {text!r} names {_DISPLAY_MODIFIERS.get(modifier, 'Super')} twice"
                )
            modifiers.add(modifier)
            continue
        key = normalize_key(token)
        if len(key) != 1 and key not in _NAMED_KEYS:
            raise ValueError(f"Unknown key {token!r} in hotkey {text!r}")
        if not key.isprintable():
            raise ValueError(f"Hotkey {text!r} holds an unprintable character")
        keys.append(key)
    if not keys:
        raise ValueError(f"Hotkey {text!r} needs a key besides modifiers, e.g. ctrl+shift+space")
    if len(keys) > 1:
        raise ValueError(f"Hotkey {text!r} names more than one key ({', '.join(keys)})")
    chord = Chord(frozenset(modifiers), keys[0])
    if not (modifiers - {"shift"}) and chord.key not in _STANDALONE_KEYS:
        raise ValueError(
            f"{display_chord(chord)} would fire while you type: add Ctrl, Alt or Super"
        )
    return chord


def canonical_chord(text: str) -> str:
    """``text`` in the spelling settings store: ``"Shift+Control+Space"`` → ``"ctrl+shift+space"``.

    The same grammar as the hotkey listener's (:func:`parse_chord`), so a chord the
    settings accept is always one the listener can grab.

    Raises:
        ValueError: As :func:`parse_chord`.
    """
    return format_chord(parse_chord(text))


def format_chord(chord: Chord) -> str:
    """The canonical text form, e.g. ``"ctrl+shift+space"`` (what settings store)."""
    ordered = [name for name in MODIFIER_ORDER if name in chord.modifiers]
    return "+".join([*ordered, chord.key])


def display_chord(chord: Chord) -> str:
    """The form shown to people, e.g. ``"Ctrl+Shift+Space"``."""
    ordered = [name for name in MODIFIER_ORDER if name in chord.modifiers]
    parts = [_DISPLAY_MODIFIERS.get(name, name.title()) for name in ordered]
    return "+".join([*parts, _display_key(chord.key)])


def _display_key(key: str) -> str:
    if len(key) == 1:
        return key.upper()
    return _DISPLAY_KEYS.get(key, key.replace("_", " ").title())


def _split_tokens(text: str) -> list[str]:
    stripped = text.strip()
    if not stripped:
        raise ValueError("Hotkey is empty: type one such as ctrl+shift+space")
    # A trailing "++" means the key is "+" itself ("ctrl++").
    trailing_plus = stripped == "+" or stripped.endswith("++")
    body = stripped[:-2] if stripped.endswith("++") else ("" if stripped == "+" else stripped)
    tokens = [re.sub(r"^<(.+)>$", r"\1", part.strip()) for part in body.split("+")] if body else []
    if any(not token for token in tokens):
        raise ValueError(f"Hotkey {text!r} has an empty part between '+' signs")
    return [*tokens, "+"] if trailing_plus else tokens


# Shortcuts every application (or the desktop) already answers to: grabbed globally,
# they would stop working everywhere (a new user once set Ctrl+C, and copying broke).
EVERYDAY_SHORTCUTS = frozenset(
    {
        *(f"ctrl+{key}" for key in "acvxzyswtnofpq"),
        "ctrl+shift+z",
        "ctrl+shift+c",  # a terminal's copy and paste
        "ctrl+shift+v",
        "alt+tab",
        "alt+f4",
        "ctrl+alt+delete",
        # Tabs in browsers, editors and terminals (and the pages of Saytype's Settings).
        "ctrl+tab",
        "ctrl+shift+tab",
        "ctrl+page_up",
        "ctrl+page_down",
        "ctrl+enter",  # sends the message in chat and mail apps
        "ctrl+l",  # the address bar; clears a terminal
        "ctrl+r",  # reloads a page; a shell's history search
        "ctrl+h",  # history in browsers; Backspace in terminals
    }
)


def is_everyday_shortcut(chord: str) -> bool:
    """Whether ``chord`` (canonical) is a shortcut other applications rely on."""
    return chord in EVERYDAY_SHORTCUTS


def everyday_shortcut_problem(chord: str) -> str | None:
    """Why ``chord`` (canonical) cannot be Saytype's hotkey, or None when it can be."""
    if parse_chord(chord).key == "esc":  # with the hotkey's modifiers, Esc cancels a dictation
        return f"{display_chord(parse_chord(chord))} holds Esc, which cancels; choose another"
    if not is_everyday_shortcut(chord):
        return None
    return f"{display_chord(parse_chord(chord))} is a shortcut other apps need; choose another"
