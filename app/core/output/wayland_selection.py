"""Owning the Wayland clipboard with several formats at once, through wlr-data-control.

``wl-copy`` offers one MIME type per call, each call replacing the last, so
it cannot give back a clipboard that held text *and* an image: that needs one
source offering every format (decision 0013). So Saytype speaks
the ``zwlr_data_control_v1`` protocol itself (the one wl-clipboard uses; sway,
Hyprland, KDE Plasma and other wlroots compositors offer it; GNOME does not):
a few requests on the display socket, and a thread that answers each paste
with the saved bytes until another client takes the clipboard.

The wire format is Wayland's own (little-endian words; strings with their
length and a NUL, padded to 4 bytes; file descriptors beside the bytes), so
no binding library is needed for these dozen messages.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
from collections import deque
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

log = logging.getLogger(__name__)

_DISPLAY_ID = 1
_CONNECT_TIMEOUT_S = 5.0
_MAX_FDS = 28  # libwayland's own limit per message
# Object ids this client creates, in order.
_REGISTRY, _SETUP_SYNC, _SEAT, _MANAGER, _SOURCE, _DEVICE, _SET_SYNC = range(2, 9)
# Opcodes (the protocol XML's order).
_DISPLAY_SYNC, _DISPLAY_GET_REGISTRY = 0, 1
_DISPLAY_ERROR = 0
_REGISTRY_BIND = 0
_REGISTRY_GLOBAL = 0
_CALLBACK_DONE = 0
_MANAGER_CREATE_SOURCE, _MANAGER_GET_DEVICE = 0, 1
_DEVICE_SET_SELECTION = 0
_SOURCE_OFFER = 0
_SOURCE_SEND, _SOURCE_CANCELLED = 0, 1
_MANAGER_INTERFACE = "zwlr_data_control_manager_v1"

MESSAGE_NO_DATA_CONTROL = (
    "This compositor does not let apps set the clipboard (no wlr-data-control; GNOME has none)"
)


class SelectionError(RuntimeError):
    """The Wayland clipboard could not be set (no display, no data-control, a protocol error)."""


class SelectionOwner:
    """Holds the Wayland clipboard with ``formats`` until another client takes it.

    With no formats it clears the clipboard and holds nothing. Construction
    returns once the compositor has made it the selection, so a paste sent
    afterwards gets these bytes.
    """

    def __init__(self, formats: Mapping[str, bytes], environ: Mapping[str, str]) -> None:
        """Connect, offer every format, set the selection and wait until it is set.

        Raises:
            SelectionError: No Wayland display, no data-control, or the compositor refused.
        """
        self._formats = dict(formats)
        self._fetched = threading.Event()
        self._replaced = threading.Event()
        self._armed = threading.Event()
        self._wire = _Wire(_socket_path(environ))
        try:
            self._take_selection()
        except BaseException:
            self._wire.close()
            raise
        if not self._formats:  # a cleared clipboard: nothing to serve
            self._wire.close()
            self._replaced.set()
            return
        self._wire.wait_without_timeout()
        threading.Thread(target=self._serve, name="wayland-selection", daemon=True).start()

    def arm(self) -> None:
        """Count fetches from here on (earlier ones: a clipboard manager copying it)."""
        self._fetched.clear()
        self._armed.set()

    def wait_for_fetch(self, timeout_s: float) -> bool:
        """Whether an application fetched a format after :meth:`arm`, within ``timeout_s``."""
        return self._fetched.wait(timeout_s)

    def wait_for_replacement(self, timeout_s: float) -> bool:
        """Whether another client takes the clipboard within ``timeout_s``."""
        return self._replaced.wait(timeout_s)

    @property
    def replaced(self) -> bool:
        """Another client took the clipboard (or this owner was closed)."""
        return self._replaced.is_set()

    def close(self) -> None:
        """Stop serving; the clipboard empties unless another client took it already."""
        self._wire.close()

    def _take_selection(self) -> None:
        wire = self._wire
        wire.send(_DISPLAY_ID, _DISPLAY_GET_REGISTRY, _uint(_REGISTRY))
        globals_: dict[str, tuple[int, int]] = {}
        wire.send(_DISPLAY_ID, _DISPLAY_SYNC, _uint(_SETUP_SYNC))
        for object_id, opcode, payload in wire.events_until(_SETUP_SYNC):
            if object_id == _REGISTRY and opcode == _REGISTRY_GLOBAL:
                name, interface, version = _parse_global(payload)
                globals_.setdefault(interface, (name, version))
        if _MANAGER_INTERFACE not in globals_:
            raise SelectionError(MESSAGE_NO_DATA_CONTROL)
        if "wl_seat" not in globals_:
            raise SelectionError("The Wayland session has no seat to hold a clipboard")
        wire.send(_REGISTRY, _REGISTRY_BIND, _bind_args(globals_["wl_seat"], "wl_seat", _SEAT))
        manager = globals_[_MANAGER_INTERFACE]
        wire.send(_REGISTRY, _REGISTRY_BIND, _bind_args(manager, _MANAGER_INTERFACE, _MANAGER))
        wire.send(_MANAGER, _MANAGER_CREATE_SOURCE, _uint(_SOURCE))
        for mime in self._formats:
            wire.send(_SOURCE, _SOURCE_OFFER, _string(mime))
        wire.send(_MANAGER, _MANAGER_GET_DEVICE, _uint(_DEVICE) + _uint(_SEAT))
        source = _SOURCE if self._formats else 0  # 0: no source, the clipboard is cleared
        wire.send(_DEVICE, _DEVICE_SET_SELECTION, _uint(source))
        wire.send(_DISPLAY_ID, _DISPLAY_SYNC, _uint(_SET_SYNC))
        for object_id, opcode, payload in wire.events_until(_SET_SYNC):
            if object_id == _SOURCE and opcode == _SOURCE_CANCELLED:
                self._replaced.set()  # taken at once by another client
            elif object_id == _SOURCE and opcode == _SOURCE_SEND:
                self._answer(payload)

    def _serve(self) -> None:
        """Thread: answer each paste until another client takes the clipboard."""
        try:
            while not self._replaced.is_set():
                object_id, opcode, payload = self._wire.next_event()
                if object_id != _SOURCE:
                    continue
                if opcode == _SOURCE_SEND:
                    self._answer(payload)
                elif opcode == _SOURCE_CANCELLED:
                    break
        except (OSError, SelectionError) as exc:
            if not self._wire.closed:
                log.info("the clipboard connection ended: %s", exc)
        finally:
            self._replaced.set()
            self._wire.close()

    def _answer(self, payload: bytes) -> None:
        mime, _ = _parse_string(payload, 0)
        fd = self._wire.take_fd()
        data = self._formats.get(mime, b"")
        if self._armed.is_set():
            self._fetched.set()
        # A reader that stops reading must not stall the clipboard: one writer per request.
        threading.Thread(target=_write_and_close, args=(fd, data), daemon=True).start()


def compositor_interfaces(environ: Mapping[str, str]) -> frozenset[str]:
    """The protocols the session's compositor offers (``wl_registry`` globals), by name.

    Raises:
        SelectionError: No Wayland display answers.
    """
    wire = _Wire(_socket_path(environ))
    try:
        wire.send(_DISPLAY_ID, _DISPLAY_GET_REGISTRY, _uint(_REGISTRY))
        wire.send(_DISPLAY_ID, _DISPLAY_SYNC, _uint(_SETUP_SYNC))
        return frozenset(
            _parse_global(payload)[1]
            for object_id, opcode, payload in wire.events_until(_SETUP_SYNC)
            if object_id == _REGISTRY and opcode == _REGISTRY_GLOBAL
        )
    finally:
        wire.close()


class _Wire:
    """One connection to the compositor: messages out, events and their fds in."""

    def __init__(self, path: str) -> None:
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(_CONNECT_TIMEOUT_S)
        try:
            self._socket.connect(path)
        except OSError as exc:
            self._socket.close()
            raise SelectionError(f"cannot reach the Wayland display at {path}: {exc}") from exc
        self._buffer = b""
        self._fds: deque[int] = deque()
        self._send_lock = threading.Lock()
        self.closed = False

    def send(self, object_id: int, opcode: int, args: bytes = b"") -> None:
        size = 8 + len(args)
        with self._send_lock:
            self._socket.sendall(struct.pack("<II", object_id, size << 16 | opcode) + args)

    def events_until(self, callback_id: int) -> list[tuple[int, int, bytes]]:
        """Every event up to the ``done`` of ``callback_id`` (a round trip), in order."""
        events: list[tuple[int, int, bytes]] = []
        while True:
            object_id, opcode, payload = self.next_event()
            if object_id == callback_id and opcode == _CALLBACK_DONE:
                return events
            events.append((object_id, opcode, payload))

    def next_event(self) -> tuple[int, int, bytes]:
        while True:
            if len(self._buffer) >= 8:
                object_id, word = struct.unpack_from("<II", self._buffer)
                size = word >> 16
                if len(self._buffer) >= size:
                    payload = self._buffer[8:size]
                    self._buffer = self._buffer[size:]
                    if object_id == _DISPLAY_ID and word & 0xFFFF == _DISPLAY_ERROR:
                        raise SelectionError(f"the compositor refused: {_error_text(payload)}")
                    return object_id, word & 0xFFFF, payload
            self._receive()

    def wait_without_timeout(self) -> None:
        """From here on, wait for events as long as it takes (the owner waits for pastes)."""
        self._socket.settimeout(None)

    def take_fd(self) -> int:
        if not self._fds:
            raise SelectionError("a paste request came without its pipe")
        return self._fds.popleft()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        while self._fds:
            os.close(self._fds.popleft())

    def _receive(self) -> None:
        data, fds, _flags, _address = socket.recv_fds(self._socket, 65536, _MAX_FDS)
        if not data:
            raise SelectionError("the compositor closed the connection")
        self._buffer += data
        self._fds.extend(fds)


def _write_and_close(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:  # the reader went away: its loss
        log.debug("a clipboard reader left early: %s", exc)
    finally:
        os.close(fd)


def _socket_path(environ: Mapping[str, str]) -> str:
    display = environ.get("WAYLAND_DISPLAY") or "wayland-0"
    if Path(display).is_absolute():
        return display
    runtime = environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise SelectionError("XDG_RUNTIME_DIR is not set, so the Wayland display cannot be found")
    return str(Path(runtime) / display)


def _uint(value: int) -> bytes:
    return struct.pack("<I", value)


def _string(text: str) -> bytes:
    raw = text.encode("utf-8") + b"\0"
    return _uint(len(raw)) + raw + b"\0" * (-len(raw) % 4)


def _bind_args(found: tuple[int, int], interface: str, new_id: int) -> bytes:
    name, version = found
    return _uint(name) + _string(interface) + _uint(min(version, 1)) + _uint(new_id)


def _parse_string(payload: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<I", payload, offset)
    start = offset + 4
    text = payload[start : start + max(length - 1, 0)].decode("utf-8", "replace")
    return text, start + length + (-length % 4)


def _parse_global(payload: bytes) -> tuple[int, str, int]:
    (name,) = struct.unpack_from("<I", payload)
    interface, offset = _parse_string(payload, 4)
    (version,) = struct.unpack_from("<I", payload, offset)
    return name, interface, version


def _error_text(payload: bytes) -> str:
    object_id, code = struct.unpack_from("<II", payload)
    message, _ = _parse_string(payload, 8)
    return f"{message} (object {object_id}, code {code})"
