"""A DeliveryService in its own process, on the test's X server, driven over pipes.

The test process's QApplication is offscreen (tests/conftest.py), and a
process has one QApplication, so the service under test runs here instead,
with ``QT_QPA_PLATFORM=xcb`` and the Xvfb's ``DISPLAY``: its clipboard is then
the real X11 CLIPBOARD/PRIMARY that targets paste from. Commands arrive as
JSON lines on stdin; the service's signals leave as JSON lines on stdout.

Commands: ``{"op": "options", "method": …, "restore_delay_ms": …}``,
``{"op": "deliver", "text": …, "method": …}`` (answers ``{"event": "queued",
"id": …}``), ``{"op": "quit"}``. Events: ``ready``, ``queued``, ``waiting``,
``delivered`` (``how``), ``failed`` (``message``).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

from tests.support.xserver import XServer

_EVENT_TIMEOUT_S = 15.0


class DeliveryHost:
    """The test side: starts the host process and exchanges JSON lines with it."""

    def __init__(self, xserver: XServer, keyboard: str = "x11") -> None:
        command = [sys.executable, "-m", "tests.support.delivery_host", keyboard]
        self._process = subprocess.Popen(
            command,
            env=xserver.env(QT_QPA_PLATFORM="xcb", LANG="C.UTF-8"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.next_event("ready")

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._events.put(json.loads(line))
        self._events.put({"event": "exited", "code": self._process.wait()})

    def send(self, op: str, **fields: Any) -> None:
        """Send one command."""
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self._process.stdin.flush()

    def deliver(self, text: str, method: str | None = None) -> int:
        """Queue ``text`` in the host's service; return its request id."""
        self.send("deliver", text=text, method=method)
        return int(self.next_event("queued")["id"])

    def next_event(self, *kinds: str, timeout: float = _EVENT_TIMEOUT_S) -> dict[str, Any]:
        """The next event; fail if it is not one of ``kinds``."""
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event from the delivery host within {timeout} s") from None
        if event["event"] not in kinds:
            raise AssertionError(f"expected {kinds}, the delivery host sent {event}")
        return event

    def close(self) -> None:
        """Quit the host and wait for it."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        if self._process.poll() is None:
            self.send("quit")
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=10)
        self._process.stdout.close()


class _BrokenKeyboard:
    """An injector whose keys never arrive, to test the failure path."""

    def type_text(self, text: str) -> None:
        raise OSError("keyboard unplugged")

    def send_chord(self, keys: Sequence[str]) -> None:
        raise OSError("keyboard unplugged")

    def modifiers_down(self) -> frozenset[str]:
        return frozenset()

    def focused_window_class(self) -> str | None:
        return None

    def focused_window_pid(self) -> int | None:
        return None

    def focused_window_id(self) -> str | None:
        return None


def _serve(keyboard_kind: str) -> int:
    from PySide6.QtCore import QObject, Qt, Signal
    from PySide6.QtWidgets import QApplication

    from app.ui.dictation.delivery_service import DeliveryService

    app = QApplication([])
    service = DeliveryService(keyboard=_BrokenKeyboard() if keyboard_kind == "broken" else None)

    def emit(**event: Any) -> None:
        print(json.dumps(event), flush=True)

    service.delivered.connect(lambda rid, how: emit(event="delivered", id=rid, how=how))
    service.failed.connect(lambda rid, message: emit(event="failed", id=rid, message=message))
    service.waiting_for_release.connect(lambda rid: emit(event="waiting", id=rid))

    class Commands(QObject):
        received = Signal(dict)

    commands = Commands()

    def handle(command: dict[str, Any]) -> None:
        op = command["op"]
        if op == "options":
            service.set_options(command["method"], command["restore_delay_ms"])
        elif op == "deliver":
            emit(event="queued", id=service.deliver(command["text"], command.get("method")))
        elif op == "quit":
            service.shutdown()
            app.quit()

    commands.received.connect(handle, Qt.ConnectionType.QueuedConnection)  # to the GUI thread

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.received.emit(json.loads(line))
        commands.received.emit({"op": "quit"})

    threading.Thread(target=read_stdin, daemon=True).start()
    emit(event="ready")
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(_serve(sys.argv[1] if len(sys.argv) > 1 else "x11"))
