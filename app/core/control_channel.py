"""The local control channel: `saytype toggle|start|stop|cancel|show|quit` → the running app.

On Wayland no app may grab a global key, so users bind these commands to a key
in their desktop settings; the same socket makes Saytype single-instance (a
second launch asks the first to show its window). The socket lives in a 0700
folder under ``XDG_RUNTIME_DIR`` and the server also checks the peer's uid, so
no other user can drive it. The wire format is one JSON object per line each
way, so the client needs only the standard library (no Qt in the CLI).
"""

from __future__ import annotations

import json
import os
import socket
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPLY_WAIT_S = 5.0  # a command's answer, but `start`'s (app.commands.control)
COMMANDS = (
    "toggle",
    "start",
    "stop",
    "press",
    "release",
    "cancel",
    "show",
    "quit",
    "status",
    "queue",
    "engines",
    "history",
)
_REPLY_LIMIT = 64 * 1024
# A key's process older than this is no moment of a key (the stamp is then "now").
_OLDEST_KEY_S = 10.0


class ControlError(Exception):
    """No running instance answered, or it answered nonsense."""


class NotRunning(ControlError):
    """No app listens on the control socket (none is running)."""


@dataclass(frozen=True)
class ControlReply:
    """What the running app said: whether it obeyed, its state and a message."""

    ok: bool
    state: str
    message: str


class PendingReply:
    """A reply that waits for what the command set going: ``saytype start`` answers once the
    microphone opened (or could not), so a script's exit status says whether it listens."""

    def __init__(self) -> None:
        self.reply: ControlReply | None = None
        self._listeners: list[Callable[[ControlReply], None]] = []

    def settle(self, reply: ControlReply) -> None:
        """The outcome is known: hand it to whoever waits (once; later calls are ignored)."""
        if self.reply is not None:
            return
        self.reply = reply
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener(reply)

    def when_settled(self, listener: Callable[[ControlReply], None]) -> None:
        """Call ``listener`` with the reply: now when it is known, else once it is."""
        if self.reply is not None:
            listener(self.reply)
        else:
            self._listeners.append(listener)


def runtime_dir() -> Path:
    """The owner-only folder that holds the socket (created 0700 when missing)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = (
        Path(base) / "saytype" if base else Path(tempfile.gettempdir()) / f"saytype-{os.getuid()}"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise ControlError(f"{folder} belongs to another user; refusing to use it.")
    folder.chmod(0o700)
    return folder


def key_time() -> float:
    """When this process was started, on the clock of ``time.monotonic()`` of any process.

    ``saytype press|release`` send it: that is the moment the compositor ran the
    binding. Python's start-up (0.1-1 s on a loaded machine) comes after it, and
    differs between the press and the release.
    """
    now = time.monotonic()
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # since boot, suspend included
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - age if 0.0 <= age <= _OLDEST_KEY_S else now


def socket_path() -> Path:
    """Where the running app listens."""
    return runtime_dir() / "control.sock"


def encode(message: dict[str, Any]) -> bytes:
    """One JSON line."""
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one JSON line into a dict, or raise ValueError."""
    value = json.loads(line.decode())
    if not isinstance(value, dict):
        raise ValueError("a control message must be a JSON object")
    return value


def send_command(
    command: str,
    args: list[str] | None = None,
    path: Path | None = None,
    timeout_s: float = REPLY_WAIT_S,
) -> ControlReply:
    """Send ``command`` to the running app and return its reply.

    Raises:
        NotRunning: no app is running.
        ControlError: the running app did not answer, or its reply was unreadable.
    """
    target = path or socket_path()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout_s)
            conn.connect(str(target))
            conn.sendall(encode({"command": command, "args": args or []}))
            reply = _read_line(conn)
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        raise NotRunning("Saytype is not running. Start it with `saytype`.") from exc
    except OSError as exc:
        raise ControlError(f"Could not reach the running Saytype: {exc}") from exc
    if not reply:
        raise ControlError("The running Saytype closed the connection without an answer.")
    try:
        fields = decode(reply)
    except ValueError as exc:
        raise ControlError(f"The running Saytype sent an unreadable reply: {reply!r}") from exc
    return ControlReply(
        ok=bool(fields.get("ok")),
        state=str(fields.get("state", "")),
        message=str(fields.get("message", "")),
    )


def peer_uid(fd: int) -> int | None:
    """The uid of the process on the other end of unix socket ``fd`` (Linux), else None."""
    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is None:
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=os.dup(fd)) as conn:
        creds = conn.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > _REPLY_LIMIT:
            raise ControlError("The running Saytype sent an oversized reply.")
    return data.strip()
