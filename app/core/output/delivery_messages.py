"""What delivery tells the user: each failure's sentence, and which one a request gets."""

from __future__ import annotations

from app.core.output.text_delivery import (
    DeliveryCancelled,
    DeliveryRequest,
    FocusMoved,
    ModifiersHeld,
    NoWindowFocused,
    OwnWindowFocused,
    PasteNotTaken,
    WindowPin,
)

# How to paste by hand: xterm takes Shift+Insert, other terminals Ctrl+Shift+V.
PASTE_KEYS = "Ctrl+V (Ctrl+Shift+V or Shift+Insert in a terminal)"
MESSAGE_KEYS_HELD = (
    "Release the keys held{which}: the text was not typed while they were held. "
    f"It is on the clipboard; paste it with {PASTE_KEYS}."
)
# KeyInjector.modifiers_down's names, as a keyboard shows them.
_KEY_LABELS = {
    "control": "Ctrl",
    "shift": "Shift",
    "mod1": "Alt",
    "mod4": "Super",
    "mod5": "AltGr",
    "lock": "Caps Lock",
    "mod2": "Num Lock",
}
MESSAGE_CANCELLED_WAITING = "Cancelled: the text was not typed. It is on the clipboard."
MESSAGE_CANCELLED_REST = "Cancelled: nothing more was typed."
MESSAGE_CANCELLED_PART_WAY = (
    "Cancelled part way: the rest of the text was not typed. The whole text is on the clipboard."
)
MESSAGE_KEYS_AFTER_HELD = (
    "the hotkey keys were still held a minute later, so they were not pressed; press them yourself."
)
MESSAGE_NO_KEYBOARD = (
    "Typing into other applications needs an X11 session ({reason}). "
    f"The text is on the clipboard; paste it with {PASTE_KEYS}."
)
MESSAGE_NO_ROUTE = f"{{reason}}. The text is on the clipboard; paste it with {PASTE_KEYS}."
MESSAGE_OWN_WINDOW = (
    "Nothing was typed: Saytype's own window had the keyboard focus. Switch to the window "
    "to type into first (click it, or Alt+Tab). The text is on the clipboard; paste it "
    f"with {PASTE_KEYS}."
)
MESSAGE_INJECTION_FAILED = (
    "Could not type into the focused application ({reason}). "
    f"The text is on the clipboard; paste it with {PASTE_KEYS}."
)

MESSAGE_NOT_TAKEN = (
    "Nothing was pasted: no application took the text (the window may have closed, or what "
    f"had the keyboard focus takes no text). It is on the clipboard; paste it with {PASTE_KEYS}."
)
MESSAGE_TEXT_FOCUS_MOVED = (
    "Nothing was typed: the keyboard focus moved to another window than the one you dictated "
    f"for. The text is on the clipboard; paste it with {PASTE_KEYS} where it belongs."
)
MESSAGE_NO_WINDOW = (
    "No window has the keyboard focus (the one typed into may have closed), so nothing more "
    f"was typed. The text is on the clipboard; paste it with {PASTE_KEYS} where it belongs."
)
MESSAGE_STOPPED_FOCUS_MOVED = (
    "Typing stopped part way: the keyboard focus moved to another window while Saytype "
    f"typed. The whole text is on the clipboard; paste what is missing with {PASTE_KEYS}."
)
MESSAGE_PINNED_FOCUS_MOVED = (
    "Typing stopped: the keyboard focus left the window the dictation was being typed into."
)
MESSAGE_FOCUS_MOVED = (
    "the focus moved to another window than the profile's, so they were not pressed there."
)


# What a delivery raises when it holds its text back on purpose (not_sent_message says why).
NOT_SENT = (
    ModifiersHeld,
    FocusMoved,
    DeliveryCancelled,
    OwnWindowFocused,
    PasteNotTaken,
    NoWindowFocused,
)


def not_sent_message(request: DeliveryRequest, error: Exception) -> str:
    """What to tell the user when ``request`` was held back on purpose (one of NOT_SENT)."""
    if isinstance(error, OwnWindowFocused):
        return MESSAGE_OWN_WINDOW
    if isinstance(error, PasteNotTaken):  # a Wayland paste into nothing; the text stays
        return MESSAGE_NOT_TAKEN
    if isinstance(error, NoWindowFocused):
        return MESSAGE_NO_WINDOW
    if isinstance(error, DeliveryCancelled):
        copied = request.copy_on_failure and request.method not in {"erase", "keys"}
        if copied and error.typed:
            return MESSAGE_CANCELLED_PART_WAY
        return MESSAGE_CANCELLED_WAITING if copied else MESSAGE_CANCELLED_REST
    pinned = isinstance(request.only_into, WindowPin) and request.method != "keys"
    if isinstance(error, FocusMoved) and pinned and not request.copy_on_failure:
        return MESSAGE_PINNED_FOCUS_MOVED  # a piece typed as spoken; a final is copied
    if isinstance(error, FocusMoved) and error.typed:
        return MESSAGE_STOPPED_FOCUS_MOVED
    if isinstance(error, FocusMoved):
        return MESSAGE_FOCUS_MOVED if request.method == "keys" else MESSAGE_TEXT_FOCUS_MOVED
    if request.method == "keys":
        return MESSAGE_KEYS_AFTER_HELD
    return keys_held_message(error.held if isinstance(error, ModifiersHeld) else frozenset())


def keys_held_message(held: frozenset[str]) -> str:
    """The text waited past the timeout for ``held`` (any key, not only the hotkey's)."""
    labels = sorted(_KEY_LABELS.get(name, name.removeprefix("key ").title()) for name in held)
    return MESSAGE_KEYS_HELD.format(which=f" ({'+'.join(labels)})" if labels else "")
