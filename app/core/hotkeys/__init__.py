"""Global hotkeys without Qt: chords as values and the press/hold/tap gesture machine."""

from app.core.hotkeys.chord import (
    DEFAULT_CHORD,
    Chord,
    canonical_chord,
    display_chord,
    format_chord,
    modifier_of,
    normalize_key,
    parse_chord,
    physical_key,
)
from app.core.hotkeys.gesture import GESTURE_MODES, GestureMode, HotkeyAction, HotkeyGesture

__all__ = [
    "DEFAULT_CHORD",
    "GESTURE_MODES",
    "Chord",
    "GestureMode",
    "HotkeyAction",
    "HotkeyGesture",
    "canonical_chord",
    "display_chord",
    "format_chord",
    "modifier_of",
    "normalize_key",
    "parse_chord",
    "physical_key",
]
