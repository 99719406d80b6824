"""Finding the microphone: load PortAudio lazily and pick an input device by index or name.

Kept apart from :mod:`app.core.audio.mic_source` so that the capture code stays
about capture, and so that a settings dialog can list input devices without
opening one. Every failure becomes a :class:`MicError` whose message tells the
user what to do, never a raw PortAudio traceback.

PortAudio lists devices once, when it is initialised: a microphone plugged in
later is invisible until it looks again (python-sounddevice#125), so
:func:`rescan_devices` re-initialises it before a failed open is retried.

Loading the real library also names Saytype's stream to the sound server
(:mod:`app.core.audio.client_identity`), so the desktop shows "Saytype" rather
than "ALSA plug-in [python3]" while the microphone is open.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from app.core.audio.client_identity import name_audio_client

DeviceInfo = Mapping[str, Any]

# ALSA's names for "whatever the sound server records from": when one of these
# cannot open, the server (PulseAudio, PipeWire) has no input at all.
_SOUND_SERVER_DEVICES = frozenset({"default", "pulse", "pipewire"})


class MicError(Exception):
    """The microphone cannot be used; the message says why and what to do."""


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


def input_device_names(backend: Any) -> list[str]:
    """Names of the devices that can record (for messages and a settings list)."""
    return [str(info["name"]) for info in query_devices(backend) if _is_input(info)]


def resolve_input_device(backend: Any, device: str | int | None) -> tuple[int, DeviceInfo]:
    """Pick the input device: ``None`` for the default, an index, or (part of) a name.

    Names match exactly first, then as a case-insensitive substring.

    Returns:
        The device index and its PortAudio description.

    Raises:
        MicError: there is no input device, or none (or several) match ``device``.
    """
    devices = query_devices(backend)
    inputs = [(index, info) for index, info in enumerate(devices) if _is_input(info)]
    if not inputs:
        seen = ", ".join(repr(str(info["name"])) for info in devices) or "none"
        raise MicError(
            "No microphone found: connect one or choose a device in settings "
            f"(devices seen: {seen})."
        )
    # With their numbers, which --device and the settings also accept.
    available = ", ".join(f"{index} {str(info['name'])!r}" for index, info in inputs)
    if device is None:
        default = _default_input(backend)
        for index, info in inputs:
            if index == default:
                return index, info
        return inputs[0]
    if isinstance(device, int):
        for index, info in inputs:
            if index == device:
                return index, info
        raise MicError(f"No input device number {device}. Available input devices: {available}.")
    wanted = device.strip().lower()
    exact = [(i, info) for i, info in inputs if str(info["name"]).lower() == wanted]
    if exact:
        return exact[0]
    partial = [(i, info) for i, info in inputs if wanted in str(info["name"]).lower()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(repr(str(info["name"])) for _, info in partial)
        raise MicError(f"Several input devices match {device!r}: {names}. Use the full name.")
    raise MicError(f"No input device named {device!r}. Available input devices: {available}.")


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
        terminate()
        initialize()
    except backend.PortAudioError as exc:
        raise MicError(f"The audio system cannot list devices: {exc}") from exc
    return True


def open_failure(device_name: str, error: Exception) -> MicError:
    """The user's message for a device that is listed but will not open."""
    if device_name.strip().lower() in _SOUND_SERVER_DEVICES:
        return MicError(
            "No microphone found: the sound system has no input to record from. "
            "Connect a microphone or choose one in Settings."
        )
    return MicError(
        f"Cannot open the microphone {device_name!r}: {error}. "
        "Connect it, close the program using it, or choose another one in Settings."
    )


def _is_input(info: DeviceInfo) -> bool:
    return int(info.get("max_input_channels", 0)) > 0


def _default_input(backend: Any) -> int | None:
    try:
        default = backend.default.device[0]
    except (AttributeError, IndexError, TypeError):
        return None
    return default if isinstance(default, int) and default >= 0 else None
