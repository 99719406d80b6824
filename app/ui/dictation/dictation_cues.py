"""Plays a sound cue as a dictation starts, stops, is cancelled or fails.

Connected to ``DictationController.state_changed``; which change sounds which
cue is decided in the core (:func:`app.core.audio.cue_player.cue_for_change`).
As the start cue begins, the microphone is told to write silence for as long
as it could hear it, so the tone never reaches the dictation.
"""

from __future__ import annotations

from typing import Protocol

from app.core.audio.cue_player import CuePlayer, cue_for_change
from app.core.settings import Settings


class QuietableMicrophone(Protocol):
    """The part of the microphone the cues need."""

    def quiet_for(self, seconds: float) -> None:
        """Write silence instead of what is heard from now on, for ``seconds``."""


class DictationCues:
    """Turns dictation state changes into cues, as the settings say."""

    def __init__(self, player: CuePlayer, microphone: QuietableMicrophone) -> None:
        self._player = player
        self._microphone = microphone
        self._state = "idle"

    def on_state(self, state: str, settings: Settings) -> str | None:
        """The dictation is now in ``state``; returns the cue played, if any."""
        cue = cue_for_change(self._state, state)
        self._state = state
        if cue is None or not settings.sound_cues or settings.cue_volume <= 0:
            return None
        quiet = self._microphone.quiet_for if cue == "start" else None
        self._player.play(cue, settings.cue_volume, on_start=quiet)
        return cue
