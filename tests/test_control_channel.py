"""The control socket: commands reach the running app, other users and junk are refused."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core import control_channel
from app.core.control_channel import ControlError, ControlReply, PendingReply, send_command
from app.ui.shell.control_server import ControlServer

pytestmark = pytest.mark.gui


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


@pytest.fixture
def server(
    qapp: QApplication, runtime: Path
) -> Iterator[tuple[ControlServer, list[tuple[str, list[str]]]]]:
    # qapp: a QLocalServer needs the application's event loop. A test of this fixture that
    # ran first in its worker (where the test count put it) had Qt warn that it was gone.
    received: list[tuple[str, list[str]]] = []

    def handle(command: str, args: list[str]) -> ControlReply:
        received.append((command, args))
        if command == "stop":
            return ControlReply(ok=False, state="idle", message="not possible while idle")
        return ControlReply(ok=True, state="listening", message="")

    control = ControlServer(control_channel.socket_path(), handle)
    assert control.listen()
    yield control, received
    control.close()


def _send_in_background(qtbot: QtBot, command: str) -> ControlReply:
    """The client blocks, so it runs on a thread while the GUI loop serves it."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(send_command, command)
        qtbot.waitUntil(future.done, timeout=5000)
        return future.result()


def test_commands_reach_the_handler_and_replies_come_back(qtbot: QtBot, server: tuple) -> None:
    _control, received = server
    reply = _send_in_background(qtbot, "toggle")
    assert reply == ControlReply(ok=True, state="listening", message="")
    refused = _send_in_background(qtbot, "stop")
    assert not refused.ok
    assert refused.message == "not possible while idle"
    assert received == [("toggle", []), ("stop", [])]


def test_a_pending_reply_reaches_the_client_once_it_is_settled(qtbot: QtBot, runtime: Path) -> None:
    # `saytype start` waits for the microphone: the client gets the outcome, not "started".
    pending = PendingReply()
    asked: list[str] = []

    def handle(command: str, _args: list[str]) -> PendingReply:
        asked.append(command)
        return pending

    control = ControlServer(control_channel.socket_path(), handle)
    assert control.listen()
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            future = pool.submit(send_command, "start")
            qtbot.waitUntil(lambda: asked == ["start"], timeout=5000)
            assert not future.done()  # nothing was written back: the outcome is not known
            pending.settle(ControlReply(ok=False, state="error", message="No microphone."))
            qtbot.waitUntil(future.done, timeout=5000)
        assert future.result() == ControlReply(ok=False, state="error", message="No microphone.")
    finally:
        control.close()


def test_an_app_that_closes_without_answering_is_said_in_words(runtime: Path) -> None:
    # An app quitting while `saytype start` waited: not "an unreadable reply: b''".
    path = control_channel.socket_path()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen(1)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            future = pool.submit(send_command, "start")
            conn, _ = listener.accept()
            conn.recv(4096)
            conn.close()
            with pytest.raises(ControlError, match="closed the connection without an answer"):
                future.result(timeout=5)


def test_unknown_commands_and_junk_get_an_error_reply(qtbot: QtBot, server: tuple) -> None:
    _control, received = server
    assert "unknown command" in _send_in_background(qtbot, "format-disk").message

    def send_junk() -> bytes:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(5)
            conn.connect(str(control_channel.socket_path()))
            conn.sendall(b"not json\n")
            return conn.recv(4096)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(send_junk)
        qtbot.waitUntil(future.done, timeout=5000)
    assert b"bad request" in future.result()
    assert received == []


def test_socket_and_its_folder_are_owner_only(server: tuple, runtime: Path) -> None:
    folder = runtime / "saytype"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    sock = folder / "control.sock"
    assert stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(sock.stat().st_mode) & 0o077 == 0


def test_a_connection_from_another_uid_is_refused(qtbot: QtBot, server: tuple) -> None:
    control, received = server
    # We cannot become another user in a test; make the server expect someone else.
    control.allowed_uids = frozenset({os.getuid() + 1})
    with pytest.raises(ControlError):
        _send_in_background(qtbot, "toggle")
    assert received == []


def test_no_running_app_gives_a_clear_message(runtime: Path) -> None:
    with pytest.raises(ControlError, match="not running"):
        send_command("toggle")


def test_a_stale_socket_file_from_a_crash_is_replaced(qapp: QApplication, runtime: Path) -> None:
    # qapp: a QLocalServer needs the application's event loop; this test once ran first in
    # its worker, and Qt warned that the event dispatcher was gone.
    path = control_channel.socket_path()
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens: what kill -9 leaves behind
    control = ControlServer(path, lambda _c, _a: ControlReply(True, "idle", ""))
    assert control.listen()
    control.close()


def test_cli_reports_no_running_instance(runtime: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    assert main(["toggle"]) == 1
    assert "Saytype is not running" in capsys.readouterr().err


def test_a_launch_while_another_is_starting_hands_over_instead_of_running(
    qtbot: QtBot, runtime: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two launches at the same moment both ran, and the second took the first's socket.
    import subprocess
    import sys

    from app.running_instance import hand_over_or_lead

    starting = subprocess.Popen(  # the other launch: it holds the lock, not yet listening
        [
            sys.executable,
            "-c",
            "from app.running_instance import _take_instance_lock as t;"
            "assert t(); print('locked', flush=True); input()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert starting.stdout is not None
        assert starting.stdout.readline() == "locked\n"
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            launch = pool.submit(hand_over_or_lead, [], hidden=False)
            received: list[str] = []

            def handle(command: str, args: list[str]) -> ControlReply:
                received.append(command)
                return ControlReply(ok=True, state="idle", message="")

            control = ControlServer(control_channel.socket_path(), handle)  # now it listens
            assert control.listen()
            qtbot.waitUntil(launch.done, timeout=10_000)
            control.close()
        assert launch.result() == 0  # handed over; this launch does not run
        assert received == ["show"]
        assert "Saytype is already running" in capsys.readouterr().out
    finally:
        starting.communicate("\n", timeout=10)


def test_the_only_launch_leads(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import running_instance

    monkeypatch.setattr(running_instance, "_instance_lock", None)
    assert running_instance.hand_over_or_lead([], hidden=False) is None
    lock = running_instance._instance_lock
    assert lock is not None
    assert Path(lock.name).name == "instance.lock"
    lock.close()  # the process would hold it until it ends
