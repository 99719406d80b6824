"""Built-in profile suggestions: sensible starting points, off until the user adds one.

They are never applied by themselves (a dictation into a terminal is unchanged
until the user adds the Terminals suggestion), because pressing Enter after the
text in an application the user did not choose would run commands or send
messages they meant to read first.
"""

from __future__ import annotations

from app.core.profiles.profile import Profile

# Terminals take no full stop and no capitals. Their paste keys stay "auto": that already
# presses Ctrl+Shift+V in these terminals (Ctrl+V is a literal ^V there) and Shift+Insert in
# xterm, where Ctrl+Shift+V does nothing.
TERMINALS = Profile(
    "Terminals",
    window_class=(
        r"^(xterm|uxterm|urxvt|gnome-terminal(-server)?|konsole|xfce4-terminal|alacritty|kitty"
        r"|terminator|tilix|wezterm|foot|mate-terminal|lxterminal|qterminal|terminology|st(-256color)?)$"
        r"|\.(wezterm|konsole|Terminal|ptyxis)$"
    ),
    overrides={"style": "plain", "paste_keys": "auto"},
)
# Chat apps send a message with Enter: one dictation, one message.
CHAT_APPS = Profile(
    "Chat apps",
    window_class=r"^(slack|discord|element|signal|telegram-?desktop|teams-for-linux|zulip)$",
    overrides={"after_text": "enter"},
)
SUGGESTIONS = (TERMINALS, CHAT_APPS)
