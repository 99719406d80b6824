"""How Saytype's microphone stream is named to the sound server (PulseAudio, PipeWire).

PortAudio reaches the sound server through ALSA's ``pulse`` (or ``pipewire``)
plugin, which names every stream after the process: the desktop's "an app is
using the microphone" indicator and mixers then show "ALSA plug-in [python3.11]".
Neither plugin takes a name from its caller, but both read environment
variables when they connect, so naming the stream means setting those before
PortAudio opens it:

* libpulse (the ``pulse`` plugin, also against PipeWire's pipewire-pulse) merges
  ``PULSE_PROP`` into the client's properties without replacing any the plugin
  set itself, such as ``application.name``; ``PULSE_PROP_OVERRIDE`` replaces
  them. Both hold ``key='value'`` pairs separated by spaces
  (``pa_init_proplist`` in PulseAudio's ``pulsecore/proplist-util.c``).
* The ``pipewire`` plugin updates each stream's properties from
  ``PIPEWIRE_ALSA``, a SPA-JSON object (pipewire-alsa ``pcm.c``).

A property the user already set, in any of these variables, is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping

APP_NAME = "Saytype"
ICON_NAME = "saytype"  # the hicolor icon the desktop entry also names
APP_ID = "io.saytype.Saytype"

# PulseAudio's property names (pulse/proplist.h).
_PULSE_PROPERTIES = {
    "application.name": APP_NAME,
    "application.icon_name": ICON_NAME,
    "application.id": APP_ID,
}
# PipeWire spells the icon's key with a hyphen (PW_KEY_APP_ICON_NAME).
_PIPEWIRE_PROPERTIES = {
    "application.name": APP_NAME,
    "application.icon-name": ICON_NAME,
    "application.id": APP_ID,
}


def name_audio_client(environ: MutableMapping[str, str]) -> None:
    """Make the sound server show the microphone stream as Saytype, with its icon.

    Call before PortAudio opens a stream (the plugins read the variables when
    they connect). Safe to call more than once.

    Args:
        environ: the process environment (``os.environ``), updated in place.
    """
    missing = {
        key: value
        for key, value in _PULSE_PROPERTIES.items()
        if not _pulse_property_set(environ, key)
    }
    if missing:
        added = " ".join(f"{key}='{value}'" for key, value in missing.items())
        current = environ.get("PULSE_PROP_OVERRIDE", "").strip()
        environ["PULSE_PROP_OVERRIDE"] = f"{current} {added}".strip()
    if not environ.get("PIPEWIRE_ALSA", "").strip():
        pairs = " ".join(f'{key} = "{value}"' for key, value in _PIPEWIRE_PROPERTIES.items())
        environ["PIPEWIRE_ALSA"] = f"{{ {pairs} }}"


def _pulse_property_set(environ: Mapping[str, str], key: str) -> bool:
    """Whether the user already gives ``key`` to libpulse, in any of its four variables."""
    if f"PULSE_PROP_{key}" in environ or f"PULSE_PROP_OVERRIDE_{key}" in environ:
        return True
    pattern = re.compile(rf"(?:^|\s){re.escape(key)}\s*=")
    return any(
        pattern.search(environ.get(name, "")) for name in ("PULSE_PROP", "PULSE_PROP_OVERRIDE")
    )
