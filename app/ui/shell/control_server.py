"""The running app's end of the control channel (see app.core.control_channel).

A QLocalServer in the GUI thread: commands arrive as queued socket events, so
handlers run in the GUI thread like a button click would. Connections from
another uid are closed unanswered, unless the user named that uid explicitly
(``saytype --control-user USER``: a compositor or hotkey daemon run as another user).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.core.control_channel import (
    COMMANDS,
    ControlReply,
    PendingReply,
    decode,
    encode,
    peer_uid,
)

log = logging.getLogger(__name__)

_LINE_LIMIT = 64 * 1024

CommandHandler = Callable[[str, list[str]], ControlReply | PendingReply]


class ControlServer(QObject):
    """Listens on ``path`` and answers each command line with ``handler``'s reply.

    Args:
        path: the socket file (its folder must be owner-only).
        handler: ``(command, args) -> ControlReply``; runs in the GUI thread.
        other_uids: users besides our own whose commands are obeyed (explicitly named).
    """

    def __init__(
        self,
        path: Path,
        handler: CommandHandler,
        parent: QObject | None = None,
        *,
        other_uids: Iterable[int] = (),
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._handler = handler
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}
        # Only our own user may drive the app, and whoever the user named besides.
        self.allowed_uids = frozenset({os.getuid(), *other_uids})

    def listen(self) -> bool:
        """Start listening, replacing a stale socket file left by a crash."""
        if self.path.exists():
            QLocalServer.removeServer(str(self.path))
        ok = self._server.listen(str(self.path))
        if not ok:
            log.error("control socket %s: %s", self.path, self._server.errorString())
        return bool(ok)

    def close(self) -> None:
        """Stop listening and remove the socket file."""
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            uid = peer_uid(int(conn.socketDescriptor()))
            if uid is not None and uid not in self.allowed_uids:
                log.warning("refused a control connection from uid %d", uid)
                conn.abort()
                conn.deleteLater()
                continue
            self._buffers[conn] = b""
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(lambda c=conn: self._forget(c))

    def _read(self, conn: QLocalSocket) -> None:
        data = self._buffers.get(conn, b"") + bytes(conn.readAll().data())
        if b"\n" not in data:
            if len(data) > _LINE_LIMIT:
                conn.abort()
            self._buffers[conn] = data
            return
        line, _, rest = data.partition(b"\n")
        self._buffers[conn] = rest
        answer = self._answer(line)
        if isinstance(answer, PendingReply):
            answer.when_settled(lambda reply: self._send(conn, _fields(reply)))
        else:
            self._send(conn, answer)

    def _send(self, conn: QLocalSocket, answer: dict[str, object]) -> None:
        if conn not in self._buffers:
            return  # the client left while the reply was pending
        conn.write(encode(answer))
        conn.flush()
        conn.disconnectFromServer()

    def _answer(self, line: bytes) -> dict[str, object] | PendingReply:
        try:
            message = decode(line)
            command = str(message.get("command", ""))
            args = [str(a) for a in message.get("args", [])]
        except (ValueError, TypeError) as exc:
            return {"ok": False, "state": "", "message": f"bad request: {exc}"}
        if command not in COMMANDS:
            return {"ok": False, "state": "", "message": f"unknown command {command!r}"}
        try:
            reply = self._handler(command, args)
        except Exception as exc:  # a bad command must never take the app down
            log.exception("control command %r failed", command)
            return {"ok": False, "state": "", "message": str(exc)}
        return reply if isinstance(reply, PendingReply) else _fields(reply)

    def _forget(self, conn: QLocalSocket) -> None:
        self._buffers.pop(conn, None)
        conn.deleteLater()


def _fields(reply: ControlReply) -> dict[str, object]:
    return {"ok": reply.ok, "state": reply.state, "message": reply.message}
