"""Snippets: a trigger said on its own becomes the stored text, exactly; inside a sentence, words.

The heard texts are written the way tiny.en writes hibari-tts dictation
(Whisper's capitals and guessed punctuation around the trigger).
"""

from __future__ import annotations

import pytest

from app.core.profiles.profile import Profile, apply_profile
from app.core.settings import Settings
from app.core.text.shaper import ShapingOptions, TextShaper
from app.core.text.streaming import StreamingShaper

ADDRESS = "Ada Lovelace\n12 St James's Square\nLondon SW1Y 4JH"
SIGNATURE = "Best regards,\nAda\n"
OPTIONS = ShapingOptions(
    snippets=(("insert my address", ADDRESS), ("insert my signature", SIGNATURE))
)

CASES: list[tuple[str, str]] = [
    # The whole dictation: exactly the text, none of Whisper's capitals or full stop.
    ("Insert my address.", ADDRESS),
    ("insert my address", ADDRESS),
    ("Insert my address!", ADDRESS),
    # As its own phrase after Whisper's punctuation, and before it.
    ("Please send it here. Insert my address.", "Please send it here. " + ADDRESS),
    ("Thanks, insert my signature", "Thanks, " + SIGNATURE),
    ("Insert my address, thanks.", ADDRESS + " thanks."),
    # Next to a spoken command, which makes it a phrase of its own.
    ("See you soon new line insert my signature", "See you soon\n" + SIGNATURE),
    ("Insert my address new paragraph Dear Sir", ADDRESS + "\n\nDear Sir"),
    # Inside a sentence the trigger is ordinary words.
    ("Please insert my address here.", "Please insert my address here."),
    ("You can insert my address later", "You can insert my address later"),
    ("Insert my address book entry.", "Insert my address book entry."),
    # Split by Whisper's punctuation: two phrases, no trigger.
    ("Insert, my address.", "Insert, my address."),
]


@pytest.mark.parametrize(("heard", "expected"), CASES)
def test_snippet_shaping(heard: str, expected: str) -> None:
    assert TextShaper(OPTIONS).shape(heard) == expected


def test_the_plain_style_keeps_the_snippets_own_full_stop() -> None:
    options = ShapingOptions(snippets=(("sign off", "Cheers."),), plain=True)
    assert TextShaper(options).shape("Sign off.") == "Cheers."


def test_scratch_that_removes_just_the_snippet() -> None:
    assert TextShaper(OPTIONS).shape("Hello. Insert my address. Scratch that.") == "Hello."


def test_without_snippets_the_words_stay() -> None:
    assert TextShaper().shape("Insert my address.") == "Insert my address."


def test_a_trigger_is_held_until_the_next_word_says_it_stands_alone() -> None:
    stream = StreamingShaper(TextShaper(OPTIONS))
    stream.on_commit(" Hello.")
    assert stream.typed == "Hello"  # the full stop waits, as for any command
    stream.on_commit(" Insert my")
    stream.on_commit(" address")  # "address book" would make it words
    assert stream.typed == "Hello"
    stream.on_final("Hello. Insert my address.")
    assert stream.typed == "Hello. " + ADDRESS


def test_a_live_trigger_inside_a_sentence_is_typed_as_words() -> None:
    stream = StreamingShaper(TextShaper(OPTIONS))
    stream.on_commit(" Insert my address book")
    stream.on_commit(" entry.")
    assert stream.typed == "Insert my address book entry"


def test_settings_check_the_snippets() -> None:
    with pytest.raises(ValueError, match="has no words to say"):
        Settings(snippets=(("...", "text"),))
    with pytest.raises(ValueError, match="has no text"):
        Settings(snippets=(("sign off", "  "),))
    assert Settings(snippets=(("sign off", "Cheers"),)).snippets == (("sign off", "Cheers"),)


def test_a_profile_snippet_extends_the_global_ones_and_wins_on_the_same_trigger() -> None:
    settings = Settings(snippets=(("insert my address", "home"), ("sign off", "Cheers")))
    profile = Profile(
        "Work",
        window_class="thunderbird",
        overrides={"snippets": (("insert my address", "office"),)},
    )
    shaper = TextShaper(apply_profile(profile, settings).shaping_options())
    assert shaper.shape("Insert my address.") == "office"
    assert shaper.shape("Sign off.") == "Cheers"


def test_a_profile_with_its_own_words_has_only_its_own_snippets() -> None:
    settings = Settings(snippets=(("sign off", "Cheers"),))
    profile = Profile(
        "Code",
        window_class="code",
        overrides={"words": "own", "snippets": (("insert header", "# header"),)},
    )
    shaper = TextShaper(apply_profile(profile, settings).shaping_options())
    assert shaper.shape("Sign off.") == "Sign off."
    assert shaper.shape("Insert header.") == "# header"
