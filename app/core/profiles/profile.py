"""One per-app profile: the dictation settings it overrides, and what it adds to them.

A profile holds only the settings it changes (``overrides``); everything else
comes from the global settings at the moment of the dictation, so a profile
written months ago follows later changes of the global choices. The setting
overrides are checked by the same declaration the settings file uses
(:class:`app.core.settings.SettingField`), so a profile can never hold a value
the settings would refuse. A profile also has choices the global settings do
not: the paste keys, what to send after the text, the code/plain style and
whether its own words replace or extend the global ones.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.settings import Settings, setting_fields
from app.core.text.shaper import ShapingOptions

DEFAULT_PROFILE = "Default"

# The dictation settings a profile may override (the list); the others are global.
PROFILE_SETTINGS = (
    "delivery",
    "type_as_i_speak",
    "spoken_commands",
    "vocabulary",
    "replacements",
    "snippets",
    "language",
    "capitalize_first",
    "trailing_space",
    "remove_fillers",
    "numbers_as_digits",
)

PASTE_KEYS = {
    "auto": (),
    "ctrl+v": ("ctrl", "v"),
    "ctrl+shift+v": ("ctrl", "shift", "v"),
    "shift+insert": ("shift", "insert"),
}
AFTER_TEXT = {
    "nothing": (),
    "space": (),
    "enter": ("enter",),
    "ctrl+enter": ("ctrl", "enter"),
    "shift+enter": ("shift", "enter"),
}
# Choices only a profile has, with the value that means "as without a profile".
PROFILE_CHOICES: dict[str, tuple[str, ...]] = {
    "paste_keys": tuple(PASTE_KEYS),
    "after_text": tuple(AFTER_TEXT),
    "style": ("normal", "plain"),
    "words": ("add", "own"),
}
OVERRIDE_NAMES = (*PROFILE_SETTINGS, *PROFILE_CHOICES)


class ProfileError(ValueError):
    """A profile (or a profile file) is not valid; the message is written for the user."""


@dataclass(frozen=True)
class Profile:
    """A named set of overrides, and the window it is for.

    Attributes:
        name: shown while listening and stored with each dictation.
        window_class: a regular expression searched (any case) in the focused
            window's X11 WM_CLASS, instance or class; empty matches any.
        window_title: a regular expression searched (any case) in its title;
            empty matches any.
        overrides: setting name → value, only for what this profile changes.
    """

    name: str
    window_class: str = ""
    window_title: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problem = profile_problem(self)
        if problem:
            raise ProfileError(problem)

    @property
    def is_default(self) -> bool:
        """The profile that applies when no rule matches (it has no window rule)."""
        return self.name == DEFAULT_PROFILE


_LONGEST_NAME = 80


def profile_problem(profile: Profile) -> str | None:
    """Why ``profile`` is not valid, as a sentence naming it, or None when it is."""
    name = profile.name
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        return f"A profile needs a name without spaces around it (got {name!r})."
    if len(name) > _LONGEST_NAME or not name.isprintable():
        # A name is printed in lists and on terminals: no escape sequences, no pages of it.
        return f"A profile's name is one line of at most {_LONGEST_NAME} printable characters."
    if profile.is_default and (profile.window_class or profile.window_title):
        return f"The {DEFAULT_PROFILE} profile applies everywhere, so it takes no window rule."
    if not profile.is_default and not (profile.window_class or profile.window_title):
        return f"Profile {name!r} needs a window class or title pattern to match."
    for what, pattern in (("window class", profile.window_class), ("title", profile.window_title)):
        if not isinstance(pattern, str):
            return f"Profile {name!r}: the {what} pattern must be text."
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"Profile {name!r}: the {what} pattern {pattern!r} is not valid ({exc})."
    for key, value in profile.overrides.items():
        problem = override_problem(key, value)
        if problem:
            return f"Profile {name!r}: {key}: {problem}."
    return None


def override_problem(key: str, value: object) -> str | None:
    """Why ``value`` cannot override ``key``, or None when it can."""
    if key in PROFILE_CHOICES:
        choices = PROFILE_CHOICES[key]
        return None if value in choices else f"{value!r} is not one of {', '.join(choices)}"
    if key not in PROFILE_SETTINGS:
        return f"a profile cannot change this{did_you_mean(key, OVERRIDE_NAMES)}"
    setting = next(s for s in setting_fields() if s.name == key)
    return setting.problem_with(value)


def did_you_mean(name: str, known: tuple[str, ...]) -> str:
    """ " (did you mean X?)" for a misspelled ``name``, else the ``known`` names in brackets."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]}?)" if close else f" (it knows {', '.join(known)})"


@dataclass(frozen=True)
class DictationProfile:
    """What one dictation uses: the profile's name, the settings with its overrides, and extras.

    Attributes:
        name: the profile's name.
        settings: the global settings with the profile's overrides applied.
        paste_keys: the keys that paste, or () to pick them by the window's class.
        after_keys: the keys to press after the text (Enter…), or ().
        space_after: send a space after the text.
        plain: code/plain style: no automatic capitals, no final full stop.
        language: the language to decode in, when the profile sets one (else None).
        vocabulary: the words to decode with, when the profile sets some (else None).
        window_class: the class of the window it was chosen for ("" when unknown): the keys
            after the text go only there.
        window_id: that window itself, where the session can tell ("" when not): text held
            to talk for one terminal goes into no other.
    """

    name: str
    settings: Settings
    paste_keys: tuple[str, ...] = ()
    after_keys: tuple[str, ...] = ()
    space_after: bool = False
    plain: bool = False
    language: str | None = None
    vocabulary: tuple[str, ...] | None = None
    window_class: str = ""
    window_id: str = ""

    def shaping_options(self) -> ShapingOptions:
        """How this dictation's text is shaped (the settings', in the profile's style).

        Keys pressed after the text (Enter) end the line or send the message, so no
        space is typed for a next dictation to follow.
        """
        options = ShapingOptions.from_settings(self.settings)
        trailing = options.trailing_space and not self.after_keys
        return dataclasses.replace(options, plain=self.plain, trailing_space=trailing)


def apply_profile(profile: Profile, settings: Settings) -> DictationProfile:
    """The dictation choices of ``profile`` on top of the global ``settings``."""
    overrides = dict(profile.overrides)
    extras = {key: overrides.pop(key) for key in PROFILE_CHOICES if key in overrides}
    if extras.get("words", "add") == "add":
        # The profile's words come after the global ones, so its own replacement wins.
        for key in ("vocabulary", "replacements", "snippets"):
            if key in overrides:
                overrides[key] = (*getattr(settings, key), *overrides[key])
    after = str(extras.get("after_text", "nothing"))
    chosen = settings.replace(**overrides)
    return DictationProfile(
        name=profile.name,
        settings=chosen,
        paste_keys=PASTE_KEYS[str(extras.get("paste_keys", "auto"))],
        after_keys=AFTER_TEXT[after],
        space_after=after == "space",
        plain=extras.get("style") == "plain",
        # Decoding keeps the model's own choices unless the profile sets its own.
        language=(chosen.language or None) if "language" in overrides else None,
        vocabulary=chosen.vocabulary if "vocabulary" in overrides else None,
    )
