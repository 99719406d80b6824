"""The keys that paste into an application, by its window class: terminals differ."""

from __future__ import annotations

# xterm and rxvt paste PRIMARY with Shift+Insert; Ctrl+V is a literal ^V there.
_SHIFT_INSERT_TERMINALS = frozenset({"xterm", "uxterm", "urxvt", "rxvt", "rxvt-unicode"})
# Terminals whose paste shortcut is Ctrl+Shift+V (Ctrl+V is passed to the shell).
_CTRL_SHIFT_V_TERMINALS = frozenset(
    {
        "gnome-terminal",
        "gnome-terminal-server",
        "konsole",
        "xfce4-terminal",
        "alacritty",
        "kitty",
        "terminator",
        "tilix",
        "wezterm",
        "foot",
        "mate-terminal",
        "lxterminal",
        "qterminal",
        "terminology",
        "sakura",
        "st",
        "st-256color",
        "footclient",
        "ghostty",  # com.mitchellh.ghostty
        "ptyxis",  # org.gnome.Ptyxis
        "org.gnome.console",  # GNOME Console ("console" alone names other things)
        "kgx",  # GNOME Console's older id
        "blackbox",  # com.raggesilver.BlackBox
        "guake",
        "tilda",
        "yakuake",
        "cool-retro-term",
        "deepin-terminal",
    }
)
CTRL_V: tuple[str, ...] = ("ctrl", "v")
CTRL_SHIFT_V: tuple[str, ...] = ("ctrl", "shift", "v")
SHIFT_INSERT: tuple[str, ...] = ("shift", "insert")


def paste_chord_for(window_class: str | None) -> tuple[str, ...]:
    """The keys that paste into an application with WM_CLASS ``window_class``.

    Matches the class case-insensitively, and reverse-DNS classes by their last
    part (``org.wezfurlong.wezterm``); anything unknown gets Ctrl+V.
    """
    if not window_class:
        return CTRL_V
    name = window_class.strip().lower()
    short = name.rsplit(".", 1)[-1]
    for candidate in (name, short):
        if candidate in _SHIFT_INSERT_TERMINALS:
            return SHIFT_INSERT
        if candidate in _CTRL_SHIFT_V_TERMINALS:
            return CTRL_SHIFT_V
    return CTRL_V
