"""The start cue says "speak now": with the microphone opened at the press, it waits for audio.

A sound server may take 1-2 s to send a freshly opened stream's first block
(PulseAudio's idle null-sink monitor here: 1.2-2.2 s), and what is said before
it is never recorded. With keep-mic-open off, the cue used to sound at the
press, so a user who spoke at the tone lost their first words without a sign.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from app.core.settings import Settings
from app.ui.dictation.dictation_cues import DictationCues
from app.ui.dictation.microphone import Microphone
from tests.support.pulse_rig import Pulse

pytestmark = [pytest.mark.integration, pytest.mark.gui]


class _Dictation(QObject):
    """The controller's one signal the cues follow."""

    state_changed = Signal(str)


class _PlayerAt:
    """A cue player that notes where the microphone's ring was when each cue began."""

    def __init__(self, mic: Microphone) -> None:
        self.mic = mic
        self.played: list[tuple[str, int]] = []

    def play(self, cue: str, _volume: int) -> Any:
        self.played.append((cue, self.mic.ring.position))

    def close_and_wait(self) -> None:
        return None


def test_a_microphone_opened_at_the_press_sounds_the_start_cue_once_it_records(
    qtbot: QtBot, pulse: Pulse
) -> None:
    mic = Microphone(backend=pulse.sounddevice)
    dictation, player = _Dictation(), _PlayerAt(mic)
    DictationCues(player).follow(dictation, mic, Settings)  # type: ignore[arg-type]
    pressed_at = mic.ring.position
    try:
        dictation.state_changed.emit("listening")
        assert player.played == []  # nothing records yet: speaking now would be lost
        answers: list[str | None] = []
        mic.open(on_result=answers.append)
        qtbot.waitUntil(lambda: answers != [], timeout=15_000)
        assert answers == [None]
        assert mic.records
        assert mic.ring.position > pressed_at, "told it records before any audio came"
        qtbot.waitUntil(lambda: player.played != [], timeout=5_000)
        [(cue, ring_at_cue)] = player.played
        assert cue == "start"
        assert ring_at_cue > pressed_at
        # Open already: the next dictation's cue sounds at its press.
        dictation.state_changed.emit("finishing")
        dictation.state_changed.emit("listening")
        assert [cue for cue, _ in player.played] == ["start", "stop", "start"]
    finally:
        assert mic.close_and_wait()
