"""``saytype toggle`` bound to a key, with no Saytype running: the desktop says why.

A keybinding shows nothing a command prints, so the key seemed dead. The command
tells the desktop's notification server (a real dunst here) instead; from a
terminal, where the message is read, it does not.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from app.core.control_channel import encode
from tests.support.notification_server import NotificationServer, running_notification_server

REPO = Path(__file__).resolve().parents[1]


def _run(command: str, server: NotificationServer, runtime: Path, **streams: int) -> int:
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**server.env, "XDG_RUNTIME_DIR": str(runtime)}  # no Saytype's socket there
    done = subprocess.run(
        [sys.executable, "-m", "app", command],
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
        **streams,
    )
    return done.returncode


def test_a_key_that_finds_no_saytype_says_so_on_the_desktop(tmp_path: Path) -> None:
    with running_notification_server() as server:
        rc = _run("toggle", server, tmp_path / "run", stderr=subprocess.PIPE)
        shown = server.shown()
    assert rc == 1
    assert [(n["appname"], n["summary"]) for n in shown] == [("Saytype", "Saytype is not running")]
    assert "saytype toggle" in shown[0]["body"]
    assert "applications menu" in shown[0]["body"]


def test_the_same_command_in_a_terminal_only_prints(tmp_path: Path) -> None:
    main, terminal = os.openpty()  # stderr a terminal, as when a person types the command
    try:
        with running_notification_server() as server:
            rc = _run("stop", server, tmp_path / "run", stderr=terminal)
            shown = server.shown()
        os.close(terminal)
        printed = os.read(main, 4096).decode()
    finally:
        os.close(main)
    assert rc == 1
    assert "Saytype is not running" in printed
    assert shown == []


def test_a_key_whose_dictation_cannot_start_says_why_on_the_desktop(tmp_path: Path) -> None:
    """`saytype press` from sway with the sound server gone: the app refuses, and the key
    would have done nothing visible (the window hidden, no sound for the cues)."""
    runtime = tmp_path / "run"
    folder = runtime / "saytype"
    folder.mkdir(parents=True, mode=0o700)
    runtime.chmod(0o700)
    refusal = "The microphone could not be opened: the sound server is not running."
    asked: list[dict[str, object]] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(folder / "control.sock"))
        listener.listen(1)

        def answer() -> None:  # the running app's side, as its control server replies
            conn, _ = listener.accept()
            with conn:
                asked.append(json.loads(conn.makefile("rb").readline()))
                conn.sendall(encode({"ok": False, "state": "error", "message": refusal}))

        app_side = threading.Thread(target=answer)
        app_side.start()
        with running_notification_server() as server:
            rc = _run("press", server, runtime, stderr=subprocess.PIPE)
            shown = server.shown()
        app_side.join(timeout=10)
    assert rc == 1
    assert asked[0]["command"] == "press"
    assert len(asked[0]["args"]) == 1  # type: ignore[arg-type]  # the key's moment
    assert [(n["summary"], n["body"]) for n in shown] == [
        ("Saytype could not start dictating", refusal)
    ]
