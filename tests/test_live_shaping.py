"""One dictation's events → the text to show and the text to type (no Qt)."""

from __future__ import annotations

import pytest

from app.core.text.live_shaping import LiveShaping, LiveUpdate
from app.core.text.shaper import ShapingOptions, TextShaper
from app.core.text.streaming import TextEdit


def test_a_partial_shows_held_words_and_the_guess_shaped_as_they_continue_the_text() -> None:
    live = LiveShaping(TextShaper())
    assert live.partial(" dear Anna") == LiveUpdate("", "Dear Anna")
    live.commit(" dear Anna comma")  # "comma" may become "comma splice": held
    assert live.partial(" I will ") == LiveUpdate("Dear Anna", ", I will")  # "Dear Anna, I will"


def test_a_partial_writes_numbers_as_the_final_will() -> None:
    # Whisper's guess says "1 and 3"; the final spells small numbers out (the default),
    # so the preview must not flip from digits to words when the words settle.
    words = LiveShaping(TextShaper())
    words.commit(" today only platforms")
    assert words.partial(" 1 and 3 are used.").pending == " one and three are used."
    assert words.final("Today only platforms 1 and 3 are used.", typed_live=False).shown == (
        "Today only platforms one and three are used."
    )
    digits = LiveShaping(TextShaper(ShapingOptions(numbers_as_digits=True)))
    assert digits.partial(" platform forty two").pending == "Platform 42"


def test_a_guess_that_would_change_typed_text_is_shown_as_heard() -> None:
    live = LiveShaping(TextShaper())
    live.commit(" see you tomorrow")
    assert live.partial(" scratch that") == LiveUpdate("See you tomorrow", " scratch that")


@pytest.mark.parametrize(
    ("said", "guess", "pending", "final"),
    [
        (" dear Anna", " new line I will call", "\nI will call", "Dear Anna\nI will call"),
        (" dear Anna", " new paragraph thanks", "\n\nThanks", "Dear Anna\n\nThanks"),
        (" foo no space", " bar baz", "bar baz", "Foobar baz"),
        (
            " he said open quote hello",
            " close quote and left",
            '" and left',
            'He said "hello" and left',
        ),
    ],
)
def test_the_preview_goes_on_as_the_final_will(
    said: str, guess: str, pending: str, final: str
) -> None:
    # The settled text plus the preview is the final's text so far: its line breaks and
    # spaces too, not only its words.
    live = LiveShaping(TextShaper())
    shown = live.commit(said).shown
    assert live.partial(guess).pending == pending
    assert shown + pending == final
    assert live.final(f"{said} {guess}", typed_live=False).shown == final


def test_a_commit_shows_the_settled_text_and_types_what_is_new() -> None:
    live = LiveShaping(TextShaper())
    # "comma" may still become "comma splice": held, but shown as the comma it likely is.
    assert live.commit(" dear Anna comma") == LiveUpdate("Dear Anna", ",", TextEdit(0, "Dear Anna"))
    assert live.commit(" I will call") == LiveUpdate(
        "Dear Anna, I will call", "", TextEdit(0, ", I will call")
    )
    assert live.typed == live.text == "Dear Anna, I will call"


def test_scratch_that_erases_what_was_typed_up_to_the_first_changed_character() -> None:
    live = LiveShaping(TextShaper())
    live.commit(" see you tomorrow")
    update = live.commit(" scratch that see you tonight")
    assert update == LiveUpdate("See you tonight", "", TextEdit(len("morrow"), "night"))


def test_a_final_not_typed_live_is_shaped_whole_and_typed_whole() -> None:
    live = LiveShaping(TextShaper(ShapingOptions(trailing_space=True)))
    live.commit(" I will call you")
    update = live.final("I'll call you tomorrow period", typed_live=False)
    assert update == LiveUpdate(
        "I'll call you tomorrow.", "", TextEdit(0, "I'll call you tomorrow. ")
    )
    assert live.text == "I'll call you tomorrow."


def test_a_final_typed_live_keeps_the_typed_words_and_only_finishes_them() -> None:
    live = LiveShaping(TextShaper(ShapingOptions(trailing_space=True)))
    live.commit(" I will call you")
    update = live.final("I'll call you tomorrow period", typed_live=True)
    assert update == LiveUpdate("I will call you tomorrow.", "", TextEdit(0, " tomorrow. "))
    assert live.text == "I will call you tomorrow."


@pytest.mark.parametrize("typed_live", [False, True])
def test_a_final_ending_in_a_new_line_gets_no_space_to_start_the_next_line(
    typed_live: bool,
) -> None:
    live = LiveShaping(TextShaper(ShapingOptions(trailing_space=True)))
    live.commit(" Hello world")
    update = live.final("Hello world new paragraph", typed_live=typed_live)
    assert update.shown == "Hello world\n\n"
    assert update.edit.text == ("\n\n" if typed_live else "Hello world\n\n")


def test_an_empty_final_types_nothing() -> None:
    live = LiveShaping(TextShaper(ShapingOptions(trailing_space=True)))
    assert live.final("", typed_live=False) == LiveUpdate("")


def test_a_long_dictations_partial_is_shaped_from_its_newest_words() -> None:
    live = LiveShaping(TextShaper())
    for _ in range(30):  # far more words than the preview looks back over
        live.commit(" we met at the station period")
    # The last full stop is held (a command after it could still take it), so it leads.
    pending = live.partial(" then platforms 1 and 3 comma").pending
    assert pending == ". Then platforms one and three,"
    live.commit(" then")
    assert live.partial(" platforms 1").pending == " platforms one"


def test_heard_is_the_settled_text_then_the_newest_guess_never_a_stale_one() -> None:
    # A cancelled dictation keeps what was heard: the window's text, no word twice.
    shaping = LiveShaping(TextShaper())
    assert shaping.heard == ""
    shaping.partial(" send the")
    assert shaping.heard == "Send the"
    shaping.commit(" send the")  # the guess settled: it must not follow itself
    assert shaping.heard == "Send the"
    shaping.partial(" report to")
    assert shaping.heard == "Send the report to"
    shaping.commit(" report")
    assert shaping.heard == "Send the report"
