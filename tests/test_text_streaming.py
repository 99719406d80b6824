"""Shaping the commit stream: split commands, held words, scratch-that backspaces, properties."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.text.shaper import ShapingOptions, TextShaper
from app.core.text.streaming import StreamingShaper, TextEdit, merge_final
from app.core.text.tokens import tokenize


def screen_after(
    commits: list[str], final: str, options: ShapingOptions | None = None
) -> tuple[str, int]:
    """What the focused app shows after typing every edit, and how many backspaces went out."""
    stream = StreamingShaper(TextShaper(options or ShapingOptions()))
    screen, erased = "", 0
    for edit in [*(stream.on_commit(c) for c in commits), stream.on_final(final)]:
        assert edit.erase <= len(screen)
        screen = screen[: len(screen) - edit.erase] + edit.text
        erased += edit.erase
    assert screen == stream.typed
    return screen, erased


def test_a_command_split_across_commits_still_works() -> None:
    stream = StreamingShaper(TextShaper())
    assert stream.on_commit(" Is it ready") == TextEdit(0, "Is it ready")
    assert stream.on_commit(" question") == TextEdit(0, "")  # may be "question mark"
    assert stream.held == "question"
    assert stream.on_commit(" mark? I hope") == TextEdit(0, "? I hope")
    assert stream.on_final("Is it ready question mark? I hope so.") == TextEdit(0, " so.")


def test_whisper_punctuation_waits_for_a_command_that_absorbs_it() -> None:
    stream = StreamingShaper(TextShaper())
    assert stream.on_commit(" Thanks for the report,") == TextEdit(0, "Thanks for the report")
    assert stream.on_commit(" comma,") == TextEdit(0, ",")
    assert stream.on_commit(" see you") == TextEdit(0, " see you")
    assert stream.on_final("Thanks for the report, comma, see you on Monday, period.").text == (
        " on Monday."
    )
    assert stream.typed == "Thanks for the report, see you on Monday."


def test_a_literal_command_waits_for_the_next_word() -> None:
    stream = StreamingShaper(TextShaper())
    stream.on_commit(" Avoid the")
    assert stream.on_commit(" comma") == TextEdit(0, "")
    assert stream.on_commit(" splice") == TextEdit(0, " comma splice")


def test_scratch_that_erases_exactly_the_typed_phrase() -> None:
    stream = StreamingShaper(TextShaper())
    assert stream.on_commit(" Dear Anna,") == TextEdit(0, "Dear Anna")
    assert stream.on_commit(" I will call you tomorrow") == TextEdit(
        0, ", I will call you tomorrow"
    )
    assert stream.on_commit(" scratch") == TextEdit(0, "")  # may be "scratch that"
    # …and "scratch that" waits for its next word: "scratch that off the list" is words.
    assert stream.on_commit(" that") == TextEdit(0, "")
    edit = stream.on_commit(" I will call tonight.")
    assert edit == TextEdit(len("you tomorrow"), "tonight")  # only what differs goes
    assert stream.typed == "Dear Anna, I will call tonight"
    assert stream.on_final("Dear Anna, I will call you tomorrow scratch that I will call tonight.")
    assert stream.typed == "Dear Anna, I will call tonight."


def test_final_that_re_decides_typed_words_adds_only_what_is_new() -> None:
    screen, erased = screen_after(
        [" Dear", " Sarah,", " please", " find the", " report attached"],
        "Dear Sarah Kamah, please find the report attached period.",
    )
    assert (screen, erased) == ("Dear Sarah, please find the report attached.", 0)


def test_merge_final_aligns_by_words() -> None:
    typed = tokenize("Hi John how are you")
    final = tokenize("Hi John, how are you question mark?")
    assert [t.text for t in merge_final(typed, final)] == [
        *["Hi", "John", "how", "are", "you"],
        *["question", "mark?"],
    ]
    assert merge_final([], final) == final


def test_no_trailing_space_after_a_final_new_line() -> None:
    stream = StreamingShaper(TextShaper())
    stream.on_commit(" Hello there")
    assert stream.on_final("Hello there new line", trailing_space=True) == TextEdit(0, "\n")


def test_trailing_space_goes_after_the_final_only() -> None:
    stream = StreamingShaper(TextShaper())
    stream.on_commit(" Hello there")
    assert stream.on_final("Hello there.", trailing_space=True) == TextEdit(0, ". ")
    assert stream.text == "Hello there."


def test_live_texts_from_tiny_en_match_shaping_the_final() -> None:
    # Commits and finals recorded from tiny.en on hibari-tts speech (docs/text-shaping.md).
    recorded = [
        (
            [" Thanks for the", " report,", " comma,"],
            "Thanks for the report, comma, see you on Monday, period.",
            "Thanks for the report, see you on Monday.",
        ),
        (
            [" Is it ready", " question", " Mark? I hope", " so"],
            "Is it ready question Mark? I hope so period.",
            "Is it ready? I hope so.",
        ),
        (
            [
                " I will",
                " call you",
                " tomorrow",
                " scratch that",
                " I will",
                " call you",
                " tonight",
            ],
            "I will call you tomorrow scratch that I will call you tonight period.",
            "I will call you tonight.",
        ),
        (
            [" She wrote", " open quote", " see you later", " close quote", " on the card"],
            "She wrote open quote see you later close quote on the card period.",
            'She wrote "see you later" on the card.',
        ),
    ]
    for commits, final, expected in recorded:
        assert screen_after(commits, final)[0] == expected


# -- properties ------------------------------------------------------------------------------

ORDINARY = ["hello", "world", "report", "see", "you", "Monday", "we", "need", "milk", "it", "is"]
ORDINARY += ["ready", "the", "a", "John", "time", "quick", "said", "go", "home", "today"]
COMMANDS = ["comma", "period", "question mark", "exclamation mark", "colon", "semicolon"]
COMMANDS += ["new line", "new paragraph", "open quote", "close quote", "open paren", "close paren"]
COMMANDS += ["full stop"]
COMMAND_WORDS = {w for c in COMMANDS for w in c.split()} | {"kama", "coma"}
WHISPER_MARKS = ["", "", "", ",", ".", "?"]

spoken = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(ORDINARY), st.sampled_from(WHISPER_MARKS)).map("".join),
        st.sampled_from(COMMANDS),
    ),
    min_size=1,
    max_size=25,
)


def ordinary_words(text: str) -> list[str]:
    words = [w.lower() for w in re.findall(r"[A-Za-z']+", text)]
    return [w for w in words if w not in COMMAND_WORDS]


@settings(max_examples=200, deadline=None)
@given(spoken)
def test_shaping_never_drops_words_that_are_not_commands(pieces: list[str]) -> None:
    heard = " ".join(pieces)
    assert ordinary_words(TextShaper().shape(heard)) == ordinary_words(heard)


@settings(max_examples=200, deadline=None)
@given(spoken, st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=30))
def test_streaming_types_the_shaped_final_without_backspaces(
    pieces: list[str], cuts: list[int]
) -> None:
    words = " ".join(pieces).split()
    commits, start = [], 0
    for size in cuts:
        if start < len(words):
            commits.append(" " + " ".join(words[start : start + size]))
            start += size
    final = " ".join(words)
    screen, erased = screen_after(commits, final)
    assert erased == 0
    assert screen == TextShaper().shape(final)


@settings(max_examples=200, deadline=None)
@given(spoken, spoken)
def test_scratch_that_removes_only_words_before_it(before: list[str], after: list[str]) -> None:
    shaped = TextShaper().shape(" ".join([*before, "period scratch that", *after]))
    words, said_before = ordinary_words(shaped), ordinary_words(" ".join(before))
    said_after = ordinary_words(" ".join(after))
    assert words[len(words) - len(said_after) :] == said_after
    kept = words[: len(words) - len(said_after)]
    assert kept == said_before[: len(kept)]


def test_a_list_of_numbers_is_typed_in_one_form_commit_by_commit() -> None:
    digits = ShapingOptions(numbers_as_digits=True)
    # "one," may still become "1," once a number follows: held, never typed and erased.
    assert screen_after([" One,", " two,", " three."], "One, two, three.", digits) == (
        "1, 2, 3.",
        0,
    )
    assert screen_after([" 1,", " 2,"], "1, 2, 3.") == ("One, two, three.", 0)
    assert screen_after([" No one", " came."], "No one came.", digits) == ("No one came.", 0)
