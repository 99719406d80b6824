"""Exporters render txt, srt, vtt and json exactly, and write them atomically in UTF-8.

The rendered formats are compared byte for byte with the golden files in
``tests/golden/``. After an intended change to an exporter, regenerate them with::

    SAYTYPE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_exporters.py

then read the diff of ``tests/golden/`` before committing it: the goldens are only
worth something if a person has checked them against the SubRip and WebVTT specs.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.engine.transcript import Segment, Transcript
from app.core.output.exporters import (
    FORMATS,
    ExportError,
    export,
    format_timestamp,
    render,
    to_json_object,
    to_vtt,
)
from app.core.output.subtitles import MAX_LINE_CHARS, MAX_LINES, build_cues, wrap_words
from tests.support.transcripts import transcript_of

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("SAYTYPE_UPDATE_GOLDEN") == "1"

LONG_SENTENCE = (
    "This sentence is deliberately long, so that it cannot fit into one subtitle cue "
    "of two lines and must be split across several cues instead."
)
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis-is-a-very-long-word"
NON_ASCII = "Café naïve façade, 東京で会いましょう 🎉"


def sample_transcript() -> Transcript:
    """A transcript that exercises every edge the exporters must handle."""
    segments = (
        Segment(0.0, 2.5, "Hello, world."),
        Segment(2.5, 9.0, LONG_SENTENCE),
        Segment(9.0, 12.0, NON_ASCII),
        Segment(12.0, 12.5, ""),
        Segment(12.5, 16.0, f"{LONG_WORD} ends here."),
        Segment(3723.4567, 3725.0, "Over an hour in."),
    )
    return Transcript(
        text=" ".join(segment.text for segment in segments if segment.text),
        segments=segments,
        language="en",
        duration=3725.0,
        model_name="tiny.en",
        elapsed_s=1.25,
        source="sample.wav",
    )


def test_sample_covers_the_edges_it_claims_to() -> None:
    # Guards the golden tests: if the sample lost an edge case, they would prove less.
    assert len(LONG_SENTENCE) > MAX_LINE_CHARS * MAX_LINES
    assert len(LONG_WORD) > MAX_LINE_CHARS
    assert not NON_ASCII.isascii()
    assert any(not segment.text for segment in sample_transcript().segments)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_matches_golden_file_byte_for_byte(fmt: str) -> None:
    golden = GOLDEN_DIR / f"sample.{fmt}"
    rendered = render(sample_transcript(), fmt).encode("utf-8")
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(rendered)
    assert rendered == golden.read_bytes()


def test_srt_shows_a_time_past_one_hour_with_hours_field() -> None:
    srt = render(sample_transcript(), "srt")
    assert "01:02:03,457 --> 01:02:05,000" in srt


def test_vtt_starts_with_header_and_uses_dot_millisecond_marker() -> None:
    vtt = render(sample_transcript(), "vtt")
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello, world.\n")
    assert "01:02:03.457 --> 01:02:05.000" in vtt


def test_long_segment_becomes_several_cues_sharing_its_time_span() -> None:
    cues = build_cues([Segment(2.5, 9.0, LONG_SENTENCE)])
    assert len(cues) >= 2
    assert cues[0].start == 2.5
    assert cues[-1].end == 9.0
    for earlier, later in itertools.pairwise(cues):
        assert earlier.end == later.start


def test_a_segment_is_shared_evenly_among_its_cues_at_a_sentences_end() -> None:
    # Cues filled one after the other left "what" alone on screen for half a second.
    said = "Would you please turn on the living room lamp? And so my fellow Americans ask not what"
    cues = build_cues([Segment(0.0, 10.0, said)])
    assert [cue.lines for cue in cues] == [
        ("Would you please turn", "on the living room lamp?"),
        ("And so my fellow Americans ask not what",),
    ]


def test_a_segment_gets_no_more_cues_than_filling_them_would_give() -> None:
    # A remote engine may return one segment for an hour of speech (9000 words): evening
    # the parts out must neither add cues nor take time that grows faster than the words.
    words = ("will meet tomorrow yes okay. and so my fellow Americans ask not what " * 900).split()
    text = " ".join(words)
    cues = build_cues([Segment(0.0, 3600.0, text)])
    filled = -(-len(wrap_words(text)) // MAX_LINES)
    assert len(cues) == filled
    assert " ".join(line for cue in cues for line in cue.lines).split() == words
    with pytest.raises(ValueError, match="at least one line"):
        build_cues([Segment(0.0, 1.0, "a b c")], max_lines=0)


def test_word_longer_than_a_line_is_cut_into_line_sized_pieces() -> None:
    lines = wrap_words(LONG_WORD)
    assert "".join(lines) == LONG_WORD
    assert all(len(line) <= MAX_LINE_CHARS for line in lines)
    assert lines[0] == LONG_WORD[:MAX_LINE_CHARS]


def test_txt_runs_sentences_on_and_breaks_paragraphs_at_long_pauses() -> None:
    txt = render(sample_transcript(), "txt")
    paragraphs = txt.removesuffix("\n").split("\n\n")
    assert len(paragraphs) == 2  # the hour-long gap before "Over an hour in."
    assert paragraphs[1] == "Over an hour in."
    assert "\n" not in paragraphs[0]
    assert "  " not in txt  # the empty segment leaves no trace


def whisper_like_transcript() -> Transcript:
    """Segments as Whisper writes them: each with a capital, cut mid-sentence."""
    return transcript_of(
        Segment(0.0, 3.0, "And so, my fellow Americans, ask not what your country can do for you"),
        Segment(3.0, 6.0, "Ask what you can do for your country."),
        Segment(6.5, 9.0, "There was nothing going on, nothing going"),
        Segment(9.0, 10.0, "Else going on."),
        Segment(12.0, 14.0, "NASA called."),
        elapsed_s=0.5,
    )


@pytest.mark.parametrize("transcript", [sample_transcript(), whisper_like_transcript()])
def test_txt_and_json_text_are_the_same_and_made_of_the_json_segments(
    transcript: Transcript,
) -> None:
    txt = render(transcript, "txt")
    document = json.loads(render(transcript, "json"))
    assert document["text"] == txt.removesuffix("\n")
    joined = " ".join(segment["text"] for segment in document["segments"])
    assert joined.split() == document["text"].split()


def test_json_text_joins_whisper_segments_into_sentences_and_paragraphs() -> None:
    document = json.loads(render(whisper_like_transcript(), "json"))
    assert document["text"] == (
        "And so, my fellow Americans, ask not what your country can do for you ask what you "
        "can do for your country. There was nothing going on, nothing going else going on."
        "\n\nNASA called."
    )
    assert document["segments"][3] == {"start": 9.0, "end": 10.0, "text": "else going on."}


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitles_keep_a_cue_per_segment_without_mid_sentence_capitals(fmt: str) -> None:
    rendered = render(whisper_like_transcript(), fmt)
    assert "\nask what you can do for your country.\n" in rendered
    assert "\nelse going on.\n" in rendered
    assert "Else" not in rendered
    assert "\nNASA called.\n" in rendered
    assert rendered.count("-->") == 5  # one cue per segment: each fits on two lines


def test_json_keeps_the_cli_contract() -> None:
    document = json.loads(render(sample_transcript(), "json"))
    assert set(document) == {
        "file",
        "text",
        "segments",
        "language",
        "duration",
        "model",
        "complete",
        "cut_short",
    }
    assert document["file"] == "sample.wav"
    assert document["segments"][5] == {"start": 3723.457, "end": 3725.0, "text": "Over an hour in."}
    assert document["segments"][2]["text"] == NON_ASCII


def test_json_object_file_argument_overrides_transcript_source() -> None:
    assert to_json_object(sample_transcript(), file="other.flac")["file"] == "other.flac"


def test_render_rejects_an_unknown_format_and_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown format 'docx'.*txt, srt, vtt, json"):
        render(sample_transcript(), "docx")


@pytest.mark.parametrize(
    ("seconds", "marker", "expected"),
    [
        (0.0, ",", "00:00:00,000"),
        (3723.4567, ",", "01:02:03,457"),
        (3723.4567, ".", "01:02:03.457"),
        (59.9995, ".", "00:01:00.000"),
        (59.9994, ".", "00:00:59.999"),
        (3599.9996, ".", "01:00:00.000"),
        (100 * 3600.0, ".", "100:00:00.000"),
        (-0.0004, ".", "00:00:00.000"),
        (-5.0, ",", "00:00:00,000"),
    ],
)
def test_format_timestamp_rounds_to_the_millisecond(
    seconds: float, marker: str, expected: str
) -> None:
    assert format_timestamp(seconds, marker) == expected


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir() if entry.name not in keep)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder of its own, so leftover checks see only what the export wrote."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_utf8_and_leaves_no_temporary_file(out_dir: Path, fmt: str) -> None:
    target = out_dir / f"out.{fmt}"
    export(sample_transcript(), fmt, target)
    assert target.read_bytes() == render(sample_transcript(), fmt).encode("utf-8")
    assert _leftovers(out_dir, {target.name}) == []


def test_export_creates_missing_parent_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    export(sample_transcript(), "txt", target)
    assert target.read_text(encoding="utf-8") == render(sample_transcript(), "txt")


def test_export_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old contents that are longer than nothing\n", encoding="utf-8")
    export(sample_transcript(), "txt", target)
    assert target.read_text(encoding="utf-8") == render(sample_transcript(), "txt")


def test_export_under_a_regular_file_raises_export_error_naming_the_path(
    tmp_path: Path,
) -> None:
    # Tests run as root, so a chmod-ed folder would still be writable; a file as parent is not.
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "out.srt"
    with pytest.raises(ExportError) as raised:
        export(sample_transcript(), "srt", target)
    message = str(raised.value)
    assert str(target) in message
    assert "cannot write" in message
    assert "\n" not in message
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_export_onto_a_folder_raises_export_error_and_cleans_up(out_dir: Path) -> None:
    target = out_dir / "out.vtt"
    target.mkdir()
    with pytest.raises(ExportError, match="cannot write"):
        export(sample_transcript(), "vtt", target)
    assert target.is_dir()
    assert _leftovers(out_dir, {target.name}) == []


def test_failed_write_keeps_the_previous_file_and_removes_the_temporary(
    out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = out_dir / "out.json"
    target.write_text("previous good export\n", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ExportError, match="no space left on the disk"):
        export(sample_transcript(), "json", target)
    assert target.read_text(encoding="utf-8") == "previous good export\n"
    assert _leftovers(out_dir, {target.name}) == []


# --- Properties of cue building -------------------------------------------------------

_words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
    min_size=1,
    max_size=60,
)
_texts = st.one_of(
    st.lists(_words, max_size=40).map(" ".join),
    st.text(max_size=300),
)
_times = st.floats(min_value=0.0, max_value=100_000.0, allow_nan=False, allow_infinity=False)
_spans = st.floats(min_value=0.0, max_value=10_000.0, allow_nan=False, allow_infinity=False)


@given(text=_texts, start=_times, span=_spans)
def test_cues_fit_the_screen_stay_in_the_segment_and_keep_every_character(
    text: str, start: float, span: float
) -> None:
    segment = Segment(start, start + span, text)
    cues = build_cues([segment])

    for cue in cues:
        assert 1 <= len(cue.lines) <= MAX_LINES
        for line in cue.lines:
            assert 0 < len(line) <= MAX_LINE_CHARS
            assert line == line.strip()
        assert segment.start <= cue.start <= cue.end <= segment.end
    for earlier, later in itertools.pairwise(cues):
        assert earlier.end <= later.start
    if cues:
        assert cues[0].start == segment.start
        assert cues[-1].end == segment.end

    spoken = "".join(text.split())
    shown = "".join("".join(line.split()) for cue in cues for line in cue.lines)
    assert shown == spoken


def test_vtt_escapes_markup_in_spoken_text() -> None:
    transcript = Transcript(
        text="",
        segments=(Segment(0.0, 2.0, "R&D said x<y --> done"),),
        language="en",
        duration=2.0,
        model_name="tiny.en",
        elapsed_s=0.1,
    )
    rendered = to_vtt(transcript)
    assert "R&amp;D said x&lt;y --&gt; done" in rendered
    assert rendered.count("-->") == 1


def test_cue_never_ends_before_it_starts() -> None:
    cues = build_cues([Segment(5.0, 4.0, "backwards timestamps from a model")])
    assert all(cue.end >= cue.start for cue in cues)
