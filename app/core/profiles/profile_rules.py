r"""Which profile a dictation gets: the rules, read top to bottom, against the focused window.

The window is looked at when the hotkey is pressed (``focused_window.py`` on
X11). Rules are ordered by the user and the first profile whose patterns all
match wins; nothing matching (or no window known, as on Wayland for now) gives
the Default profile, which always exists. Matching is a regular-expression
search, case-insensitive, so ``term`` matches ``XTerm`` and ``^xterm$`` only it.
Titles come from web pages and documents, and a pattern such as ``^(\w+\s?)+$`` takes
Python's ``re`` minutes on a long title while it holds the interpreter (the whole app
froze): matching runs in the ``regex`` module, which lets other threads run and gives up
after :data:`MATCH_LIMIT_S` (the window then does not match, and the log says why).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from app.core.profiles.profile import DEFAULT_PROFILE, Profile, ProfileError

log = logging.getLogger(__name__)

MATCH_LIMIT_S = 0.05  # a sane pattern takes microseconds on a window title


@dataclass(frozen=True)
class WindowIdentity:
    """What is known of the focused window.

    Attributes:
        instance: the WM_CLASS instance name (``xterm``), or "".
        window_class: the WM_CLASS class name (``XTerm``), or "".
        title: the window title, or "".
        window_id: the window itself where the compositor says (two terminals share a
            class), or ""; not part of what a rule matches.
        pid: the process that owns it where the compositor says (sway), or 0.
    """

    instance: str = ""
    window_class: str = ""
    title: str = ""
    window_id: str = field(default="", compare=False)
    pid: int = field(default=0, compare=False)


def matches(profile: Profile, window: WindowIdentity) -> bool:
    """Whether ``profile``'s rule picks ``window`` (the Default profile matches nothing)."""
    if profile.is_default:
        return False
    if profile.window_class and not any(
        _found(profile, profile.window_class, name)
        for name in (window.instance, window.window_class)
        if name
    ):
        return False
    return not profile.window_title or _found(profile, profile.window_title, window.title)


def _found(profile: Profile, pattern: str, text: str) -> bool:
    try:
        return (
            regex.search(pattern, text, regex.IGNORECASE, timeout=MATCH_LIMIT_S, concurrent=True)
            is not None
        )
    except TimeoutError:
        log.warning(
            "profile %s: its pattern took too long on this window; not matched", profile.name
        )
        return False


@dataclass(frozen=True)
class ProfileBook:
    """The user's profiles: the Default one and the others in rule order.

    Raises:
        ProfileError: two profiles share a name.
    """

    default: Profile = field(default_factory=lambda: Profile(DEFAULT_PROFILE))
    profiles: tuple[Profile, ...] = ()
    # Read from a file that has a "default" entry, even one that changes nothing: an
    # import of it resets the Default profile (an exported book always has one).
    default_given: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        names = [profile.name.casefold() for profile in self.profiles]
        if DEFAULT_PROFILE.casefold() in names:
            raise ProfileError(f"Only one profile may be called {DEFAULT_PROFILE}.")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ProfileError(f"Two profiles are called {repeated[0]!r}; names must differ.")

    def choose(self, window: WindowIdentity | None) -> Profile:
        """The first profile whose rule matches ``window``; the Default one otherwise."""
        if window is not None:
            for profile in self.profiles:
                if matches(profile, window):
                    return profile
        return self.default

    def find(self, name: str) -> Profile | None:
        """The profile called ``name`` (any case), or None."""
        for profile in (self.default, *self.profiles):
            if profile.name.casefold() == name.casefold():
                return profile
        return None

    def merged(self, incoming: ProfileBook) -> ProfileBook:
        """This book with ``incoming``'s profiles: same names replaced in place, new ones added."""
        taken = {profile.name.casefold(): profile for profile in incoming.profiles}
        kept = [taken.pop(p.name.casefold(), p) for p in self.profiles]
        default = incoming.default if incoming.sets_default else self.default
        return ProfileBook(default, (*kept, *taken.values()))

    @property
    def sets_default(self) -> bool:
        """Whether importing this book sets the Default profile (else the user's stays)."""
        return self.default_given or bool(self.default.overrides)

    def names_imported(self) -> list[str]:
        """The names an import of this book brings in, the Default profile first if it does."""
        given = [self.default.name] if self.sets_default else []
        return given + [profile.name for profile in self.profiles]

    def all(self) -> Iterable[Profile]:
        """Every profile, the Default one first."""
        return (self.default, *self.profiles)

    def with_profile(self, profile: Profile, replacing: str | None = None) -> ProfileBook:
        """A copy with ``profile`` in place of the one called ``replacing``, or added last.

        Raises:
            ProfileError: the new name is taken by another profile.
        """
        if profile.is_default:
            return ProfileBook(profile, self.profiles)
        if replacing is None or self._index(replacing) is None:
            return ProfileBook(self.default, (*self.profiles, profile))
        profiles = list(self.profiles)
        profiles[self._index(replacing) or 0] = profile
        return ProfileBook(self.default, tuple(profiles))

    def without(self, name: str) -> ProfileBook:
        """A copy without the profile called ``name`` (the Default one stays)."""
        kept = tuple(p for p in self.profiles if p.name.casefold() != name.casefold())
        return ProfileBook(self.default, kept)

    def moved(self, name: str, step: int) -> ProfileBook:
        """A copy with ``name`` ``step`` places later (earlier when negative) in rule order."""
        index = self._index(name)
        if index is None:
            return self
        profiles = list(self.profiles)
        target = max(0, min(len(profiles) - 1, index + step))
        profiles.insert(target, profiles.pop(index))
        return ProfileBook(self.default, tuple(profiles))

    def _index(self, name: str) -> int | None:
        for index, profile in enumerate(self.profiles):
            if profile.name.casefold() == name.casefold():
                return index
        return None
