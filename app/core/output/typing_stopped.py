"""What goes on the clipboard when type as I speak stops for good, and what to say of it.

The words already typed stay in the app. When they begin the final text, only
the rest goes on the clipboard: with the whole dictation there, the user who
pasted where the words stopped (as told) got them twice. When they do not (a
"scratch that" whose backspaces never went, a word the final heard otherwise),
the whole text goes there, and the user is told to paste it over them.
"""

from __future__ import annotations

from app.core.output.delivery_messages import PASTE_KEYS

_WHOLE = "the whole dictation is on the clipboard:"


def text_left_to_paste(typed: str, whole: str) -> tuple[str, str]:
    """The clipboard's text and the advice that ends the message.

    Args:
        typed: what reached the application, erases applied.
        whole: the dictation's final text, as history keeps it.
    """
    count = len(typed.split())
    if not count:
        return whole, f"Nothing was typed; {_WHOLE} paste it with {PASTE_KEYS}."
    done = "The first word was typed" if count == 1 else f"The first {count} words were typed"
    if not whole.startswith(typed):
        return whole, (
            f"{done}, but the final text changed some of them; {_WHOLE} select the typed "
            f"words and paste it over them with {PASTE_KEYS}."
        )
    rest = whole[len(typed) :]
    if not rest.strip():
        return whole, f"{done}; {_WHOLE} paste it with {PASTE_KEYS}."
    return rest, f"{done}; the rest is on the clipboard: paste it with {PASTE_KEYS} after them."
