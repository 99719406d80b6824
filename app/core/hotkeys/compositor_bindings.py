"""The lines that bind Saytype's hotkey in a Wayland compositor, for ``saytype keys --print``.

On Wayland no app may grab a global key; the compositor runs commands for
keys instead. sway and Hyprland run a command on release too, so they get
``saytype press`` and ``saytype release`` (the way sway's ``bindsym --release``
fires on wtype's virtual-keyboard events), and the hotkey mode of Settings
applies as on X11 (hold to talk, tap to start and stop, or both); GNOME and KDE
Plasma run shortcuts on press only, so they get ``saytype toggle`` (tap to
start, tap to finish). Cancel is the hotkey's modifiers with Escape, or Shift
with the hotkey's key when it has none: a bare Escape bound in the compositor
would be taken from every app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from app.core.hotkeys.chord import Chord, display_chord
from app.core.hotkeys.gesture import GestureMode

Compositor = Literal["sway", "hyprland", "gnome", "kde"]
COMPOSITORS: tuple[Compositor, ...] = ("sway", "hyprland", "gnome", "kde")

_ORDER = ("ctrl", "alt", "altgr", "shift", "super")
# xkb keysym names for the chord grammar's named keys (sway and Hyprland take these).
_KEYSYMS = {
    "space": "space",
    "enter": "Return",
    "tab": "Tab",
    "esc": "Escape",
    "backspace": "BackSpace",
    "insert": "Insert",
    "delete": "Delete",
    "home": "Home",
    "end": "End",
    "page_up": "Prior",
    "page_down": "Next",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "pause": "Pause",
    "print_screen": "Print",
    "menu": "Menu",
    "+": "plus",
    "-": "minus",
}
_SWAY_MODIFIERS = {
    "ctrl": "Ctrl",
    "alt": "Mod1",
    "altgr": "Mod5",
    "shift": "Shift",
    "super": "Mod4",
}
_HYPRLAND_MODIFIERS = {
    "ctrl": "CTRL",
    "alt": "ALT",
    "altgr": "MOD5",
    "shift": "SHIFT",
    "super": "SUPER",
}
_GNOME_MODIFIERS = {
    "ctrl": "<Control>",
    "alt": "<Alt>",
    "altgr": "<Mod5>",
    "shift": "<Shift>",
    "super": "<Super>",
}
_GNOME_LIST = "org.gnome.settings-daemon.plugins.media-keys"
_GNOME_PATH = "/org/gnome/settings-daemon/plugins/media-keys/custom-keybindings/saytype-{name}/"


def detect_compositor(environ: Mapping[str, str]) -> Compositor | None:
    """The compositor of this session, from what it sets for its apps; None when unknown."""
    if environ.get("SWAYSOCK"):
        return "sway"
    if environ.get("HYPRLAND_INSTANCE_SIGNATURE"):
        return "hyprland"
    desktops = environ.get("XDG_CURRENT_DESKTOP", "").lower().split(":")
    if "gnome" in desktops:
        return "gnome"
    if "kde" in desktops:
        return "kde"
    return None


def binding_lines(
    compositor: Compositor, chord: Chord, program: str = "saytype", mode: GestureMode = "auto"
) -> str:
    """What to put in ``compositor``'s configuration (or run) for ``chord``, as text.

    Args:
        compositor: ``sway``, ``hyprland``, ``gnome`` or ``kde``.
        chord: The user's hotkey.
        program: The command that reaches the running Saytype.
        mode: the hotkey mode in Settings, for the comment (sway and Hyprland tell the
            press and the release, and Saytype applies the mode it has then).
    """
    cancel = cancel_chord(chord)
    if compositor in {"sway", "hyprland"}:
        how = _HOW[mode].format(chord=display_chord(chord))
        comment = (
            f"# Saytype: {how}; {display_chord(cancel)} cancels.\n"
            "# Settings → Dictation → How the hotkey works changes that, with these same lines.\n"
        )
        if compositor == "sway":
            return comment + _sway(chord, cancel, program)
        return comment + _hyprland(chord, cancel, program)
    if compositor == "gnome":
        return _gnome(chord, cancel, program)
    return _kde(chord, cancel, program)


def cancel_chord(chord: Chord) -> Chord:
    """The chord bound to cancel: Esc with the hotkey's modifiers, else Shift and its key."""
    if chord.modifiers:
        return Chord(chord.modifiers, "esc")
    return Chord(frozenset({"shift"}), chord.key)


_HOW = {
    "auto": "hold {chord} to dictate, or tap it to start and tap again to finish",
    "hold": "hold {chord} to dictate",
    "toggle": "tap {chord} to start and again to finish",
}


def _sway(chord: Chord, cancel: Chord, program: str) -> str:
    hotkey, escape = _sway_keys(chord), _sway_keys(cancel)
    return (
        f"# Add to ~/.config/sway/config, then reload sway (swaymsg reload).\n"
        f"bindsym --no-repeat {hotkey} exec {program} press\n"
        f"bindsym --release {hotkey} exec {program} release\n"
        f"bindsym {escape} exec {program} cancel\n"
    )


def _hyprland(chord: Chord, cancel: Chord, program: str) -> str:
    mods, key = _hyprland_keys(chord)
    cancel_mods, escape = _hyprland_keys(cancel)
    return (
        f"# Add to ~/.config/hypr/hyprland.conf (Hyprland reloads it by itself).\n"
        f"bind = {mods}, {key}, exec, {program} press\n"
        f"bindr = {mods}, {key}, exec, {program} release\n"
        f"bind = {cancel_mods}, {escape}, exec, {program} cancel\n"
    )


def _gnome(chord: Chord, cancel: Chord, program: str) -> str:
    paths = [_GNOME_PATH.format(name=name) for name in ("toggle", "cancel")]
    lines = [
        f"# Saytype: GNOME runs shortcuts on press only, so {display_chord(chord)} toggles:",
        "# tap to start, tap again to finish; " + display_chord(cancel) + " cancels.",
        "# Run these in a terminal. The first line replaces your list of custom shortcuts:",
        f"# if `gsettings get {_GNOME_LIST} custom-keybindings` shows some, keep them in it.",
        f'gsettings set {_GNOME_LIST} custom-keybindings "{paths!r}"',
    ]
    for path, name, command, keys in (
        (paths[0], "Saytype: dictate", f"{program} toggle", chord),
        (paths[1], "Saytype: cancel", f"{program} cancel", cancel),
    ):
        schema = f"{_GNOME_LIST}.custom-keybinding:{path}"
        lines += [
            f"gsettings set {schema} name '{name}'",
            f"gsettings set {schema} command '{command}'",
            f"gsettings set {schema} binding '{_gnome_keys(keys)}'",
        ]
    return "\n".join(lines) + "\n"


def _kde(chord: Chord, cancel: Chord, program: str) -> str:
    return (
        f"# Saytype: KDE Plasma runs shortcuts on press only, so {display_chord(chord)} "
        "toggles:\n"
        f"# tap to start, tap again to finish; {display_chord(cancel)} cancels.\n"
        "# System Settings > Keyboard > Shortcuts > Add New > Command or Script, twice:\n"
        f"{program} toggle\t{display_chord(chord)}\n"
        f"{program} cancel\t{display_chord(cancel)}\n"
    )


def _modifiers(chord: Chord) -> list[str]:
    return [name for name in _ORDER if name in chord.modifiers]


def _keysym(chord: Chord) -> str:
    if chord.key in _KEYSYMS:
        return _KEYSYMS[chord.key]
    if chord.key.startswith("f") and chord.key[1:].isdigit():
        return chord.key.upper()  # F1..F24
    return chord.key


def _sway_keys(chord: Chord) -> str:
    return "+".join([*(_SWAY_MODIFIERS[m] for m in _modifiers(chord)), _keysym(chord)])


def _hyprland_keys(chord: Chord) -> tuple[str, str]:
    return " ".join(_HYPRLAND_MODIFIERS[m] for m in _modifiers(chord)), _keysym(chord)


def _gnome_keys(chord: Chord) -> str:
    return "".join(_GNOME_MODIFIERS[m] for m in _modifiers(chord)) + _keysym(chord)
