"""Chords: friendly input parses, one canonical form prints, and bad input says why."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.hotkeys.chord import (
    DEFAULT_CHORD,
    MODIFIER_ORDER,
    Chord,
    canonical_chord,
    display_chord,
    format_chord,
    modifier_of,
    normalize_key,
    parse_chord,
    physical_key,
)

NAMED_KEYS = [
    "space",
    "enter",
    "tab",
    "esc",
    "backspace",
    "insert",
    "delete",
    "home",
    "end",
    "page_up",
    "page_down",
    "up",
    "down",
    "left",
    "right",
    "f1",
    "f12",
    "f24",
    "pause",
    "print_screen",
    "menu",
]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Ctrl+Shift+Space", "ctrl+shift+space"),
        ("ctrl+shift+space", "ctrl+shift+space"),
        ("shift+ctrl+space", "ctrl+shift+space"),
        ("control+space", "ctrl+space"),
        ("<ctrl>+<shift>+space", "ctrl+shift+space"),
        ("<ctrl>+<alt>+h", "ctrl+alt+h"),
        (" Ctrl + Alt + Delete ", "ctrl+alt+delete"),
        ("cmd+k", "super+k"),
        ("Win+K", "super+k"),
        ("meta+shift+K", "shift+super+k"),
        ("super+alt+ctrl+shift+f5", "ctrl+alt+shift+super+f5"),
        ("ctrl_r+space", "ctrl+space"),
        ("AltGr+q", "altgr+q"),
        ("alt_gr+q", "altgr+q"),
        ("ctrl+Return", "ctrl+enter"),
        ("ctrl+Escape", "ctrl+esc"),
        ("alt+PgDn", "alt+page_down"),
        ("alt+Page Up", "alt+page_up"),
        ("ctrl+Print", "ctrl+print_screen"),
        ("ctrl+/", "ctrl+/"),
        ("ctrl+1", "ctrl+1"),
        ("ctrl++", "ctrl++"),
        ("ctrl+plus", "ctrl++"),
        ("F9", "f9"),
        ("pause", "pause"),
        ("shift+f1", "shift+f1"),
    ],
)
def test_friendly_input_parses_to_the_canonical_form(text: str, canonical: str) -> None:
    chord = parse_chord(text)
    assert str(chord) == canonical
    assert format_chord(chord) == canonical


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("ctrl+shift+space", "Ctrl+Shift+Space"),
        ("super+alt+page_up", "Alt+Super+Page Up"),
        ("ctrl+print_screen", "Ctrl+Print Screen"),
        ("ctrl+esc", "Ctrl+Esc"),
        ("altgr+q", "AltGr+Q"),
        ("ctrl+f12", "Ctrl+F12"),
        ("ctrl+/", "Ctrl+/"),
    ],
)
def test_display_form(text: str, shown: str) -> None:
    assert display_chord(parse_chord(text)) == shown


def test_the_default_is_ctrl_shift_space() -> None:
    assert parse_chord("Ctrl+Shift+Space") == DEFAULT_CHORD
    assert Chord(frozenset({"ctrl", "shift"}), "space") == DEFAULT_CHORD


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ctrl+shift", "needs a key"),
        ("ctrl+a+b", "more than one key"),
        ("ctrl+banana", "Unknown key 'banana'"),
        ("ctrl+caps_lock", "Unknown key"),
        ("ctrl++shift+a", "empty part"),
        ("space", "would fire while you type"),
        ("a", "would fire while you type"),
        ("shift+a", "would fire while you type"),
        ("esc", "would fire while you type"),
        ("shift+left", "would fire while you type"),
        ("home", "would fire while you type"),
    ],
)
def test_bad_chords_raise_a_clear_value_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_chord(text)


@pytest.mark.parametrize(
    ("name", "modifier"),
    [
        ("ctrl", "ctrl"),
        ("ctrl_l", "ctrl"),
        ("ctrl_r", "ctrl"),
        ("Control_R", "ctrl"),
        ("shift_r", "shift"),
        ("alt_r", "alt"),
        ("alt_gr", "altgr"),
        ("cmd", "super"),
        ("cmd_r", "super"),
        ("space", None),
        ("a", None),
        ("caps_lock", None),
    ],
)
def test_modifier_of(name: str, modifier: str | None) -> None:
    assert modifier_of(name) == modifier


def test_left_and_right_keys_are_different_physical_keys_of_one_modifier() -> None:
    assert physical_key("ctrl") == physical_key("ctrl_l") == "ctrl_l"
    assert physical_key("ctrl_r") == "ctrl_r"
    assert modifier_of(physical_key("ctrl_r")) == "ctrl"
    assert physical_key("A") == physical_key("a") == "a"


@pytest.mark.parametrize(
    "name", ["ctrl", "ctrl_r", "alt", "alt_r", "alt_gr", "shift", "shift_r", "cmd", "cmd_r"]
)
def test_a_physical_modifier_name_is_still_that_modifier(name: str) -> None:
    assert modifier_of(physical_key(name)) == modifier_of(name)
    assert physical_key(physical_key(name)) == physical_key(name)


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("A", "a"),
        ("Return", "enter"),
        (" ", "space"),
        ("Escape", "esc"),
        ("media_next", "media_next"),
    ],
)
def test_normalize_key(name: str, normal: str) -> None:
    assert normalize_key(name) == normal


chords = st.builds(
    Chord,
    modifiers=st.sets(st.sampled_from(MODIFIER_ORDER)).map(lambda mods: frozenset(mods | {"ctrl"})),
    key=st.one_of(
        st.sampled_from(NAMED_KEYS),
        st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789/.,;'[]\\-=`+"),
    ),
)


@given(chords)
def test_canonical_and_display_forms_parse_back_to_the_same_chord(chord: Chord) -> None:
    assert parse_chord(format_chord(chord)) == chord
    assert parse_chord(display_chord(chord)) == chord


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("altgr+x", "altgr+x"),
        ("ctrl+minus", "ctrl+-"),
        ("ctrl+kp_enter", "ctrl+enter"),
        ("ctrl+prior", "ctrl+page_up"),
        ("<ctrl>+<shift>+space", "ctrl+shift+space"),
    ],
)
def test_settings_accept_every_chord_the_listener_accepts(text: str, canonical: str) -> None:
    # One grammar: what the settings store is exactly what the listener grabs.
    assert canonical_chord(text) == canonical
    assert parse_chord(canonical) == parse_chord(text)


@pytest.mark.parametrize("text", ["shift+a", "a", "shift+left", "ctrl+ctrl+a"])
def test_settings_reject_every_chord_the_listener_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        canonical_chord(text)
    with pytest.raises(ValueError, match=r"\w"):
        parse_chord(text)
