"""``saytype keys --print sway``: its lines, in a real sway's config, make hold-to-talk work.

A headless sway session is configured with exactly what ``saytype keys
--print sway`` prints; wtype presses and releases the chord on a virtual
keyboard, as a person's keyboard would; sway runs ``saytype press`` and
``saytype release`` (the real CLI client code, ``app/commands/control.py``) and
they reach a running Saytype's control socket (the real ``ControlServer``) in
that order.

As root the compositor runs as another user; tests/support/compositor_control.py
puts a ``saytype`` on its ``PATH`` that it can run, and the control server
listens in that user's runtime folder and accepts that user, as Saytype does
for its own user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.control_channel import ControlReply
from app.ui.shell.control_server import ControlServer
from tests.support.compositor_control import (
    compositor_client,
    saytype_keys,
    session_socket_folder,
    session_uid,
)
from tests.support.sway_session import SwaySession, running_sway

pytestmark = [pytest.mark.integration, pytest.mark.gui]

_REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    bindings = saytype_keys("--print", "sway", "--hotkey", "ctrl+shift+space")
    with (
        compositor_client() as client,
        running_sway(extra_config=bindings, path_first=client / "bin") as session,
    ):
        yield session


@pytest.fixture
def received(sway: SwaySession) -> Iterator[list[str]]:
    """Commands that reached the running app's control socket, in order."""
    commands: list[str] = []
    folder = session_socket_folder(sway)  # where `saytype` looks, as that user
    uid = session_uid(sway)

    def handle(command: str, _args: list[str]) -> ControlReply:
        commands.append(command)
        return ControlReply(
            ok=True, state="listening" if command == "press" else "idle", message=""
        )

    server = ControlServer(folder / "control.sock", handle, other_uids=[uid])
    assert server.listen()
    os.chown(folder / "control.sock", uid, -1)
    yield commands
    server.close()


def press(sway: SwaySession, *wtype_args: str) -> None:
    """Keys on a virtual keyboard, as a keyboard sends them (wtype's own pauses hold them)."""
    subprocess.run(
        ["wtype", *wtype_args], env=sway.client_env(), capture_output=True, timeout=20, check=True
    )


def test_the_printed_sway_lines_bind_hold_to_talk() -> None:
    lines = saytype_keys("--print", "sway", "--hotkey", "ctrl+shift+space").splitlines()
    bindings = [line for line in lines if not line.startswith("#")]
    assert bindings == [
        "bindsym --no-repeat Ctrl+Shift+space exec saytype press",
        "bindsym --release Ctrl+Shift+space exec saytype release",
        "bindsym Ctrl+Shift+Escape exec saytype cancel",
    ]


def test_the_chord_going_down_and_up_reaches_the_running_app(
    qtbot: QtBot, sway: SwaySession, received: list[str]
) -> None:
    # Ctrl and Shift down, Space held for half a second, then all released.
    press(sway, "-M", "ctrl", "-M", "shift", "-P", "space", "-s", "500", "-p", "space",
          "-m", "shift", "-m", "ctrl")  # fmt: skip
    qtbot.waitUntil(lambda: len(received) >= 2, timeout=20_000)
    assert received == ["press", "release"]


def test_the_cancel_chord_cancels(qtbot: QtBot, sway: SwaySession, received: list[str]) -> None:
    press(sway, "-M", "ctrl", "-M", "shift", "-k", "Escape", "-m", "shift", "-m", "ctrl")
    qtbot.waitUntil(lambda: len(received) >= 1, timeout=20_000)
    assert received == ["cancel"]


def test_keys_refuses_to_bind_a_shortcut_other_apps_need() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "keys", "--print", "sway", "--hotkey", "ctrl+c"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=_REPO,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "saytype: error: Ctrl+C is a shortcut other apps need; choose another.\n"
    )


def test_keys_without_a_known_compositor_asks_for_one_in_a_sentence() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("SWAYSOCK", "XDG_CURRENT_DESKTOP")}
    environ.pop("HYPRLAND_INSTANCE_SIGNATURE", None)
    result = subprocess.run(
        [sys.executable, "-m", "app", "keys"],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        check=False,
        cwd=_REPO,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "saytype keys --print sway" in result.stderr
