"""The shaping rules, one case per row: what Whisper wrote → what the user gets.

Most inputs are tiny.en's own transcripts of hibari-tts dictation (see
docs/text-shaping.md), so the rows pin the behaviour on real model output,
Whisper's punctuation and mishearings included.
"""

from __future__ import annotations

import pytest

from app.core.settings import Settings
from app.core.text.shaper import ShapingOptions, TextShaper

DEFAULT = ShapingOptions()
EVERYTHING = ShapingOptions(
    remove_fillers=True,
    numbers_as_digits=True,
    replacements=(("saytype", "Saytype"), ("open ai", "OpenAI"), ("gonna", "going to")),
)
NO_COMMANDS = ShapingOptions(spoken_commands=False)

CASES: list[tuple[str, str, ShapingOptions]] = [
    # Punctuation commands, with Whisper's own punctuation around them absorbed.
    (
        "Thanks for the report, comma, see you on Monday, period.",
        "Thanks for the report, see you on Monday.",
        DEFAULT,
    ),
    ("Hello comma world", "Hello, world", DEFAULT),
    ("Hello, comma world.", "Hello, world.", DEFAULT),
    ("Can you send me the file question mark?", "Can you send me the file?", DEFAULT),
    ("Is it ready question, Mark? I hope so, period.", "Is it ready? I hope so.", DEFAULT),
    ("That is amazing exclamation mark.", "That is amazing!", DEFAULT),
    ("Wow exclamation point", "Wow!", DEFAULT),
    ("Note colon the office is closed.", "Note: the office is closed.", DEFAULT),
    ("I came comma I saw semicolon I left full stop.", "I came, I saw; I left.", DEFAULT),
    ("It was late semi colon we left", "It was late; we left", DEFAULT),
    ("We are done fullstop", "We are done.", DEFAULT),
    ("It is ready-period.", "It is ready.", DEFAULT),
    # tiny.en runs "comma" onto the word before (held to talk, a helper's "weathercomma,").
    (
        "About the weathercomma, which has been rainy all weekcomma, and green",
        "About the weather, which has been rainy all week, and green",
        DEFAULT,
    ),
    ("Glaucoma and a dilemma", "Glaucoma and a dilemma", DEFAULT),  # real words stay whole
    # A digit beside another number is part of it: not "Flight nine 47 … six 45".
    ("Flight 9 47 leaves at 6 45.", "Flight 9 47 leaves at 6 45.", DEFAULT),
    ("Pick 1, 2 or 3.", "Pick one, two or three.", DEFAULT),  # a list: each on its own
    (
        "Hello, Peter Kama. I hope you are well-period.",
        "Hello, Peter, I hope you are well.",
        DEFAULT,
    ),
    ("Hi, John Coma. How are you? Question mark.", "Hi, John, how are you?", DEFAULT),
    ("Dear Sarah Kamah, please call", "Dear Sarah, please call", DEFAULT),
    ("Thanks, Kamma Anna.", "Thanks, Anna.", DEFAULT),
    ("What time is it question market", "What time is it?", DEFAULT),
    (
        "See you soon, period. Best regards, Coma John.",
        "See you soon. Best regards, John.",
        DEFAULT,
    ),
    ("We need milk comma eggs comma and bread period", "We need milk, eggs, and bread.", DEFAULT),
    ("Comma at the start", ", at the start", DEFAULT),
    ("wait comma period", "Wait,.", DEFAULT),
    # Capitals: after a spoken sentence end, and Whisper's guessed capital undone.
    ("it works period and it is fast period", "It works. And it is fast.", DEFAULT),
    ("Thanks. Comma. See you", "Thanks, see you", DEFAULT),
    ("Yes. Comma. I know", "Yes, I know", DEFAULT),
    ("Ready question mark yes", "Ready? Yes", DEFAULT),
    # Literal uses stay as they are.
    ("Use the comma splice sparingly.", "Use the comma splice sparingly.", DEFAULT),
    ("Put a comma after the greeting.", "Put a comma after the greeting.", DEFAULT),
    (
        "The period of the contract is two years.",
        "The period of the contract is two years.",
        DEFAULT,
    ),
    ("A period of calm followed", "A period of calm followed", DEFAULT),
    ("The question mark at the end is wrong.", "The question mark at the end is wrong.", DEFAULT),
    ("Add a new line after each item.", "Add a new line after each item.", DEFAULT),
    (
        "A coma is a deep state of unconsciousness.",
        "A coma is a deep state of unconsciousness.",
        DEFAULT,
    ),
    ("The full stop goes inside the quotes.", "The full stop goes inside the quotes.", DEFAULT),
    ("Export comma separated values", "Export comma separated values", DEFAULT),
    ("There is no space left", "There is no space left", DEFAULT),
    ("The colon is an organ", "The colon is an organ", DEFAULT),
    ("Put on the cap please", "Put on the cap please", DEFAULT),
    ("Write each new paragraph slowly", "Write each new paragraph slowly", DEFAULT),
    # Breaks.
    ("First line new line second line period", "First line\nSecond line.", DEFAULT),
    ("Dear team new paragraph, the release is ready", "Dear team\n\nThe release is ready", DEFAULT),
    (
        "Dear Team new paragraph, the release is ready-period new paragraph. Thanks, comma, Anna.",
        "Dear Team\n\nThe release is ready.\n\nThanks, Anna.",
        DEFAULT,
    ),
    ("Buy milk newline buy eggs", "Buy milk\nBuy eggs", DEFAULT),
    ("Items new-line one", "Items\nOne", DEFAULT),
    # Quotes and brackets.
    (
        "She wrote open quote, see you later close quote on the card period.",
        'She wrote "see you later" on the card.',
        DEFAULT,
    ),
    (
        "Call me open parent or text me close parent after lunch period.",
        "Call me (or text me) after lunch.",
        DEFAULT,
    ),
    (
        "The meeting open paren the long one close paren starts",
        "The meeting (the long one) starts",
        DEFAULT,
    ),
    ("He said open quote hello their close quote", 'He said "hello their"', DEFAULT),
    ("open quote hi close quote he said", '"Hi" he said', DEFAULT),
    # Whisper's comma at the pause before "close quote" was kept inside: "hello,"!
    (
        "He said, open quote, hello, close quote, exclamation mark.",
        'He said, "hello"!',
        DEFAULT,
    ),
    ("Call me open paren, maybe, close paren later.", "Call me (maybe) later.", DEFAULT),
    # Word commands.
    ("The word cap paris is a city period", "The word Paris is a city.", DEFAULT),
    ("This is all caps urgent period", "This is URGENT.", DEFAULT),
    ("This is All Cap's Urgent Period.", "This is URGENT.", DEFAULT),
    ("Your username is john no space smith period", "Your username is johnsmith.", DEFAULT),
    ("Type the e-mail no space address now.", "Type the e-mailaddress now.", DEFAULT),
    ("Just say cap", "Just say cap", DEFAULT),
    # Scratch that.
    (
        "I will call you tomorrow scratch that I will call you tonight period.",
        "I will call you tonight.",
        DEFAULT,
    ),
    ("Send it to Mark's scratch that send it to Paul Period.", "Send it to Paul.", DEFAULT),
    ("Hello comma world scratch that there", "Hello, there", DEFAULT),
    ("One. Two, scratch that", "One.", DEFAULT),
    ("Hello comma scratch that Hi", "Hi", DEFAULT),
    ("Scratch that", "", DEFAULT),
    ("Done period scratch that scratch that", "", DEFAULT),
    ("Yes period no scratch that maybe", "Yes. Maybe", DEFAULT),
    # …and "scratch that" as a verb and its object stays words (it deleted them once).
    (
        "I really need to scratch that itch on my back.",
        "I really need to scratch that itch on my back.",
        DEFAULT,
    ),
    ("Please scratch that off the list.", "Please scratch that off the list.", DEFAULT),
    (
        "The surgeon removed part of his colon last year.",
        "The surgeon removed part of his colon last year.",
        DEFAULT,
    ),
    (
        "We should scratch that item from the agenda.",
        "We should scratch that item from the agenda.",
        DEFAULT,
    ),
    ("Buy bread scratch that out of the plan", "Buy bread scratch that out of the plan", DEFAULT),
    # Spoken commands off: words stay words.
    ("Hello comma world period", "Hello comma world period", NO_COMMANDS),
    ("I said scratch that", "I said scratch that", NO_COMMANDS),
    # Capitalise the first word, or not.
    ("hello there", "Hello there", DEFAULT),
    ("hello there", "hello there", ShapingOptions(capitalize_first=False)),
    # Replacements: whole words, any case heard, the user's capitals kept.
    ("I use saytype daily", "I use Saytype daily", EVERYTHING),
    ("SAYTYPE, please.", "Saytype, please.", EVERYTHING),
    ("saytypes are rare", "Saytypes are rare", EVERYTHING),
    ("We met open ai today", "We met OpenAI today", EVERYTHING),
    ("Open, AI is two words", "Open, AI is 2 words", EVERYTHING),
    ("Gonna be late", "Going to be late", EVERYTHING),
    ("we are gonna win", "We are going to win", EVERYTHING),
    # Fillers.
    ("So, um, I think we should go.", "So, I think we should go.", EVERYTHING),
    ("Um I think uh we should go period", "I think we should go.", EVERYTHING),
    ("I think, um.", "I think.", EVERYTHING),
    ("Um. Hmm", "", EVERYTHING),
    ("Um, yes", "Um, yes", DEFAULT),
    # Numbers as digits.
    (
        "We sold one hundred and twenty five copies comma not ninety",
        "We sold 125 copies, not 90",
        EVERYTHING,
    ),
    ("twenty-five people came", "25 people came", EVERYTHING),
    ("It costs three point one four dollars", "It costs 3.14 dollars", EVERYTHING),
    ("Growth was twenty percent.", "Growth was 20%.", EVERYTHING),
    ("A hundred people and a thousand cars", "100 people and 1000 cars", EVERYTHING),
    ("two million three hundred thousand", "2300000", EVERYTHING),
    ("No one came", "No one came", EVERYTHING),
    ("one two three", "1 2 3", EVERYTHING),
    ("One, two, three.", "1, 2, 3.", EVERYTHING),
    ("1, 2, 3.", "1, 2, 3.", EVERYTHING),
    ("Chapter 1 is short.", "Chapter 1 is short.", EVERYTHING),
    # Numbers as digits off: Whisper's lone digits are spelled out, so a short live
    # window's "1, 2, 3." reads as a whole recording's "One, two, three.".
    ("1, 2, 3.", "One, two, three.", ShapingOptions()),
    ("One, two, three.", "One, two, three.", ShapingOptions()),
    (
        "I have 3 dogs and 2.5 cats at 3:30, 5% off.",
        "I have three dogs and 2.5 cats at 3:30, 5% off.",
        ShapingOptions(),
    ),
    ("It costs 10 dollars.", "It costs 10 dollars.", ShapingOptions()),
    ("I have two cats and one dog", "I have 2 cats and one dog", EVERYTHING),
    ("twenty three hundred hours", "2300 hours", EVERYTHING),
    ("Call me at 5 o'clock", "Call me at 5 o'clock", EVERYTHING),
    ("twenty three", "Twenty three", DEFAULT),
    # No default replacement rewrites what was said (decision 0057).
    (
        "When I say type it again, I mean the whole page.",
        "When I say type it again, I mean the whole page.",
        ShapingOptions.from_settings(Settings()),
    ),
]


@pytest.mark.parametrize(("heard", "expected", "options"), CASES)
def test_shaping(heard: str, expected: str, options: ShapingOptions) -> None:
    assert TextShaper(options).shape(heard) == expected


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 60


def test_from_settings_reads_every_option() -> None:
    settings = Settings(
        spoken_commands=False,
        replacements=(("a", "b"),),
        capitalize_first=False,
        remove_fillers=True,
        numbers_as_digits=True,
        trailing_space=True,
    )
    assert ShapingOptions.from_settings(settings) == ShapingOptions(
        spoken_commands=False,
        replacements=(("a", "b"),),
        capitalize_first=False,
        remove_fillers=True,
        numbers_as_digits=True,
        trailing_space=True,
    )
