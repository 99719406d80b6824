"""Which modifier keys are held on the machine's keyboards, read from the kernel (evdev).

Wayland shows no client the keys held in other windows, but the uinput route
types through the kernel, so text typed while the hotkey's Ctrl or Shift is
still down turns into shortcuts. The uinput setup puts the user in the
``input`` group, which may also read ``/dev/input/event*``: the ``EVIOCGKEY``
ioctl there answers which keys each device holds right now, without reading
(or taking) any of its events. Devices that cannot be opened are skipped; with
none readable, no key counts as held, as on the other Wayland routes.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# linux/input-event-codes.h: the modifier keys, by the X11 modifier they act as.
MODIFIER_KEYCODES = {
    29: "control",  # KEY_LEFTCTRL
    97: "control",  # KEY_RIGHTCTRL
    42: "shift",  # KEY_LEFTSHIFT
    54: "shift",  # KEY_RIGHTSHIFT
    56: "mod1",  # KEY_LEFTALT
    100: "mod5",  # KEY_RIGHTALT (AltGr)
    125: "mod4",  # KEY_LEFTMETA
    126: "mod4",  # KEY_RIGHTMETA
}
_KEY_MAX = 0x2FF
_KEY_BYTES = (_KEY_MAX + 1 + 7) // 8  # KEY_CNT bits


def _ioc_read(number: int, size: int) -> int:
    """``_IOR('E', number, size)``: an evdev ioctl that reads ``size`` bytes."""
    return (2 << 30) | (size << 16) | (ord("E") << 8) | number


EVIOCGKEY = _ioc_read(0x18, _KEY_BYTES)

KeyStateReader = Callable[[str], bytes | None]


def read_key_state(path: str) -> bytes | None:
    """The device's held-key bitmask (bit N: key code N), or None when it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None  # not in the input group, or unplugged since the listing
    try:
        state = bytearray(_KEY_BYTES)
        fcntl.ioctl(fd, EVIOCGKEY, state, True)
        return bytes(state)
    except OSError as exc:
        log.debug("no key state from %s: %s", path, exc)
        return None
    finally:
        os.close(fd)


def held_modifiers(state: bytes) -> frozenset[str]:
    """The modifiers whose keys are down in an ``EVIOCGKEY`` bitmask."""
    return frozenset(
        name
        for code, name in MODIFIER_KEYCODES.items()
        if code // 8 < len(state) and state[code // 8] >> (code % 8) & 1
    )


def modifiers_held(
    devices: Iterable[str] | None = None, read: KeyStateReader = read_key_state
) -> frozenset[str]:
    """The modifiers held on any readable input device (``/dev/input/event*`` by default)."""
    if devices is None:
        devices = sorted(str(path) for path in Path("/dev/input").glob("event*"))
    paths = devices
    held: set[str] = set()
    for path in paths:
        state = read(path)
        if state is not None:
            held |= held_modifiers(state)
    return frozenset(held)
