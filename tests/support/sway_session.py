"""A private headless sway session and a native Wayland terminal that records what it receives.

sway (wlroots) runs without a GPU or input devices as
``WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman``. It
refuses to run as root ("Unable to drop root"), so as root the session runs
as an unprivileged user (:data:`SWAY_USER`, created on first use) through
``runuser``, with a runtime dir of its own (mode 0700), and so does the
target. Clients started by the test process connect through the socket's
absolute path (``WAYLAND_DISPLAY=/…/wayland-1``): root may open it, and no
Python runs as that user, so it never needs to read a virtualenv. The seat has
no keyboard until a client makes a virtual one (no input devices), the case
where plain wtype loses its first key (docs/decisions/0012-wayland-first-key.md).

The main target is ``foot -e sh -c 'cat > FILE'``: foot is Wayland-native, and in
its terminal's line mode (``stty iutf8``: BackSpace erases a whole UTF-8
character) each line reaches FILE when Return is typed, edits applied, which
is what a shell would read (:mod:`tests.support.wayland_targets`, with a Qt
line edit on Qt's own Wayland platform, which pastes through ``wl_data_device``).

Readiness is polled on real conditions (the sockets exist and answer, the
window has the focus, the file exists), each within a bound; nothing is slept for.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.changes import ProcessExited, wait_for_changes
from tests.support.ci import fail_missing

SWAY_USER = "saytype-sway"
_TOOLS = ("sway", "swaymsg", "foot", "wtype")
_SESSION_PATH = "/usr/local/bin:/usr/bin:/bin"
_READY_TIMEOUT_S = 20.0
_IPC_MAGIC = b"i3-ipc"
_IPC_SUBSCRIBE = 2
_STOP_TIMEOUT_S = 10.0
_CONFIG = """\
xwayland disable
output HEADLESS-1 resolution 1280x800
"""


@dataclass(frozen=True)
class SwaySession:
    """A running headless sway, and how to reach it."""

    process: subprocess.Popen[bytes]
    base: Path  # the session's private folder (config, runtime dir, home, target files)
    runtime_dir: Path
    socket: Path  # the Wayland display socket
    ipc_socket: Path
    user: str | None  # who runs the session's own processes (None: this process's user)

    def client_env(self) -> dict[str, str]:
        """Environment for a Wayland client run by the test process (no X display)."""
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        return {
            **env,
            "WAYLAND_DISPLAY": str(self.socket),
            "XDG_SESSION_TYPE": "wayland",
            "SWAYSOCK": str(self.ipc_socket),  # as sway sets it for the apps it starts
        }

    def user_command(self, argv: list[str], **env: str) -> list[str]:
        """``argv`` as the session's user, in a clean environment of this session."""
        return _as_user(self.user, self.base, argv, **env)

    def swaymsg(self, *args: str) -> object:
        """Run ``swaymsg -r`` against this session; its parsed JSON reply."""
        result = subprocess.run(
            ["swaymsg", "-s", str(self.ipc_socket), "-r", *args],
            capture_output=True,
            timeout=_STOP_TIMEOUT_S,
            check=True,
        )
        return json.loads(result.stdout)

    @contextmanager
    def events(self) -> Iterator[socket.socket]:
        """A socket that turns readable with each window or input event of the session.

        Subscribed through sway's IPC (the i3 protocol: magic, length, type, JSON), and
        yielded once sway has answered the subscription, so no later event is missed.
        """
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.settimeout(_STOP_TIMEOUT_S)
            connection.connect(str(self.ipc_socket))
            payload = json.dumps(["window", "input", "workspace"]).encode()
            connection.sendall(_IPC_MAGIC + struct.pack("=II", len(payload), _IPC_SUBSCRIBE))
            connection.sendall(payload)
            header = _receive(connection, len(_IPC_MAGIC) + 8)
            length, _kind = struct.unpack("=II", header[len(_IPC_MAGIC) :])
            reply = json.loads(_receive(connection, length))
            assert reply.get("success"), f"sway refused the subscription: {reply}"
            yield connection
        finally:
            connection.close()

    def has_keyboard(self) -> bool:
        """Whether the seat has a keyboard (here only virtual ones: wtype's, Saytype's idle one)."""
        inputs = self.swaymsg("-t", "get_inputs")
        return isinstance(inputs, list) and any(i.get("type") == "keyboard" for i in inputs)

    def app_ids(self) -> list[str]:
        """The app ids of every window in the session."""
        found, nodes = [], [self.swaymsg("-t", "get_tree")]
        while nodes:
            node = nodes.pop()
            if isinstance(node, dict):
                if node.get("app_id"):
                    found.append(str(node["app_id"]))
                nodes += node.get("nodes", []) + node.get("floating_nodes", [])
        return found

    def focused_app_id(self) -> str | None:
        """The app_id of the window with the keyboard focus, or None."""
        nodes = [self.swaymsg("-t", "get_tree")]
        while nodes:
            node = nodes.pop()
            if not isinstance(node, dict):
                continue
            if node.get("focused") and node.get("app_id"):
                return str(node["app_id"])
            nodes += node.get("nodes", []) + node.get("floating_nodes", [])
        return None


@contextmanager
def running_sway(extra_config: str = "", path_first: Path | None = None) -> Iterator[SwaySession]:
    """Start a headless sway session; skip (fail in CI) when a tool is missing.

    Args:
        extra_config: Lines added to sway's configuration (e.g. key bindings).
        path_first: A folder searched first for the programs sway runs (``exec``).
    """
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        fail_missing(
            f"needs {', '.join(missing)} for the Wayland tests (sudo apt install sway foot wtype)"
        )
    user = _session_user()
    base = Path(tempfile.mkdtemp(prefix="saytype-sway-"))
    base.chmod(0o755)  # the session's user reaches its folders through it
    runtime_dir = base / "runtime"
    for folder in (runtime_dir, base / "home", base / "targets"):
        folder.mkdir(mode=0o700)
        if user is not None:
            shutil.chown(folder, user, user)
    config = base / "config"
    config.write_text(_CONFIG + extra_config, encoding="utf-8")
    path = {"PATH": f"{path_first}:{_SESSION_PATH}"} if path_first else {}
    log_path = base / "sway.log"
    command = _as_user(
        user,
        base,
        ["sway", "-c", str(config)],
        WLR_BACKENDS="headless",
        WLR_LIBINPUT_NO_DEVICES="1",
        WLR_RENDERER="pixman",
        **path,
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        socket, ipc = _wait_for_sockets(process, runtime_dir, log_path)
        session = SwaySession(process, base, runtime_dir, socket, ipc, user)
        wait_until(
            lambda: _answers(session),
            "sway's IPC to answer",
            process,
            log_path,
            folders=[runtime_dir, base],
        )
        yield session
    finally:
        _stop_sway(process, runtime_dir, base)


def _as_user(user: str | None, base: Path, argv: list[str], **env: str) -> list[str]:
    session_env = {
        "HOME": str(base / "home"),
        "XDG_RUNTIME_DIR": str(base / "runtime"),
        "PATH": _SESSION_PATH,
        "LANG": "C.UTF-8",
        **env,
    }
    command = ["env", "-i", *(f"{k}={v}" for k, v in session_env.items()), *argv]
    return ["runuser", "-u", user, "--", *command] if user else command


def _session_user() -> str | None:
    """The unprivileged user for the session when we are root (sway refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SWAY_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", SWAY_USER],
            check=True,
            capture_output=True,
        )  # fmt: skip
    return SWAY_USER


def _wait_for_sockets(
    process: subprocess.Popen[bytes], runtime_dir: Path, log_path: Path
) -> tuple[Path, Path]:
    found: dict[str, Path] = {}

    def sockets_exist() -> bool:
        for path in runtime_dir.iterdir():
            if path.name.startswith("wayland-") and not path.name.endswith(".lock"):
                found["wayland"] = path
            elif path.name.startswith("sway-ipc.") and path.name.endswith(".sock"):
                found["ipc"] = path
        return len(found) == 2

    wait_until(
        sockets_exist, "sway's Wayland and IPC sockets", process, log_path, folders=[runtime_dir]
    )
    return found["wayland"], found["ipc"]


def _receive(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("sway closed its IPC socket")
        data += chunk
    return data


def _answers(session: SwaySession) -> bool:
    try:
        session.swaymsg("-t", "get_version")
    except subprocess.CalledProcessError:
        return False
    return True


def wait_until(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes],
    log_path: Path,
    *,
    folders: list[Path] | None = None,
    session: SwaySession | None = None,
) -> None:
    """Re-check ``condition`` on each change in ``folders`` and each of ``session``'s events."""
    with ExitStack() as stack:
        streams = [] if session is None else [stack.enter_context(session.events())]
        try:
            wait_for_changes(
                condition,
                what,
                timeout_s=_READY_TIMEOUT_S,
                folders=folders or [],
                streams=streams,
                process=process,
            )
        except (TimeoutError, ProcessExited):
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            state = "exited" if process.poll() is not None else "timed out"
            raise RuntimeError(f"waiting for {what}: {state}; log:\n{tail}") from None


def _stop_sway(process: subprocess.Popen[bytes], runtime_dir: Path, base: Path) -> None:
    ipc = next(runtime_dir.glob("sway-ipc.*.sock"), None) if runtime_dir.exists() else None
    if ipc is not None and process.poll() is None:
        with suppress(subprocess.SubprocessError, OSError):  # the wait below covers it
            subprocess.run(
                ["swaymsg", "-s", str(ipc), "exit"],
                capture_output=True,
                timeout=_STOP_TIMEOUT_S,
                check=False,
            )
    wait_or_kill(process)
    shutil.rmtree(base, ignore_errors=True)


def wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.terminate()  # runuser passes it on to its child
        try:
            process.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
