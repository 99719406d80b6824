"""Segments in, sentences and paragraphs out: the joining rule of app/core/text/paragraphs.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.engine.transcript import Segment, Transcript
from app.core.text.paragraphs import (
    PARAGRAPH_PAUSE_S,
    continue_sentences,
    ends_sentence,
    paragraph_text,
    paragraphs,
    with_paragraphs,
)
from app.core.text.shaper import ShapingOptions, TextShaper


def timed(*texts: str, gap: float = 0.0) -> list[Segment]:
    """Segments of two seconds each, ``gap`` seconds apart."""
    return [Segment(i * (2 + gap), i * (2 + gap) + 2, text) for i, text in enumerate(texts)]


def test_segments_that_continue_a_sentence_run_on_without_whisper_capitals() -> None:
    segments = timed(
        "And so, my fellow Americans, ask not what your country can do for you",
        "Ask what you can do for your country.",
        "There was nothing going on, nothing going",
        "Else going on.",
    )
    assert paragraph_text(segments) == (
        "And so, my fellow Americans, ask not what your country can do for you "
        "ask what you can do for your country. There was nothing going on, "
        "nothing going else going on."
    )


def test_a_segment_after_a_sentence_end_keeps_its_capital() -> None:
    for ending in ("Done.", "Done?", "Done!", "Done…", 'He said "done."', "(Done.)", "Done..."):
        segments = timed(ending, "Next one")
        assert continue_sentences(segments)[1].text == "Next one", ending


@pytest.mark.parametrize(
    ("first_word", "written"),
    [
        ("I", "I"),
        ("I'm", "I'm"),
        ("I\u2019ll", "I\u2019ll"),
        ("NASA", "NASA"),
        ("TV", "TV"),
        ("McDonald's", "McDonald's"),
        ("Paris", "Paris"),  # capitalised mid-sentence elsewhere in the transcript: a name
        ("Else", "else"),
        ("Ask,", "ask,"),
        ('"Quiet"', '"quiet"'),
    ],
)
def test_only_a_plain_sentence_capital_is_lowered(first_word: str, written: str) -> None:
    segments = timed("We flew to Paris and then", f"{first_word} went home")
    assert continue_sentences(segments)[1].text == f"{written} went home"


def test_a_pause_after_a_sentence_end_starts_a_paragraph() -> None:
    segments = [
        Segment(0.0, 2.0, "The meeting is over."),
        Segment(2.2, 4.0, "Thanks for coming."),
        Segment(4.0 + PARAGRAPH_PAUSE_S, 7.0, "Next, the budget."),
    ]
    assert paragraph_text(segments) == (
        "The meeting is over. Thanks for coming.\n\nNext, the budget."
    )
    assert [len(p.segments) for p in paragraphs(segments)] == [2, 1]


def test_a_pause_inside_a_sentence_is_a_hesitation_not_a_paragraph() -> None:
    segments = timed("I think that we should", "Probably wait.", gap=3.0)
    assert paragraph_text(segments) == "I think that we should probably wait."


def test_a_change_of_speaker_starts_a_paragraph_and_keeps_the_capital() -> None:
    segments = [
        Segment(0.0, 2.0, "So what do we do", speaker="A"),
        Segment(2.0, 4.0, "We wait.", speaker="B"),
        Segment(4.0, 6.0, "Fine.", speaker="A"),
    ]
    assert paragraph_text(segments) == "So what do we do\n\nWe wait.\n\nFine."


def test_empty_segments_are_skipped_but_keep_their_place() -> None:
    segments = [Segment(0, 1, "Nothing going"), Segment(1, 2, ""), Segment(2, 3, "Else.")]
    continued = continue_sentences(segments)
    assert [s.text for s in continued] == ["Nothing going", "", "else."]
    assert [(s.start, s.end) for s in continued] == [(0, 1), (1, 2), (2, 3)]
    assert paragraph_text(segments) == "Nothing going else."
    assert paragraph_text([Segment(0, 1, "  ")]) == ""


def test_a_line_break_the_shaper_wrote_ends_a_sentence_and_needs_no_space() -> None:
    shaped = timed("First point.\n\n", "Second point")
    assert ends_sentence(shaped[0].text)
    assert paragraph_text(shaped) == "First point.\n\nSecond point"
    after_a_pause = [Segment(0, 2, "First point.\n\n"), Segment(5, 6, "Second point")]
    assert paragraph_text(after_a_pause) == "First point.\n\nSecond point"


def test_with_paragraphs_makes_text_and_segments_agree() -> None:
    transcript = Transcript(
        text="ignored",
        segments=tuple(timed("Nothing going", "Else going on.", "Fine.", gap=2.0)),
        language="en",
        duration=12.0,
        model_name="tiny.en",
        elapsed_s=0.1,
    )
    arranged = with_paragraphs(transcript)
    assert arranged.text == "Nothing going else going on.\n\nFine."
    assert [s.text for s in arranged.segments] == ["Nothing going", "else going on.", "Fine."]
    assert with_paragraphs(arranged) == arranged


def test_the_shaper_capital_on_a_continuing_segment_is_undone() -> None:
    transcript = Transcript(
        text="",
        segments=tuple(timed("there was nothing going", "else going on")),
        language="en",
        duration=4.0,
        model_name="tiny.en",
        elapsed_s=0.1,
    )
    shaped = TextShaper().shape_transcript(transcript)
    assert [s.text for s in shaped.segments] == ["There was nothing going", "else going on"]
    assert shaped.text == "There was nothing going else going on"


def transcript_of(*texts: str) -> Transcript:
    return Transcript(
        text="",
        segments=tuple(timed(*texts)),
        language="en",
        duration=2.0 * len(texts),
        model_name="tiny.en",
        elapsed_s=0.1,
    )


def test_a_command_heard_as_a_segment_of_its_own_acts_on_the_segment_before() -> None:
    raw = transcript_of("I like apples.", "Scratch that.", "I like oranges.", "Full stop.")
    shaped = TextShaper().shape_transcript(raw)
    assert shaped.text == "I like oranges."  # what dictating it live gives
    spans = [(s.start, s.end, s.text) for s in shaped.segments]
    assert spans == [
        (raw.segments[0].start, raw.segments[1].end, ""),
        (raw.segments[2].start, raw.segments[3].end, "I like oranges."),
    ]
    asked = TextShaper().shape_transcript(transcript_of("Call me tomorrow.", "Question mark."))
    assert asked.text == "Call me tomorrow?"
    assert len(asked.segments) == 1


def test_commands_acting_forward_or_turned_off_keep_the_segments_apart() -> None:
    raw = transcript_of("Meet me in", "cap london tomorrow.")
    assert len(TextShaper().shape_transcript(raw).segments) == 2
    plain = TextShaper(ShapingOptions(spoken_commands=False))
    kept = plain.shape_transcript(transcript_of("Call me tomorrow.", "Question mark."))
    assert [s.text for s in kept.segments] == ["Call me tomorrow.", "Question mark."]


WORDS = st.sampled_from(["Else", "else", "I", "NASA", "Paris", "going", "on.", "now,", "Yes?"])


@given(st.lists(st.lists(WORDS, min_size=0, max_size=5).map(" ".join), max_size=8))
def test_joining_is_stable_and_keeps_every_word(texts: list[str]) -> None:
    segments = timed(*texts, gap=PARAGRAPH_PAUSE_S)
    continued = continue_sentences(segments)
    assert continue_sentences(continued) == continued
    text = paragraph_text(segments)
    assert text.lower().split() == " ".join(texts).lower().split()
    assert text == text.strip()
    assert all(paragraph.strip() for paragraph in text.split("\n\n") if text)
