"""Run Saytype's main paths under an audit hook that records every attempt to reach the network.

Audit hooks cannot be removed, so this runs as its own process
(``python -m tests.support.network_guard WAV``), started by tests/test_offline.py:
it installs the hook first, then runs a dictation (``saytype listen``), a file
transcription (``saytype transcribe``) and the GUI start-up until its model is
ready. Its last stdout line is ``GUARD <json>`` with the attempts it saw.

Unix sockets (the control channel, PulseAudio, X11, D-Bus) are local by
construction and are not counted; any AF_INET/AF_INET6 connect is, and so is
a name lookup of any host other than localhost.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1", b"::1"}
attempts: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        sock, address = args
        if sock.family in {socket.AF_INET, socket.AF_INET6}:
            attempts.append(f"connect {address!r}")
    elif event == "socket.getaddrinfo" and args[0] not in LOCAL_HOSTS:
        attempts.append(f"getaddrinfo {args[0]!r}")


def _run_gui_until_model_ready() -> str:
    """Start the real GUI (offscreen), wait for the model, quit; return the model status."""
    from PySide6.QtCore import QDeadlineTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.main import run_gui
    from app.ui.shell.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    deadline = QDeadlineTimer(60_000)
    status = ["not started"]

    def poll() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows:
            status[0] = windows[0].model_status
        if status[0] in {"ready", "failed"} or deadline.hasExpired():
            QApplication.quit()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(poll)
    timer.start()
    run_gui()
    timer.stop()
    return status[0]


def main(wav: str) -> int:
    """Run the three paths under the guard and print the report."""
    sys.addaudithook(_audit)
    from app.cli import main as saytype

    statuses = {
        "listen": saytype(["listen", "--input", wav, "--jsonl", "--push-to-talk", "--speed", "8"]),
        "transcribe": saytype(["transcribe", wav, "--format", "json"]),
    }
    sys.stdout.flush()
    model = _run_gui_until_model_ready()
    switches = {name: os.environ.get(name) for name in ("HF_HUB_OFFLINE", "DO_NOT_TRACK")}
    report = {"attempts": attempts, "statuses": statuses, "gui_model": model, "env": switches}
    sys.stdout.write("GUARD " + json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
