"""Reading the sound server's sources from pactl: captured JSON and text, defaults, failures."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.audio.pulse_sources import (
    PulseSource,
    all_sources,
    choosable_sources,
    default_source,
    parse_default_source,
    parse_sources_json,
    parse_sources_text,
    route_to_source,
)

LAPTOP_INPUT = "alsa_input.pci-0000_00_1f.3.analog-stereo"
HEADSET_INPUT = "alsa_input.usb-Logitech_USB_Headset-00.mono-fallback"
SPEAKER_MONITOR = "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor"

# `pactl -f json list sources` (pactl 16.1 against pipewire-pulse), trimmed of volumes.
SOURCES_JSON = (
    '[{"index":55,"state":"SUSPENDED",'
    f'"name":"{SPEAKER_MONITOR}",'
    '"description":"Monitor of Built-in Audio Analog Stereo","driver":"PipeWire",'
    '"sample_specification":"s32le 2ch 48000Hz","channel_map":"front-left,front-right",'
    '"owner_module":4294967295,"mute":false,'
    '"monitor_source":"alsa_output.pci-0000_00_1f.3.analog-stereo",'
    '"latency":{"actual":0.00,"configured":0.00},"flags":["HARDWARE","DECIBEL_VOLUME","LATENCY"],'
    '"properties":{"device.description":"Monitor of Built-in Audio Analog Stereo",'
    '"device.class":"monitor","media.class":"Audio/Sink"},"ports":[],"active_port":null,'
    '"formats":["pcm"]},'
    '{"index":56,"state":"RUNNING",'
    f'"name":"{LAPTOP_INPUT}",'
    '"description":"Built-in Audio Analog Stereo","driver":"PipeWire",'
    '"sample_specification":"s32le 2ch 48000Hz","channel_map":"front-left,front-right",'
    '"owner_module":4294967295,"mute":false,"monitor_source":"",'
    '"latency":{"actual":0.00,"configured":0.00},"flags":["HARDWARE","HW_MUTE_CTRL"],'
    '"properties":{"alsa.card_name":"HDA Intel PCH","device.description":'
    '"Built-in Audio Analog Stereo","device.class":"sound","media.class":"Audio/Source"},'
    '"ports":[{"name":"analog-input-internal-mic","description":"Internal Microphone",'
    '"type":"Mic","priority":8900,"availability_group":"","availability":"unknown"}],'
    '"active_port":"analog-input-internal-mic","formats":["pcm"]},'
    '{"index":73,"state":"SUSPENDED",'
    f'"name":"{HEADSET_INPUT}",'
    '"description":"USB Headset Microphone","driver":"PipeWire",'
    '"sample_specification":"s16le 1ch 48000Hz","channel_map":"mono",'
    '"owner_module":4294967295,"mute":false,"monitor_source":"",'
    '"latency":{"actual":0.00,"configured":0.00},"flags":["HARDWARE","DECIBEL_VOLUME"],'
    '"properties":{"device.description":"USB Headset Microphone","device.bus":"usb"},'
    '"ports":[],"active_port":null,"formats":["pcm"]}]'
)

# `pactl list sources` (pactl 14.2 against PulseAudio 14), trimmed of volumes.
SOURCES_TEXT = f"""Source #0
\tState: SUSPENDED
\tName: {SPEAKER_MONITOR}
\tDescription: Monitor of Built-in Audio Analog Stereo
\tDriver: module-alsa-card.c
\tSample Specification: s16le 2ch 44100Hz
\tChannel Map: front-left,front-right
\tOwner Module: 7
\tMute: no
\tMonitor of Sink: alsa_output.pci-0000_00_1f.3.analog-stereo
\tLatency: 0 usec, configured 0 usec
\tFlags: DECIBEL_VOLUME LATENCY
\tProperties:
\t\tdevice.description = "Monitor of Built-in Audio Analog Stereo"
\t\tdevice.class = "monitor"
\tFormats:
\t\tpcm

Source #1
\tState: RUNNING
\tName: {LAPTOP_INPUT}
\tDescription: Built-in Audio Analog Stereo
\tDriver: module-alsa-card.c
\tSample Specification: s16le 2ch 44100Hz
\tChannel Map: front-left,front-right
\tOwner Module: 7
\tMute: no
\tMonitor of Sink: n/a
\tLatency: 1995 usec, configured 2000 usec
\tFlags: HARDWARE HW_MUTE_CTRL HW_VOLUME_CTRL DECIBEL_VOLUME LATENCY
\tProperties:
\t\talsa.card_name = "HDA Intel PCH"
\t\tdevice.description = "Built-in Audio Analog Stereo"
\t\tdevice.class = "sound"
\tPorts:
\t\tanalog-input-internal-mic: Internal Microphone (type: Mic, priority: 8900, available)
\tActive Port: analog-input-internal-mic
\tFormats:
\t\tpcm

Source #9
\tState: SUSPENDED
\tName: {HEADSET_INPUT}
\tDescription: USB Headset Microphone
\tDriver: module-alsa-card.c
\tMonitor of Sink: n/a
\tProperties:
\t\tdevice.description = "USB Headset Microphone"
\t\tdevice.bus = "usb"
\tFormats:
\t\tpcm
"""

INFO_TEXT = f"""Server String: /run/user/1000/pulse/native
Library Protocol Version: 34
Server Protocol Version: 34
Is Local: yes
Client Index: 27
Tile Size: 65472
User Name: ada
Host Name: laptop
Server Name: pulseaudio
Server Version: 14.2
Default Sample Specification: s16le 2ch 44100Hz
Default Channel Map: front-left,front-right
Default Sink: alsa_output.pci-0000_00_1f.3.analog-stereo
Default Source: {SPEAKER_MONITOR}
Cookie: 8a1c:02f4
"""

ALL_THREE = [
    PulseSource(
        SPEAKER_MONITOR,
        "Monitor of Built-in Audio Analog Stereo",
        "alsa_output.pci-0000_00_1f.3.analog-stereo",
    ),
    PulseSource(LAPTOP_INPUT, "Built-in Audio Analog Stereo"),
    PulseSource(HEADSET_INPUT, "USB Headset Microphone"),
]


class FakePactl:
    """Answers pactl commands from canned output; a missing answer is a failed command."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, args: Sequence[str]) -> str | None:
        command = " ".join(args)
        self.calls.append(command)
        return self.answers.get(command)


def test_reads_the_json_list() -> None:
    assert parse_sources_json(SOURCES_JSON) == ALL_THREE


def test_reads_the_text_list() -> None:
    assert parse_sources_text(SOURCES_TEXT) == ALL_THREE


def test_reads_the_default_source_from_info() -> None:
    assert parse_default_source(INFO_TEXT) == SPEAKER_MONITOR
    assert parse_default_source("Server Name: pulseaudio\n") is None


def list_sources(pactl: FakePactl) -> list[PulseSource]:
    """The sources offered, composed as mic_devices composes them."""
    return choosable_sources(all_sources(pactl), default_source(pactl))


def test_offers_real_inputs_and_leaves_monitors_out() -> None:
    pactl = FakePactl(
        {
            "-f json list sources": SOURCES_JSON,
            "get-default-source": f"{LAPTOP_INPUT}\n",
        }
    )
    assert list_sources(pactl) == ALL_THREE[1:]


def test_offers_a_monitor_that_is_the_default_source() -> None:
    pactl = FakePactl({"-f json list sources": SOURCES_JSON, "info": INFO_TEXT})
    assert list_sources(pactl) == ALL_THREE
    assert pactl.calls == ["-f json list sources", "get-default-source", "info"]


def test_an_older_pactl_is_read_as_text() -> None:
    # pactl before 16 knows neither -f json nor get-default-source.
    pactl = FakePactl({"list sources": SOURCES_TEXT, "info": INFO_TEXT})
    assert list_sources(pactl) == ALL_THREE
    assert default_source(pactl) == SPEAKER_MONITOR


def test_garbled_json_falls_back_to_text() -> None:
    pactl = FakePactl({"-f json list sources": "Connection failure", "list sources": SOURCES_TEXT})
    assert [source.name for source in list_sources(pactl)] == [LAPTOP_INPUT, HEADSET_INPUT]


def test_no_pactl_or_no_server_lists_nothing() -> None:
    pactl = FakePactl({})
    assert list_sources(pactl) == []
    assert default_source(pactl) is None


def test_routing_sets_and_undoes_only_its_own_source() -> None:
    environ = {"HOME": "/home/ada"}
    route_to_source(environ, HEADSET_INPUT)
    assert environ["PULSE_SOURCE"] == HEADSET_INPUT
    route_to_source(environ, None)
    assert environ == {"HOME": "/home/ada"}

    users = {"PULSE_SOURCE": "my.own.source"}
    route_to_source(users, None)
    assert users == {"PULSE_SOURCE": "my.own.source"}
