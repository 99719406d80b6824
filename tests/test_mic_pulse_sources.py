"""Choosing a sound-server microphone by its description, and recording from the chosen one.

The unit tests give PortAudio's ALSA view of a PulseAudio desktop ("pulse",
"default", one USB card) and canned pactl output; the integration test asks a
private PulseAudio daemon with two sources, and checks which one the open stream
records from.
"""

from __future__ import annotations

import os
import re
import threading

import pytest

from app.core.audio.lost_sound import lost_sound_notice
from app.core.audio.mic_devices import (
    InputChoice,
    MicError,
    find_input,
    input_device_choices,
)
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from tests.fakes.fake_sounddevice import FakeSoundDevice, fake_device
from tests.support.pulse import portaudio_on_pulseaudio
from tests.test_pulse_sources import (
    HEADSET_INPUT,
    LAPTOP_INPUT,
    SOURCES_JSON,
    FakePactl,
)

ROUTING_VARIABLES = ("PULSE_SOURCE", "SAYTYPE_PULSE_SOURCE")


def desktop() -> FakeSoundDevice:
    """PortAudio on a PulseAudio desktop: the two plugins and one card ALSA opens directly."""
    return FakeSoundDevice(
        devices=[
            fake_device("HDA Intel PCH: ALC257 Analog (hw:0,0)", samplerate=48_000),
            fake_device("pulse", samplerate=44_100),
            fake_device("default", samplerate=44_100),
        ],
        supported_rates={16_000},
    )


def server() -> FakePactl:
    return FakePactl({"-f json list sources": SOURCES_JSON, "get-default-source": LAPTOP_INPUT})


@pytest.fixture(autouse=True)
def _no_routing_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ROUTING_VARIABLES:  # restored at teardown
        monkeypatch.delenv(name, raising=False)


def test_settings_list_sources_by_description() -> None:
    choices = input_device_choices(desktop(), server())
    assert [(str(c), c.label) for c in choices] == [
        (f"pulse:{LAPTOP_INPUT}", "Built-in Audio Analog Stereo"),
        (f"pulse:{HEADSET_INPUT}", "USB Headset Microphone"),
        ("HDA Intel PCH: ALC257 Analog (hw:0,0)", "HDA Intel PCH: ALC257 Analog (hw:0,0)"),
    ]
    assert all(isinstance(c, InputChoice) for c in choices)


def test_two_sources_with_one_description_are_told_apart_by_their_names() -> None:
    twin = HEADSET_INPUT.replace("-00.", "-01.")
    sources = SOURCES_JSON[:-1] + SOURCES_JSON[SOURCES_JSON.rindex(',{"index":73') :].replace(
        HEADSET_INPUT, twin
    ).replace('"index":73', '"index":74')
    pactl = FakePactl({"-f json list sources": sources, "get-default-source": LAPTOP_INPUT})
    labels = [c.label for c in input_device_choices(desktop(), pactl)]
    assert labels[:3] == [
        "Built-in Audio Analog Stereo",
        f"USB Headset Microphone ({HEADSET_INPUT})",
        f"USB Headset Microphone ({twin})",
    ]


def test_without_pactl_settings_list_portaudio_names() -> None:
    choices = input_device_choices(desktop(), FakePactl({}))
    assert [c.label for c in choices] == [
        "HDA Intel PCH: ALC257 Analog (hw:0,0)",
        "pulse",
        "default",
    ]


def test_without_the_pulse_device_pactl_is_not_asked() -> None:
    pactl = server()
    choices = input_device_choices(FakeSoundDevice(), pactl)
    assert choices == ["Fake Microphone"]
    assert pactl.calls == []


@pytest.mark.parametrize(
    "device",
    [f"pulse:{HEADSET_INPUT}", "USB Headset Microphone", "headset", "usb headset microphone"],
)
def test_a_saved_choice_or_a_description_opens_pulse_with_that_source(device: str) -> None:
    target = find_input(desktop(), device, server())
    assert (target.index, target.label, target.pulse_source) == (
        1,
        "USB Headset Microphone",
        HEADSET_INPUT,
    )


@pytest.mark.parametrize(("device", "index"), [("pulse", 1), ("default", 2), (0, 0), (None, 0)])
def test_older_saved_values_still_resolve_unrouted(device: str | int | None, index: int) -> None:
    target = find_input(desktop(), device, server())
    assert (target.index, target.pulse_source) == (index, None)


def test_an_unknown_name_lists_the_descriptions() -> None:
    with pytest.raises(MicError) as caught:
        find_input(desktop(), "Blue Yeti", server())
    assert str(caught.value) == (
        "No input device named 'Blue Yeti'. Available input devices: "
        f"'Built-in Audio Analog Stereo' (pulse:{LAPTOP_INPUT}), "
        f"'USB Headset Microphone' (pulse:{HEADSET_INPUT}), "
        "0 'HDA Intel PCH: ALC257 Analog (hw:0,0)'."
    )


def test_an_unplugged_source_says_so() -> None:
    with pytest.raises(MicError, match=r"'alsa_input\.gone' is not connected\. Available input"):
        find_input(desktop(), "pulse:alsa_input.gone", server())


def test_a_source_without_the_pulse_device_cannot_open() -> None:
    with pytest.raises(MicError, match="no 'pulse' device"):
        find_input(FakeSoundDevice(), f"pulse:{HEADSET_INPUT}", server())


def test_mic_source_routes_the_stream_and_shows_the_description() -> None:
    backend = desktop()
    mic = MicSource(
        RingBuffer(capacity_seconds=5), f"pulse:{HEADSET_INPUT}", backend, pactl=server()
    )
    mic.start()
    try:
        assert os.environ["PULSE_SOURCE"] == HEADSET_INPUT
        assert mic.device_name == "USB Headset Microphone"
        assert backend.streams[-1].device == 1
    finally:
        mic.stop()
    # Back to a PortAudio device: Saytype's routing is undone.
    mic = MicSource(RingBuffer(capacity_seconds=5), "pulse", backend, pactl=server())
    mic.start()
    mic.stop()
    assert "PULSE_SOURCE" not in os.environ


@pytest.mark.integration
def test_pulseaudio_sources_are_listed_and_the_chosen_one_records() -> None:
    with portaudio_on_pulseaudio() as (daemon, sounddevice):
        # module-null-source takes description= (not source_properties=) in PulseAudio 16.
        daemon.pactl(
            "load-module", "module-null-source", "source_name=second", "description=Second"
        )
        choices = input_device_choices(sounddevice)
        labels = {str(choice): choice.label for choice in choices}
        # The default source is the "mic" null sink's monitor, so it is offered too.
        assert labels["pulse:second"] == "Second", labels
        assert labels["pulse:mic.monitor"] == "Monitor of Null Output", labels

        for chosen in ("second", "mic.monitor"):
            mic = MicSource(RingBuffer(capacity_seconds=5), f"pulse:{chosen}")
            mic.start()
            try:
                outputs = daemon.pactl("list", "source-outputs")
            finally:
                mic.stop()
            source_index = _source_index(daemon.pactl("list", "short", "sources"), chosen)
            assert re.findall(r"^\s*Source: (\d+)$", outputs, flags=re.MULTILINE) == [
                source_index
            ], outputs
            assert mic.device_name == labels[f"pulse:{chosen}"]


def _source_index(short_list: str, name: str) -> str:
    for line in short_list.splitlines():
        fields = line.split("\t")
        if len(fields) > 1 and fields[1] == name:
            return fields[0]
    raise AssertionError(f"no source {name!r}: {short_list}")


@pytest.mark.integration
def test_a_chosen_source_that_goes_away_is_told_with_the_sound_lost_in_the_move() -> None:
    with portaudio_on_pulseaudio() as (daemon, _sounddevice):
        # PulseAudio (since 14, as PipeWire) moves a stream whose source goes away to another.
        module = daemon.pactl(
            "load-module", "module-null-source", "source_name=second", "description=Second"
        ).strip()
        ring = RingBuffer(capacity_seconds=30)
        arrived, told = threading.Event(), threading.Event()
        lost: list[tuple[float, str | None]] = []

        def on_lost(seconds: float, gone: str | None) -> None:
            lost.append((seconds, gone))
            told.set()

        mic = MicSource(ring, "pulse:second", on_block=arrived.set, on_lost=on_lost)
        mic.start()
        try:
            assert arrived.wait(10), "no audio from the chosen source"
            daemon.pactl("unload-module", module)
            assert told.wait(10), "the move was not told"
            moved_at = ring.position
            arrived.clear()
            assert arrived.wait(10), "no audio after the move"
        finally:
            mic.stop()
        assert mic.error is None  # the stream went on, from another source
        assert mic.device_name == "the sound server's default input"  # what the window says
        assert ring.position > moved_at
        [(seconds, gone)] = lost
        assert gone == "Second"
        assert 0.3 < seconds < 5.0, seconds


def test_sound_lost_is_told_with_what_went_away_and_what_to_do() -> None:
    moved = lost_sound_notice(1.43, "USB Headset", dictating=True)
    assert moved == (
        "The microphone 'USB Headset' went away, and the sound server moved Saytype to another "
        "input. About 1.4 s of sound was lost from this dictation. Reconnect it, or choose an "
        "input in Settings."
    )
    idle = lost_sound_notice(1.43, "USB Headset", dictating=False)
    assert idle is not None
    assert "sound was lost" not in idle
    # A move the sound server made without a gap (the pactl check saw it): no "0.0 s lost".
    seamless = lost_sound_notice(0.0, "USB Headset", dictating=True)
    assert seamless is not None
    assert "sound was lost" not in seamless
    assert lost_sound_notice(0.6, None, dictating=False) is None  # nobody was speaking
    dropped = lost_sound_notice(0.6, None, dictating=True)
    assert dropped is not None
    assert dropped.startswith("About 0.6 s of sound was lost")
