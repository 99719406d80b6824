"""Whether the sound server (PulseAudio, or PipeWire's pulse service) answers, by ``pactl info``.

On a PulseAudio or PipeWire desktop every microphone is reached through the
sound server. When it is down, PortAudio lists no input at all, and "no
microphone found" would send the user looking for a cable; ``saytype doctor``
asks here first so that it can say what is wrong and how to start the server.
Without ``pactl`` nothing can be told (a desktop on plain ALSA need not have it).
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

_PACTL_TIMEOUT_S = 5.0
START_SERVER = (
    "Start it with `systemctl --user start pipewire-pulse` (PipeWire) or `pulseaudio --start` "
    "(PulseAudio), or log out and back in"
)


@dataclass(frozen=True)
class SoundServer:
    """What ``pactl info`` told.

    Attributes:
        running: True when the server answered, False when it did not, None when
            there was no ``pactl`` to ask.
        name: the server's name and version ("pulseaudio 16.1"), when it answered.
        error: pactl's reason ("Connection refused"), when it did not.
    """

    running: bool | None
    name: str = ""
    error: str = ""


def probe_sound_server(environ: Mapping[str, str]) -> SoundServer:
    """Ask the sound server that ``environ`` (``PULSE_SERVER``, ``XDG_RUNTIME_DIR``…) reaches."""
    try:
        done = subprocess.run(
            ["pactl", "info"],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=_PACTL_TIMEOUT_S,
            check=False,
            env={**environ, "LC_ALL": "C.UTF-8"},  # the lines read below are English
        )
    except FileNotFoundError:
        return SoundServer(None)
    except subprocess.TimeoutExpired:
        return SoundServer(False, error=f"no answer within {_PACTL_TIMEOUT_S:g} s")
    except OSError as exc:
        log.info("pactl did not run: %s", exc)
        return SoundServer(None)
    if done.returncode != 0:
        return SoundServer(False, error=connection_error(done.stderr))
    return SoundServer(True, name=server_name(done.stdout))


def connection_error(stderr: str) -> str:
    """The reason in pactl's "Connection failure: Connection refused" (its first line)."""
    first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    return first.partition("Connection failure:")[2].strip() or first or "no answer"


def server_name(info_text: str) -> str:
    """The ``Server Name:`` and ``Server Version:`` of ``pactl info``: "pulseaudio 16.1"."""
    fields = {}
    for line in info_text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    parts = (fields.get("Server Name", ""), fields.get("Server Version", ""))
    return " ".join(part for part in parts if part) or "the sound server"
