"""Sound cues without a sound server: which state change sounds which cue, the volume,
and the settings.

The cues on a real PulseAudio server (heard on the monitor, no words in the
text) are in tests/test_sound_cues_pulse.py.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.audio.cue_player import (
    CUE_NAMES,
    CuePlayer,
    bundled_sounds_dir,
    cue_for_change,
    read_cue,
)
from app.core.audio.mic_devices import rescan_devices
from app.core.settings import Settings
from app.ui.dictation.dictation_cues import DictationCues


class RecordingOutput:
    """A sounddevice stand-in whose output streams keep what is written to them."""

    def __init__(self) -> None:
        self.played: list[tuple[int, np.ndarray]] = []

    def OutputStream(self, samplerate: int, **_options: Any) -> RecordingOutput._Stream:  # noqa: N802 - sounddevice's name
        return RecordingOutput._Stream(self, samplerate)

    class _Stream:
        def __init__(self, owner: RecordingOutput, rate: int) -> None:
            self._owner, self._rate = owner, rate

        def __enter__(self) -> RecordingOutput._Stream:
            return self

        def __exit__(self, *_exc: object) -> None:
            return None

        latency = 0.05

        def write(self, data: np.ndarray) -> None:
            self._owner.played.append((self._rate, data.copy()))


@pytest.mark.parametrize(
    ("old", "new", "cue"),
    [
        ("idle", "listening", "start"),
        ("error", "listening", "start"),
        ("listening", "finishing", "stop"),
        ("listening", "delivering", "stop"),
        ("finishing", "delivering", None),
        ("delivering", "idle", None),
        ("listening", "idle", "cancel"),
        ("finishing", "idle", "cancel"),
        ("listening", "error", "error"),
        ("finishing", "error", "error"),
        ("error", "idle", None),
    ],
)
def test_each_state_change_has_its_cue(old: str, new: str, cue: str | None) -> None:
    assert cue_for_change(old, new) == cue


def test_the_bundled_cues_are_short_and_not_silent() -> None:
    for name in CUE_NAMES:
        samples, rate = read_cue(bundled_sounds_dir() / f"{name}.wav")
        assert 0.1 <= len(samples) / rate <= 0.3, name
        assert 0.3 <= float(np.abs(samples).max()) <= 0.5, name
    assert (bundled_sounds_dir() / "LICENSE.md").read_text().count("CC0") >= 1


def test_a_cue_plays_at_the_volume_asked() -> None:
    output = RecordingOutput()
    player = CuePlayer(bundled_sounds_dir(), backend=output)
    full, rate = read_cue(bundled_sounds_dir() / "stop.wav")
    future = player.play("stop", 50)
    assert future is not None
    future.result(timeout=10)
    assert [played_rate for played_rate, _ in output.played] == [rate]
    np.testing.assert_allclose(output.played[0][1][:, 0], full * 0.5, atol=1e-6)
    assert player.play("stop", 0) is None


class PortAudioWithAPlayingCue(RecordingOutput):
    """PortAudio whose cue stream plays until told to end, and which can be looked at again."""

    PortAudioError = OSError

    def __init__(self) -> None:
        super().__init__()
        self.playing = threading.Event()
        self.end_cue = threading.Event()
        self.streams_open = 0
        self.open_at_terminate: list[int] = []

    def OutputStream(self, samplerate: int, **_options: Any) -> RecordingOutput._Stream:  # noqa: N802 - sounddevice's name
        owner = self

        class Playing(RecordingOutput._Stream):
            def __enter__(self) -> RecordingOutput._Stream:
                owner.streams_open += 1
                return self

            def __exit__(self, *_exc: object) -> None:
                owner.streams_open -= 1

            def write(self, data: np.ndarray) -> None:
                owner.playing.set()
                owner.end_cue.wait(10)
                super().write(data)

        return Playing(self, samplerate)

    def _terminate(self) -> None:  # what rescan_devices calls: every stream is freed
        self.open_at_terminate.append(self.streams_open)

    def _initialize(self) -> None:
        pass


def test_looking_for_devices_again_waits_for_the_cue_that_plays() -> None:
    # The press's start cue played while the microphone, failing to open, made PortAudio
    # list devices again: terminating PortAudio freed the cue's stream under its writer,
    # and Saytype aborted ("double free or corruption").
    portaudio = PortAudioWithAPlayingCue()
    player = CuePlayer(bundled_sounds_dir(), backend=portaudio)
    future = player.play("start", 80)
    assert future is not None
    assert portaudio.playing.wait(10)
    rescan = threading.Thread(target=rescan_devices, args=(portaudio,))
    rescan.start()
    rescan.join(0.2)  # a rescan that did not wait would be done by now
    assert portaudio.open_at_terminate == []
    portaudio.end_cue.set()
    future.result(timeout=10)
    rescan.join(10)
    assert portaudio.open_at_terminate == [0]  # after the cue, never under it


def test_after_closing_for_a_quit_the_cue_playing_has_ended_and_none_follows() -> None:
    output = RecordingOutput()
    player = CuePlayer(bundled_sounds_dir(), backend=output)
    cues = DictationCues(player)
    settings = Settings(sound_cues=True, cue_volume=80)
    assert cues.on_state("listening", settings) == "start"
    cues.close_and_wait()  # the start cue has been written out by now
    assert len(output.played) == 1
    cues.on_state("idle", settings)  # the quit cancels the dictation: no cancel cue
    assert player.play("cancel", 80) is None
    assert len(output.played) == 1


def test_a_missing_cue_is_silent_and_says_so_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    player = CuePlayer(tmp_path, backend=RecordingOutput())
    assert player.play("start", 100) is None
    assert "the start cue stays silent" in caplog.text


def test_no_speakers_is_one_log_line_and_no_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="app.core.audio.cue_player")

    class NoDevice:
        def OutputStream(self, **_options: Any) -> None:  # noqa: N802 - sounddevice's name
            raise OSError("no default output device")

    player = CuePlayer(bundled_sounds_dir(), backend=NoDevice())
    for _ in range(2):
        future = player.play("error", 60)
        assert future is not None
        assert future.result(timeout=10) is None
    assert caplog.text.count("sound cues cannot play") == 1


def test_a_dictation_sounds_start_then_stop() -> None:
    output = RecordingOutput()
    player = CuePlayer(bundled_sounds_dir(), backend=output)
    cues = DictationCues(player)
    settings = Settings()
    assert settings.sound_cues
    played = [
        cues.on_state(state, settings) for state in ("listening", "finishing", "delivering", "idle")
    ]
    assert played == ["start", "stop", None, None]
    player.play("cancel", 10).result(timeout=10)  # after the others: the lane plays in order
    assert len(output.played) == 3


def test_cues_off_or_at_zero_volume_play_nothing() -> None:
    output = RecordingOutput()
    cues = DictationCues(CuePlayer(bundled_sounds_dir(), backend=output))
    for settings in (Settings(sound_cues=False), Settings(cue_volume=0)):
        assert cues.on_state("listening", settings) is None
        assert cues.on_state("idle", settings) is None
    assert output.played == []


def test_an_installed_saytype_gets_every_cue_and_the_licence() -> None:
    """``pip install .`` (packaging/install.sh) installs them where cue_player.py looks next."""
    import tomllib

    root = bundled_sounds_dir().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    installed = config["tool"]["setuptools"]["data-files"]["share/saytype/sounds"]
    shipped = sorted(f"resources/sounds/{path.name}" for path in bundled_sounds_dir().iterdir())
    assert sorted(installed) == [name for name in shipped if not name.endswith(".py")]


def test_the_start_cue_waits_for_a_microphone_not_recording_yet() -> None:
    output = RecordingOutput()
    cues = DictationCues(CuePlayer(bundled_sounds_dir(), backend=output))
    settings = Settings()
    assert cues.on_state("listening", settings, recording=False) is None
    assert cues.on_recording(settings) == "start"
    assert cues.on_recording(settings) is None  # once
    # Let go before it recorded: that change's cue, and no start cue after it.
    assert cues.on_state("idle", settings) == "cancel"
    assert cues.on_state("listening", settings, recording=False) is None
    assert cues.on_state("finishing", settings) == "stop"
    assert cues.on_recording(settings) is None
