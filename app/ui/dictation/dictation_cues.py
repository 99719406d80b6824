"""Plays a sound cue as a dictation starts, stops, is cancelled or fails.

Connected to ``DictationController.state_changed``; which change sounds which
cue is decided in the core (:func:`app.core.audio.cue_player.cue_for_change`).
The microphone keeps listening through the start cue: words said over it are
kept, and the tone itself is heard as no words (decision 0015).
"""

from __future__ import annotations

from app.core.audio.cue_player import CuePlayer, cue_for_change
from app.core.settings import Settings


class DictationCues:
    """Turns dictation state changes into cues, as the settings say."""

    def __init__(self, player: CuePlayer) -> None:
        self._player = player
        self._state = "idle"

    def close_and_wait(self) -> None:
        """Quitting: no cue for the dictation the quit stops, and none left playing."""
        self._player.close_and_wait()

    def on_state(self, state: str, settings: Settings) -> str | None:
        """The dictation is now in ``state``; returns the cue played, if any."""
        cue = cue_for_change(self._state, state)
        self._state = state
        if cue is None or not settings.sound_cues or settings.cue_volume <= 0:
            return None
        self._player.play(cue, settings.cue_volume)
        return cue
