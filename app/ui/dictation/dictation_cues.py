"""Plays a sound cue as a dictation starts, stops, is cancelled or fails.

Connected to ``DictationController.state_changed``; which change sounds which
cue is decided in the core (:func:`app.core.audio.cue_player.cue_for_change`).
The microphone keeps listening through the start cue: words said over it are
kept, and the tone itself is heard as no words (decision 0015). A microphone
opened at the press sounds it once its first audio has arrived.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.audio.cue_player import CuePlayer, cue_for_change
from app.core.settings import Settings


class DictationCues:
    """Turns dictation state changes into cues, as the settings say."""

    def __init__(self, player: CuePlayer) -> None:
        self._player = player
        self._state = "idle"
        self._start_waits = False  # listening, and the microphone not recording yet

    def follow(self, controller: Any, mic: Any, settings: Callable[[], Settings]) -> None:
        """Sound ``controller``'s dictations; the start cue waits for ``mic`` to record."""
        controller.state_changed.connect(
            lambda state: self.on_state(state, settings(), recording=mic.records)
        )
        mic.opened.connect(lambda: self.on_recording(settings()))

    def close_and_wait(self) -> None:
        """Quitting: no cue for the dictation the quit stops, and none left playing."""
        self._player.close_and_wait()

    def on_state(self, state: str, settings: Settings, *, recording: bool = True) -> str | None:
        """The dictation is now in ``state``; returns the cue played, if any.

        The start cue tells the user to speak, so with the microphone not yet
        ``recording`` (opened at the press: a sound server may take 1-2 s) it waits
        for :meth:`on_recording`; words said before it would be lost.
        """
        cue = cue_for_change(self._state, state)
        self._state = state
        self._start_waits = cue == "start" and not recording
        return None if self._start_waits else self._play(cue, settings)

    def on_recording(self, settings: Settings) -> str | None:
        """The microphone records now: the start cue, if it waited for this."""
        waited, self._start_waits = self._start_waits, False
        return self._play("start", settings) if waited and self._state == "listening" else None

    def _play(self, cue: str | None, settings: Settings) -> str | None:
        if cue is None or not settings.sound_cues or settings.cue_volume <= 0:
            return None
        self._player.play(cue, settings.cue_volume)
        return cue
