"""Keys pressed in KWin as a keyboard presses them: ``org_kde_kwin_fake_input`` over raw Wayland.

KWin has no virtual-keyboard protocol for wtype, and there is no /dev/uinput
here; its own fake-input protocol (plasma-wayland-protocols ``fake-input.xml``,
``keyboard_key`` since version 4) feeds evdev key codes into KWin's input
pipeline, where its global shortcuts (kglobalaccel, run inside kwin_wayland)
see them like any keyboard's. KWin offers the protocol only to trusted
clients; the session runs with ``KWIN_WAYLAND_NO_PERMISSION_CHECKS=1``.

The wire format is small enough to speak directly (no pywayland): a message is
the object id, then ``size << 16 | opcode``, then 32-bit arguments, strings
length-prefixed and padded to 4 bytes.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from pathlib import Path

KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_LEFTALT, KEY_SPACE, KEY_ESC = 29, 42, 56, 57, 1
_DISPLAY = 1  # wl_display's object id
_FAKE_INPUT = "org_kde_kwin_fake_input"
_AUTHENTICATE, _KEYBOARD_KEY = 0, 10  # fake_input requests
_TIMEOUT_S = 10.0


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("<I", len(data)) + data + b"\0" * (-len(data) % 4)


class FakeKeyboard:
    """A connection to KWin that presses and releases evdev key codes."""

    def __init__(self, wayland_socket: Path) -> None:
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(_TIMEOUT_S)
        self._socket.connect(str(wayland_socket))
        self._next_id = 2
        self._buffer = b""
        registry = self._new_id()
        self._send(_DISPLAY, 1, struct.pack("<I", registry))  # get_registry
        globals_: dict[str, tuple[int, int]] = {}
        for obj, opcode, body in self._roundtrip():
            if obj == registry and opcode == 0:  # global(name, interface, version)
                name, length = struct.unpack_from("<II", body)
                interface = body[8 : 8 + length - 1].decode()
                (version,) = struct.unpack_from("<I", body, 8 + length + (-length % 4))
                globals_[interface] = (name, version)
        if globals_.get(_FAKE_INPUT, (0, 0))[1] < 4:
            raise RuntimeError(f"KWin offers no {_FAKE_INPUT} v4: {sorted(globals_)}")
        self._fake = self._new_id()
        bind = struct.pack("<I", globals_[_FAKE_INPUT][0]) + _string(_FAKE_INPUT)
        self._send(registry, 0, bind + struct.pack("<II", 4, self._fake))
        self._send(self._fake, _AUTHENTICATE, _string("saytype tests") + _string("press keys"))
        list(self._roundtrip())

    def press(self, *codes: int) -> None:
        """Press the keys in order; returns once KWin has them."""
        self._keys(codes, 1)

    def release(self, *codes: int) -> None:
        """Release the keys in order; returns once KWin has them."""
        self._keys(codes, 0)

    def close(self) -> None:
        """Disconnect (KWin releases nothing for us: release first)."""
        self._socket.close()

    def _keys(self, codes: tuple[int, ...], state: int) -> None:
        for code in codes:
            self._send(self._fake, _KEYBOARD_KEY, struct.pack("<II", code, state))
        list(self._roundtrip())

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        header = struct.pack("<II", obj, (8 + len(payload)) << 16 | opcode)
        self._socket.sendall(header + payload)

    def _roundtrip(self) -> Iterator[tuple[int, int, bytes]]:
        """The events up to a ``wl_display.sync``'s ``done``; raises on a protocol error."""
        callback = self._new_id()
        self._send(_DISPLAY, 0, struct.pack("<I", callback))  # sync
        while True:
            while len(self._buffer) >= 8:
                obj, size_opcode = struct.unpack_from("<II", self._buffer)
                size = size_opcode >> 16
                if len(self._buffer) < size:
                    break
                body, self._buffer = self._buffer[8:size], self._buffer[size:]
                if obj == _DISPLAY and size_opcode & 0xFFFF == 0:  # error
                    raise RuntimeError(f"Wayland protocol error: {body!r}")
                if obj == callback:
                    return
                yield obj, size_opcode & 0xFFFF, body
            data = self._socket.recv(65536)
            if not data:
                raise RuntimeError("KWin closed the connection")
            self._buffer += data
