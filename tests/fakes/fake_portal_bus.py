"""A session bus with a RemoteDesktop portal that answers as the XDG spec says, in memory.

For what the headless Plasma (tests/support/kde_session.py) cannot show: a
portal of version 2, which keeps a permission (``persist_mode``,
``restore_token``), and a desktop that refuses. It speaks jeepney's blocking
connection API as the portal keyboard uses it, and records every call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    new_error,
    new_method_return,
    new_signal,
)

PORTAL_PATH = "/org/freedesktop/portal/desktop"
SESSION = f"{PORTAL_PATH}/session/1_5/saytype_keyboard"


class FakePortalBus:
    """One connection; :attr:`calls` holds ``(member, body)`` of each portal call, in order."""

    unique_name = ":1.5"

    def __init__(
        self,
        version: int = 2,
        start_code: int = 0,
        devices: int = 1,
        restore_token: str = "",
        refused_keys: int = 0,
    ) -> None:
        self.version = version
        self.start_code = start_code
        self.devices = devices
        self.restore_token = restore_token
        self.refused_keys = refused_keys  # keys refused next, as after the desktop ended it
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.closed = False
        self._queues: list[deque[Message]] = []

    def send_and_get_reply(self, message: Message, timeout: float | None = None) -> Message:
        fields = message.header.fields
        member = str(fields.get(HeaderFields.member))
        if member == "AddMatch":
            return new_method_return(message)
        if member == "Get":
            return new_method_return(message, "v", (("u", self.version),))
        self.calls.append((member, message.body))
        if member in {"CreateSession", "SelectDevices", "Start"}:
            options = message.body[-1]
            token = options["handle_token"][1]
            request = f"{PORTAL_PATH}/request/1_5/{token}"
            self._respond(request, *self._answer(member))
            return new_method_return(message, "o", (request,))
        if member == "NotifyKeyboardKeysym" and self.refused_keys:
            self.refused_keys -= 1
            return new_error(message, "org.freedesktop.DBus.Error.AccessDenied", "s", ("gone",))
        return new_method_return(message)  # NotifyKeyboardKeysym, Close

    def _answer(self, member: str) -> tuple[int, dict[str, tuple[str, Any]]]:
        if member == "CreateSession":
            return 0, {"session_handle": ("s", SESSION)}
        if member == "SelectDevices":
            return 0, {}
        results: dict[str, tuple[str, Any]] = {"devices": ("u", self.devices)}
        if self.restore_token:
            results["restore_token"] = ("s", self.restore_token)
        return self.start_code, results

    def _respond(self, path: str, code: int, results: dict[str, tuple[str, Any]]) -> None:
        emitter = DBusAddress(path, interface="org.freedesktop.portal.Request")
        self._queues[-1].append(new_signal(emitter, "Response", "ua{sv}", (code, results)))

    @contextmanager
    def filter(self, _rule: object) -> Iterator[deque[Message]]:
        queue: deque[Message] = deque()
        self._queues.append(queue)
        try:
            yield queue
        finally:
            self._queues.remove(queue)

    def recv_until_filtered(self, queue: deque[Message], timeout: float | None = None) -> Message:
        if not queue:
            raise TimeoutError("no answer")
        return queue.popleft()

    def close(self) -> None:
        self.closed = True

    def keysyms(self) -> list[tuple[int, int]]:
        """``(keysym, pressed)`` of every key sent, in order."""
        return [
            (body[2], body[3]) for member, body in self.calls if member == "NotifyKeyboardKeysym"
        ]
