"""Typed, versioned user settings, declared once and saved atomically as JSON.

Every setting is one field of :class:`Settings` carrying its default, allowed values and
description, which drive both the loader's validation and the settings dialog. Loading
never fails: a damaged file is moved aside and a bad value falls back to its default, each
with a one-sentence notice for the user. Saving writes a temporary file in the same folder
and renames it over the old one: a full disk or a crash never leaves half a file.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from app.core.autostart import apply_start_at_login, autostart_entry_path, desktop_exec_command
from app.core.settings_error import SettingsError
from app.core.settings_migrations import SCHEMA_VERSION
from app.core.settings_rules import json_kind, special_problem
from app.core.text.replacements import DEFAULT_REPLACEMENTS

log = logging.getLogger(__name__)

__all__ = [
    "SCHEMA_VERSION",
    "SettingField",
    "Settings",
    "SettingsError",
    "apply_start_at_login",
    "autostart_entry_path",
    "desktop_exec_command",
    "setting_fields",
]

T = TypeVar("T")


def _setting(
    default: T,
    label: str,
    description: str,
    group: str,
    *,
    choices: dict[str, str] | None = None,
    value_range: tuple[int, int] | None = None,
) -> T:
    """Declare one setting: its default, how the dialog shows it, and what is allowed."""
    metadata: dict[str, object] = {"label": label, "description": description, "group": group}
    metadata |= {"choices": choices} if choices else {}
    metadata |= {"range": value_range} if value_range else {}
    result: T = field(default=default, metadata=metadata)
    return result


@dataclass(frozen=True)
class Settings:
    """Everything the user can configure. Construction validates every value."""

    schema_version: int = _setting(
        SCHEMA_VERSION, "Settings version", "Version of the settings file format.", "Internal"
    )
    hotkey: str = _setting(
        "ctrl+shift+space",
        "Hotkey",
        "The key combination that starts and stops dictation anywhere on the desktop.",
        "Dictation",
    )
    hotkey_mode: Literal["auto", "hold", "toggle"] = _setting(
        "auto",
        "How the hotkey works",
        "Hold the hotkey while you talk, or tap it once to start and again to stop. "
        "With both, a long press is hold-to-talk and a short tap starts and stops.",
        "Dictation",
        choices={
            "auto": "Both: hold to talk, or tap to start and stop",
            "hold": "Hold to talk",
            "toggle": "Tap to start and stop",
        },
    )
    hold_threshold_ms: int = _setting(
        300,
        "Counts as a hold after",
        "When the hotkey works both ways, a press at least this long is hold-to-talk; "
        "a shorter one is a tap.",
        "Dictation",
        value_range=(100, 2000),
    )
    output: Literal["focused_app", "clipboard", "window"] = _setting(
        "focused_app",
        "Send text to",
        "Where the text of a hotkey or tray dictation goes when you stop speaking.",
        "Output",
        choices={
            "focused_app": "The focused application",
            "clipboard": "The clipboard only",
            "window": "The Saytype window only",
        },
    )
    delivery: Literal["paste", "type"] = _setting(
        "paste",
        "Insert text by",
        "Pasting through the clipboard is fast and exact in every language; typing key by "
        "key works in the few programs that block pasting.",
        "Output",
        choices={"paste": "Pasting", "type": "Typing it key by key"},
    )
    paste_restore_delay_ms: int = _setting(
        500,
        "Wait for the paste up to",
        "How long a paste waits for the application to take the text. What you had copied "
        "comes back as soon as it has; if it has not by then, the text stays on the clipboard "
        "and Saytype says so.",
        "Output",
        value_range=(0, 10000),
    )
    type_as_i_speak: bool = _setting(
        False,
        "Type as I speak",
        "Type words into the focused application while you are still speaking.",
        "Output",
    )
    input_device: str = _setting(
        "",
        "Microphone",
        "The microphone to record from; System default follows your desktop's sound settings.",
        "Audio",
    )
    keep_mic_open: bool = _setting(
        True,
        "Keep the microphone open",
        "Keep listening in the background so the words you say just before pressing the "
        "hotkey are not lost. It costs about 1 % of one processor core; turned off, the "
        "microphone opens at the press and may take a second to record: speak after "
        "the start tone.",
        "Audio",
    )
    pre_roll_ms: int = _setting(
        300,
        "Include sound from before the press",
        "How much of what you said just before pressing the hotkey is kept "
        "(needs Keep the microphone open).",
        "Audio",
        value_range=(0, 2000),
    )
    keep_audio: bool = _setting(
        False,
        "Keep recordings",
        "Save the sound of each dictation with its entry in the history.",
        "Audio",
    )
    pause_history: bool = _setting(
        False,
        "Pause history",
        "While on, dictations still reach your text but nothing is saved on this computer: "
        "no history entry, no recording, nothing kept for crash recovery.",
        "Audio",
    )
    model: str = _setting(
        "tiny.en",
        "Speech model",
        "The speech recognition model: a name from Downloaded models or a folder holding one. "
        "Bigger models are more accurate but slower.",
        "Model",
    )
    language: str = _setting(
        "en",
        "Language",
        "The language you speak, as a short code such as en (English) or fr (French); "
        "leave it empty to detect the language.",
        "Model",
    )
    idle_unload_minutes: int = _setting(
        5,
        "Unload model after",
        "After this many minutes without dictation the model leaves memory, and it is loaded "
        "again at the next dictation. Never keeps it loaded; 0 unloads it after each dictation.",
        "Model",
        value_range=(-1, 1440),
    )
    device: Literal["auto", "cpu", "cuda"] = _setting(
        "auto",
        "Run the model on",
        "A supported NVIDIA graphics card (GPU) is much faster than the processor (CPU). "
        "If the graphics card fails, Saytype switches to the processor and says so.",
        "Model",
        choices={
            "auto": "The graphics card if there is one, else the processor",
            "cpu": "The processor (CPU)",
            "cuda": "The graphics card (NVIDIA GPU)",
        },
    )
    compute_type: Literal["auto", "int8", "int8_float32", "float32", "float16"] = _setting(
        "auto",
        "Model precision",
        "How exactly the model's numbers are kept in memory while it runs. Less precision "
        "uses less memory and is usually just as accurate; Automatic suits most computers.",
        "Model",
        choices={
            "auto": "Automatic (int8 on the processor, float16 on a graphics card)",
            "int8": "Least memory (int8)",
            "int8_float32": "Little memory, exact sums (int8 + float32)",
            "float32": "Most memory, full precision (float32)",
            "float16": "Half memory, graphics card only (float16)",
        },
    )
    cpu_threads: int = _setting(
        0,
        "Processor cores to use",
        "How many processor threads the model runs on; Automatic uses one per physical core.",
        "Model",
        value_range=(0, 256),
    )
    file_batch_size: int = _setting(
        0,
        "File parts transcribed at once",
        "Off transcribes a dropped file from start to end. A number from 1 to 32 transcribes "
        "that many 30-second parts side by side: faster on a graphics card or a processor "
        "with spare cores, but it needs more memory, skips what the voice detector takes "
        "for silence (whispers, very quiet speech) and times subtitles by whole parts.",
        "Files",
        value_range=(0, 32),
    )
    export_folder: str = _setting(
        "",
        "Save transcripts in",
        "Where each dropped file's transcript is saved as soon as it is done; leave it empty "
        "to save it next to its audio or video file. No file is ever replaced.",
        "Files",
    )
    file_spoken_commands: bool = _setting(
        False,
        "Spoken commands in files",
        'Also act on "new paragraph", "scratch that" and the other spoken commands in dropped '
        "files. Off, a recording of a meeting keeps every word that was said.",
        "Files",
    )
    export_format: Literal["txt", "srt", "vtt", "json"] = _setting(
        "txt",
        "Transcript format",
        "The kind of file the transcripts of dropped files are saved as.",
        "Files",
        choices={
            "txt": "Plain text (.txt)",
            "srt": "Subtitles for video players (.srt)",
            "vtt": "Subtitles for web video (.vtt)",
            "json": "Text with timings, for programs (.json)",
        },
    )
    start_at_login: bool = _setting(
        False,
        "Start at login",
        "Start Saytype in the tray when you log in (with no tray, its window opens).",
        "General",
    )
    notifications: bool = _setting(
        True, "Notifications", "Show desktop notifications for errors and finished jobs.", "General"
    )
    sound_cues: bool = _setting(
        True,
        "Sound cues",
        "Play a short tone when dictation starts, stops, is cancelled or fails. The start "
        "tone adds no words to your text, and the microphone keeps listening through it.",
        "General",
    )
    cue_volume: int = _setting(
        60,
        "Sound cue volume",
        "How loud the sound cues are, in percent of their full volume.",
        "General",
        value_range=(0, 100),
    )
    pause_media: bool = _setting(
        True,
        "Pause music and videos while I dictate",
        "Media players that are playing when you start (those that support MPRIS, such as "
        "mpv, VLC, browsers and Spotify) pause, and play again when you stop.",
        "General",
    )
    show_indicator: bool = _setting(
        True,
        "Show a listening indicator on screen",
        "While you dictate, a small strip at the bottom of the screen shows that Saytype is "
        "listening, the input level and the last words heard; it never takes the focus.",
        "General",
    )
    spoken_commands: bool = _setting(
        True,
        "Spoken commands",
        'Say "comma", "period", "new paragraph" or "scratch that" to punctuate and correct '
        "(English only; Help → Keyboard shortcuts, F1, lists them all).",
        "Text",
    )
    vocabulary: tuple[str, ...] = _setting(
        (),
        "Special words",
        "Names and unusual words to recognise and spell your way, separated by commas.",
        "Text",
    )
    replacements: tuple[tuple[str, str], ...] = _setting(
        DEFAULT_REPLACEMENTS,
        "Replace words",
        "Words or phrases to change after they are heard, written as heard = written and "
        "separated by semicolons, such as gonna = going to (upper and lower case both match).",
        "Text",
    )
    snippets: tuple[tuple[str, str], ...] = _setting(
        (),
        "Snippets",
        'Texts to insert when you say their trigger on its own, such as "insert my address"; '
        "the text goes in exactly as written, lines and all.",
        "Text",
    )
    capitalize_first: bool = _setting(
        True, "Capitalise the first word", "Start each dictation with a capital letter.", "Text"
    )
    trailing_space: bool = _setting(
        True,
        "Add a space after each dictation",
        "Type a space after the text, so the next dictation does not run into it "
        "(a profile that presses Enter after the text types none).",
        "Text",
    )
    remove_fillers: bool = _setting(
        False, "Remove um and uh", 'Leave out hesitations such as "um", "uh" and "er".', "Text"
    )
    numbers_as_digits: bool = _setting(
        False,
        "Numbers as digits",
        'Write spelled-out numbers as digits ("twenty five" → 25).',
        "Text",
    )

    def __post_init__(self) -> None:
        for setting in setting_fields(include_internal=True):
            problem = setting.problem_with(getattr(self, setting.name))
            if problem:
                raise ValueError(f"{setting.name}: {problem}")

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied.

        Raises:
            ValueError: naming the field, for an unknown field or an invalid value.
        """
        known = {setting.name for setting in setting_fields(include_internal=True)}
        if unknown := [name for name in changes if name not in known]:
            raise ValueError(f"{unknown[0]}: there is no such setting")
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class SettingField:
    """What the settings dialog and the loader need to know about one setting."""

    name: str
    label: str
    description: str
    group: str
    default: object
    value_type: type
    choices: dict[str, str] | None = None
    value_range: tuple[int, int] | None = None

    def problem_with(self, value: object) -> str | None:
        """Return why ``value`` is not allowed for this setting, or None when it is."""
        # bool is a subclass of int, so an exact type check keeps true out of int fields.
        if type(value) is not self.value_type:
            return f"expected {json_kind(self.value_type)}, got {json_kind(type(value))}"
        if self.choices is not None and value not in self.choices:
            return f"{value!r} is not one of {', '.join(self.choices)}"
        if self.value_range is not None:
            low, high = self.value_range
            if not low <= value <= high:  # type: ignore[operator]
                return f"{value} is outside {low}..{high}"
        return special_problem(self.name, value)


def setting_fields(*, include_internal: bool = False) -> list[SettingField]:
    """Describe every setting in declaration order (``schema_version`` only when asked)."""
    described = []
    for spec in dataclasses.fields(Settings):
        meta = spec.metadata
        if meta["group"] == "Internal" and not include_internal:
            continue
        described.append(
            SettingField(
                name=spec.name,
                label=meta["label"],
                description=meta["description"],
                group=meta["group"],
                default=spec.default,
                value_type=type(spec.default),
                choices=meta.get("choices"),
                value_range=meta.get("range"),
            )
        )
    return described
