"""Type as I speak stopped for good: the clipboard holds what the app still lacks."""

from __future__ import annotations

from app.core.output.delivery_messages import PASTE_KEYS
from app.core.output.typing_stopped import text_left_to_paste

WHOLE = "The house was quiet. She opened the blue door. Nobody was there."


def test_words_that_begin_the_final_leave_only_the_rest_to_paste() -> None:
    # Pasting the whole text where the typed words stop, as told, doubled them.
    text, advice = text_left_to_paste("The house was quiet. She", WHOLE)
    assert text == " opened the blue door. Nobody was there."
    assert advice == (
        "The first 5 words were typed; the rest is on the clipboard: "
        f"paste it with {PASTE_KEYS} after them."
    )


def test_words_the_final_changed_are_to_be_pasted_over() -> None:
    # "scratch that" was said after the focus moved: its backspaces never went.
    text, advice = text_left_to_paste("The house was quiet. She opened the red door", WHOLE)
    assert text == WHOLE
    assert advice.startswith("The first 9 words were typed, but the final text changed some")
    assert advice.endswith(f"select the typed words and paste it over them with {PASTE_KEYS}.")


def test_nothing_typed_or_everything_typed_leaves_the_whole_dictation() -> None:
    assert text_left_to_paste("", WHOLE) == (
        WHOLE,
        f"Nothing was typed; the whole dictation is on the clipboard: paste it with {PASTE_KEYS}.",
    )
    text, advice = text_left_to_paste(WHOLE, WHOLE)  # only the space or key after it failed
    assert text == WHOLE
    assert advice.startswith("The first 12 words were typed; the whole dictation is on")
