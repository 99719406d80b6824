"""The microphone stream is named "Saytype" to the sound server, not "ALSA plug-in [python3]".

The unit tests check the environment variables the ALSA plugins read; the
integration test opens the app's microphone against a private PulseAudio daemon
and asks ``pactl`` what the desktop sees.
"""

from __future__ import annotations

import re

import pytest

from app.core.audio.client_identity import name_audio_client
from app.core.audio.mic_source import MicSource
from app.core.audio.ring_buffer import RingBuffer
from tests.support.pulse import portaudio_on_pulseaudio

NAMING_VARIABLES = ("PULSE_PROP", "PULSE_PROP_OVERRIDE", "PIPEWIRE_ALSA")


def test_names_the_client_for_libpulse_and_pipewire() -> None:
    environ: dict[str, str] = {}
    name_audio_client(environ)
    assert environ["PULSE_PROP_OVERRIDE"] == (
        "application.name='Saytype' application.icon_name='saytype' "
        "application.id='io.saytype.Saytype'"
    )
    assert environ["PIPEWIRE_ALSA"] == (
        '{ application.name = "Saytype" application.icon-name = "saytype" '
        'application.id = "io.saytype.Saytype" }'
    )


def test_naming_twice_changes_nothing() -> None:
    environ: dict[str, str] = {}
    name_audio_client(environ)
    once = dict(environ)
    name_audio_client(environ)
    assert environ == once


def test_keeps_the_users_own_properties_and_adds_the_rest() -> None:
    environ = {
        "PULSE_PROP_OVERRIDE": "media.role='phone' application.name='My dictation'",
        "PULSE_PROP_application.icon_name": "microphone",
        "PULSE_PROP": "application.id = org.example.Mine",
        "PIPEWIRE_ALSA": "{ node.latency = 512/48000 }",
        "HOME": "/home/user",
    }
    name_audio_client(environ)
    assert environ["PULSE_PROP_OVERRIDE"] == "media.role='phone' application.name='My dictation'"
    assert environ["PIPEWIRE_ALSA"] == "{ node.latency = 512/48000 }"
    assert environ["HOME"] == "/home/user"


def test_a_key_that_only_ends_like_ours_is_not_ours() -> None:
    environ = {"PULSE_PROP_OVERRIDE": "x-application.name=Other"}
    name_audio_client(environ)
    assert "application.name='Saytype'" in environ["PULSE_PROP_OVERRIDE"]
    assert environ["PULSE_PROP_OVERRIDE"].startswith("x-application.name=Other ")


@pytest.mark.integration
def test_pulseaudio_shows_the_open_microphone_as_saytype(monkeypatch: pytest.MonkeyPatch) -> None:
    def forget_naming() -> None:
        for name in NAMING_VARIABLES:  # undone at teardown: no name leaks to other tests
            monkeypatch.delenv(name, raising=False)

    forget_naming()
    with portaudio_on_pulseaudio() as (daemon, _sounddevice):
        # The helper loaded PortAudio, which named the process; forget that, so
        # that only the app's own microphone path can name the stream.
        forget_naming()
        mic = MicSource(RingBuffer(capacity_seconds=5))  # no backend: the real sounddevice
        mic.start()
        try:
            outputs = daemon.pactl("list", "source-outputs")
        finally:
            mic.stop()
    properties = dict(re.findall(r'^\s*([\w.]+) = "(.*)"$', outputs, flags=re.MULTILINE))
    assert properties.get("application.name") == "Saytype", outputs
    assert properties.get("application.icon_name") == "saytype", outputs
    assert properties.get("application.id") == "io.saytype.Saytype", outputs
