"""Finding the microphone: load PortAudio lazily and pick an input device by index or name.

Kept apart from :mod:`app.core.audio.mic_source` so that the capture code stays
about capture, and so that a settings dialog can list input devices without
opening one. Every failure becomes a :class:`MicError` whose message tells the
user what to do, never a raw PortAudio traceback.

PortAudio lists devices once, when it is initialised: a microphone plugged in
later is invisible until it looks again (python-sounddevice#125), so
:func:`rescan_devices` re-initialises it before a failed open is retried.

On a PulseAudio or PipeWire desktop PortAudio sees only ``pulse`` and
``default``; there the sound server's own sources are offered instead, by their
descriptions (:mod:`app.core.audio.pulse_sources`). Such a choice is saved as
``pulse:<source name>``, which stays the same when devices come and go, and opens
PortAudio's ``pulse`` device with ``PULSE_SOURCE`` pointing at it. Older saved
values (``pulse``, ``default``, a device's name or number) still resolve as before.

Loading the real library also names Saytype's stream to the sound server
(:mod:`app.core.audio.client_identity`), so the desktop shows "Saytype" rather
than "ALSA plug-in [python3]" while the microphone is open.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.audio.client_identity import name_audio_client
from app.core.audio.pulse_sources import (
    PactlRunner,
    PulseSource,
    all_sources,
    choosable_sources,
    default_source,
    run_pactl,
)

DeviceInfo = Mapping[str, Any]

# ALSA's names for "whatever the sound server records from": when one of these
# cannot open, the server (PulseAudio, PipeWire) has no input at all.
SERVER_DEFAULT_DEVICES = frozenset({"default", "pulse", "pipewire"})
PULSE_PREFIX = "pulse:"  # a saved choice "pulse:<source name>"
# PortAudio is one library for the whole process: a rescan terminates it, which frees every
# stream open at that moment, and a stream freed under its writer corrupts the heap (a new
# user's Saytype aborted when a sound cue played while the microphone looked for devices
# again). A stream opened beside the microphone's (the cues') is open only under this lock.
PORTAUDIO_STREAMS = threading.Lock()
_PULSE_DEVICE = "pulse"  # PortAudio's ALSA device that reaches libpulse, which reads PULSE_SOURCE


class MicError(Exception):
    """The microphone cannot be used; the message says why and what to do."""


class MicNotFound(MicError):
    """The input asked for (a number, a name, a sound-server source) is not there now."""


def load_backend(backend: Any = None) -> Any:
    """Return ``backend``, or the ``sounddevice`` module imported now.

    Raises:
        MicError: the PortAudio library (or sounddevice itself) is not installed.
    """
    if backend is not None:
        return backend
    name_audio_client(os.environ)  # read when a stream connects to the sound server
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio2 is missing
        raise MicError("PortAudio is missing: install libportaudio2") from exc
    except ImportError as exc:
        raise MicError("sounddevice is not installed: reinstall saytype") from exc
    return sounddevice


def query_devices(backend: Any) -> list[DeviceInfo]:
    """Every device PortAudio knows, inputs and outputs, in index order.

    Raises:
        MicError: PortAudio cannot list devices.
    """
    try:
        return list(backend.query_devices())
    except backend.PortAudioError as exc:
        raise MicError(f"The audio system cannot list devices: {exc}") from exc


class InputChoice(str):
    """A microphone to offer: the setting's value (this string) and the label shown for it.

    A ``str`` so that it travels through code that lists devices as names.
    """

    label: str

    def __new__(cls, value: str, label: str | None = None) -> InputChoice:
        choice = super().__new__(cls, value)
        choice.label = value if label is None else label
        return choice


@dataclass(frozen=True)
class InputTarget:
    """A resolved input: what to open, what to call it, and where to route the sound server.

    Attributes:
        index: the PortAudio device number.
        info: its PortAudio description.
        label: the name to show the user.
        pulse_source: the PulseAudio source to set as ``PULSE_SOURCE``, or None.
    """

    index: int
    info: DeviceInfo
    label: str
    pulse_source: str | None = None


def input_device_choices(backend: Any, pactl: PactlRunner = run_pactl) -> list[InputChoice]:
    """The microphones to offer in Settings: sound-server sources by description, when known.

    Args:
        backend: the sounddevice module or a fake.
        pactl: runs ``pactl`` (asked only when PortAudio lists the ``pulse`` device).
    """
    inputs = [(index, info) for index, info in enumerate(query_devices(backend)) if _is_input(info)]
    return _Inputs(inputs, pactl).choices()


def find_input(
    backend: Any, device: str | int | None, pactl: PactlRunner = run_pactl
) -> InputTarget:
    """Pick the input: ``None`` for the default, an index, ``pulse:<source>``, or (part of) a name.

    Names match PortAudio's names exactly first, then sound-server descriptions
    exactly, then either as a case-insensitive substring.

    Raises:
        MicError: there is no input device, or none (or several) match ``device``.
    """
    devices = query_devices(backend)
    inputs = [(index, info) for index, info in enumerate(devices) if _is_input(info)]
    if not inputs and not devices:
        # Not even a speaker: PortAudio reached no sound server, or found no sound card.
        raise MicError(
            "No microphone found: the sound system lists no devices at all, so the sound "
            "server (PipeWire or PulseAudio) may not be running. `saytype doctor` checks it."
        )
    if not inputs:
        seen = ", ".join(repr(str(info["name"])) for info in devices)
        raise MicError(
            "No microphone found: connect one, or choose another input (Settings → Audio, "
            f"or --device on the command line). Devices seen: {seen}."
        )
    found = _Inputs(inputs, pactl)
    if device is None:
        default = _default_input(backend)
        for index, info in inputs:
            if index == default:
                return _target(index, info)
        return _target(*inputs[0])
    if isinstance(device, int):
        for index, info in inputs:
            if index == device:
                return _target(index, info)
        raise MicNotFound(
            f"No input device number {device}. Available input devices: {found.available()}."
        )
    if device.startswith(PULSE_PREFIX):
        return found.pulse_target(device[len(PULSE_PREFIX) :])
    wanted = device.strip().lower()
    exact = [_target(i, info) for i, info in inputs if str(info["name"]).lower() == wanted]
    exact += [
        found.pulse_target(s.name) for s in found.sources() if s.description.lower() == wanted
    ]
    if exact:
        return exact[0]
    partial = [_target(i, info) for i, info in inputs if wanted in str(info["name"]).lower()]
    partial += [
        found.pulse_target(s.name)
        for s in found.choosable()
        if wanted in s.description.lower() or wanted in s.name.lower()
    ]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(repr(target.label) for target in partial)
        raise MicError(f"Several input devices match {device!r}: {names}. Use the full name.")
    raise MicNotFound(
        f"No input device named {device!r}. Available input devices: {found.available()}."
    )


def rescan_devices(backend: Any) -> bool:
    """Make PortAudio list the devices again (sounddevice only; a fake has nothing to rescan).

    Only safe while no stream is open: PortAudio closes every stream when it terminates.

    Returns:
        True when the device list was refreshed.
    """
    terminate = getattr(backend, "_terminate", None)
    initialize = getattr(backend, "_initialize", None)
    if terminate is None or initialize is None:
        return False
    try:
        with PORTAUDIO_STREAMS:  # after a cue that plays now, never under it
            terminate()
            initialize()
    except backend.PortAudioError as exc:
        raise MicError(f"The audio system cannot list devices: {exc}") from exc
    return True


def chosen_input_back(device: str | int | None, run: PactlRunner = run_pactl) -> bool:
    """Whether a saved sound-server source, once gone, is listed again.

    Only a ``pulse:`` choice can be told without closing the stream: PortAudio lists
    its own devices once, and looking again would end the recording it serves.
    """
    if not isinstance(device, str) or not device.startswith(PULSE_PREFIX):
        return False
    return device[len(PULSE_PREFIX) :] in {source.name for source in all_sources(run)}


def stand_in_notice(device: str | int) -> str:
    """What to say when the default input stands in for ``device``, which is not there."""
    name = device.removeprefix(PULSE_PREFIX) if isinstance(device, str) else device
    return (
        f"The microphone {name!r} chosen in Settings is not connected, so Saytype listens to "
        "the default input. Connect it, or choose another in Settings → Audio."
    )


def open_failure(device_name: str, error: Exception) -> MicError:
    """The user's message for a device that is listed but will not open."""
    if device_name.strip().lower() in SERVER_DEFAULT_DEVICES:
        return MicError(
            "No microphone found: the sound system has no input to record from. "
            "Connect a microphone or choose one in Settings."
        )
    return MicError(
        f"Cannot open the microphone {device_name!r}: {_plainly(str(error))}. "
        "Connect it, close the program using it, or choose another one in Settings. "
        f"(The sound system said: {error}.)"
    )


# PortAudio's words for a device it cannot open, and what they mean to a user.
_PLAIN_OPEN_ERRORS = (
    ("Device unavailable", "it is in use or not available"),
    ("Invalid device", "the sound system no longer has it"),
    ("Invalid sample rate", "it does not record at a rate Saytype can use"),
    ("host error", "the sound system could not open it (it may have been unplugged)"),
)


def _plainly(error: str) -> str:
    """What a PortAudio error means, in words a user knows."""
    for words, meaning in _PLAIN_OPEN_ERRORS:
        if words.lower() in error.lower():
            return meaning
    return "the sound system could not open it"


class _Inputs:
    """PortAudio's inputs, and the sound server's sources when PortAudio reaches it via ``pulse``.

    pactl is asked at most once, and only when it can matter.
    """

    def __init__(self, inputs: list[tuple[int, DeviceInfo]], pactl: PactlRunner) -> None:
        self.inputs = inputs
        self._pactl = pactl
        self._sources: list[PulseSource] | None = None
        self._default_source: str | None = None
        self.pulse = next(
            ((i, info) for i, info in inputs if str(info["name"]) == _PULSE_DEVICE), None
        )

    def sources(self) -> list[PulseSource]:
        """Every server source, monitors included; empty without the ``pulse`` device or pactl."""
        if self._sources is None:
            self._sources = all_sources(self._pactl) if self.pulse is not None else []
            if self._sources:
                self._default_source = default_source(self._pactl)
        return self._sources

    def choosable(self) -> list[PulseSource]:
        """The sources worth offering (no monitors, except the default source)."""
        return choosable_sources(self.sources(), self._default_source)

    def choices(self) -> list[InputChoice]:
        """Server sources by description, then PortAudio's other inputs by name."""
        names = [str(info["name"]) for _, info in self.inputs]
        offered = self.choosable()
        if not offered:
            return [InputChoice(name) for name in names]
        return [InputChoice(PULSE_PREFIX + s.name, _label(s, offered)) for s in offered] + [
            InputChoice(name) for name in names if name.lower() not in SERVER_DEFAULT_DEVICES
        ]

    def available(self) -> str:
        """The inputs for an error message, with what --device and the settings accept."""
        offered = self.choosable()
        if not offered:  # with their numbers, which --device and the settings also accept
            return ", ".join(f"{index} {str(info['name'])!r}" for index, info in self.inputs)
        server = [f"{s.description!r} ({PULSE_PREFIX}{s.name})" for s in offered]
        others = [
            f"{index} {str(info['name'])!r}"
            for index, info in self.inputs
            if str(info["name"]).lower() not in SERVER_DEFAULT_DEVICES
        ]
        return ", ".join(server + others)

    def pulse_target(self, source: str) -> InputTarget:
        """Open ``source`` through PortAudio's ``pulse`` device.

        Raises:
            MicError: PortAudio has no ``pulse`` device, or the server no such source.
        """
        if self.pulse is None:
            raise MicError(
                f"The microphone {source!r} is on the PulseAudio sound server, which the "
                "audio system cannot reach (no 'pulse' device): choose another one in Settings."
            )
        sources = self.sources()
        known = next((s for s in sources if s.name == source), None)
        if known is None and sources:  # with no answer from pactl, just try it
            raise MicNotFound(
                f"The microphone {source!r} is not connected. "
                f"Available input devices: {self.available()}."
            )
        label = known.description if known is not None else source
        return InputTarget(self.pulse[0], self.pulse[1], label, source)


def _label(source: PulseSource, offered: list[PulseSource]) -> str:
    """The source's description, with its server name when another source shares it.

    Two identical USB microphones, or a card the server lists twice, would otherwise
    read the same in Settings, and the user could not tell which one they chose.
    """
    shared = sum(1 for other in offered if other.description == source.description) > 1
    return f"{source.description} ({source.name})" if shared else source.description


def _target(index: int, info: DeviceInfo) -> InputTarget:
    return InputTarget(index, info, str(info["name"]))


def _is_input(info: DeviceInfo) -> bool:
    return int(info.get("max_input_channels", 0)) > 0


def _default_input(backend: Any) -> int | None:
    try:
        default = backend.default.device[0]
    except (AttributeError, IndexError, TypeError):
        return None
    return default if isinstance(default, int) and default >= 0 else None
