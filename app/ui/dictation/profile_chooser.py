"""Picks the profile of a dictation from the window that had the focus at the hotkey press.

Looking at the focused window is an X round trip and reading ``profiles.json``
a disk read, so both run in a lane of their own and the choice comes back on
the GUI thread (:func:`run_in_background`); the dictation itself starts at
once, at the ring position of the press, and its words wait for the choice. So an
X server or a disk that does not answer cannot hold a dictation back for long: after
``answer_within_s`` the Default profile is used and the late answer is dropped.
The file is read at every press, so a
profile imported with ``saytype profiles import`` applies from the next
dictation, with no restart. A damaged file is reported once, not at each press.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.profiles.profile import DEFAULT_PROFILE, DictationProfile, apply_profile
from app.core.profiles.profile_file import load_profiles
from app.core.profiles.profile_rules import WindowIdentity
from app.core.settings import Settings
from app.core.task_lane import TaskLane
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)

WindowLookup = Callable[[], WindowIdentity | None]
ANSWER_WITHIN_S = 2.0  # the lookup takes milliseconds; this is for a hung X server or disk


class ProfileChooser(QObject):
    """Chooses each dictation's profile off the GUI thread.

    Args:
        identify: tells what the focused window is (None: no way to tell, as on Wayland).
        last_app: tells which other app had the focus last (None: no way to tell).
        path: the profiles file (the user's when None).
        answer_within_s: after this long without a choice, the Default profile is used.

    Signals:
        notice(message): the profiles file had to be repaired (said once per problem).
        last_app_checked(): a :meth:`refresh_last_app` has its answer in ``last_window``.
    """

    notice = Signal(str)
    last_app_checked = Signal()

    def __init__(
        self,
        identify: WindowLookup | None = None,
        path: Path | None = None,
        parent: QObject | None = None,
        *,
        answer_within_s: float = ANSWER_WITHIN_S,
        last_app: WindowLookup | None = None,
    ) -> None:
        super().__init__(parent)
        self._last_app = last_app
        self._answer_within_ms = round(answer_within_s * 1000)
        self._identify = identify
        self._path = path
        self._lane = TaskLane("profile-chooser", max_threads=1)
        self._last_notice: str | None = None
        # The app used last before Saytype, else the one seen at the last press; None: neither.
        self.last_window: WindowIdentity | None = None

    def refresh_last_app(self) -> None:
        """Look up the app focused last before Saytype (off the GUI thread) as ``last_window``.

        Called as the Profiles page opens: by the time its button is clicked the
        answer is in. Where the session cannot tell, the last press's window stays.
        """
        lookup = self._last_app
        if lookup is None:
            return

        def found(window: WindowIdentity | None) -> None:
            self.last_window = window or self.last_window
            self.last_app_checked.emit()

        def failed(exc: BaseException) -> None:
            log.info("could not look up the last app: %s", exc)
            self.last_app_checked.emit()

        run_in_background(lookup, found, failed, lane=self._lane, receiver=self)

    def choose(self, settings: Settings, on_chosen: Callable[[DictationProfile], None]) -> None:
        """Look at the focused window now; call ``on_chosen`` on the GUI thread with the choice.

        Whatever goes wrong, ``on_chosen`` is called once: with the global settings alone.
        """
        answered = False

        def answer(profile: DictationProfile) -> None:
            nonlocal answered
            if not answered:
                answered = True
                on_chosen(profile)

        def too_late() -> None:
            if not answered:
                log.warning("no profile chosen in time; the Default profile applies")
                answer(DictationProfile(DEFAULT_PROFILE, settings))

        def chosen(outcome: tuple[DictationProfile, WindowIdentity | None, str | None]) -> None:
            profile, window, notice = outcome
            self.last_window = window or self.last_window
            if notice and notice != self._last_notice:
                self.notice.emit(notice)
            self._last_notice = notice
            answer(profile)

        def failed(exc: BaseException) -> None:
            log.warning("choosing a profile failed: %s", exc)
            answer(DictationProfile(DEFAULT_PROFILE, settings))

        QTimer.singleShot(self._answer_within_ms, self, too_late)
        run_in_background(
            lambda: self._choose(settings), chosen, failed, lane=self._lane, receiver=self
        )

    def _choose(
        self, settings: Settings
    ) -> tuple[DictationProfile, WindowIdentity | None, str | None]:
        window = self._identify() if self._identify is not None else None
        loaded = load_profiles(self._path)
        profile = loaded.book.choose(window)
        log.info("profile %s chosen", profile.name)  # the name only: titles may be private
        chosen = apply_profile(profile, settings)
        if window is not None:
            chosen = dataclasses.replace(
                chosen, window_class=window.window_class, window_id=window.window_id
            )
        return chosen, window, loaded.notice
