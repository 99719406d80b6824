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
is what a shell would read. :func:`qt_wayland_target` is a Qt line edit on
Qt's own Wayland platform, which pastes through ``wl_data_device``.

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
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.changes import ProcessExited, wait_for_changes
from tests.support.ci import skip_outside_ci

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


@dataclass
class FootTarget:
    """A focused Wayland window (foot, a Qt line edit) whose received text lands in ``outfile``."""

    app_id: str
    outfile: Path
    process: subprocess.Popen[bytes]
    _baseline: int = field(default=0, repr=False)

    def text(self) -> str:
        """Lines received since the last :meth:`reset`."""
        return self._all_text()[self._baseline :]

    def reset(self) -> None:
        """Count received text from here (the file only grows)."""
        self._baseline = len(self._all_text())

    def wait_for_text(self, expected: str, timeout: float = 10.0) -> str:
        """Wait until :meth:`text` is ``expected``; fail at once when it cannot become it."""

        def arrived() -> bool:
            text = self.text()
            if not expected.startswith(text):
                raise AssertionError(f"foot received {text!r}, expected {expected!r}")
            return text == expected

        try:  # re-read each time the window writes its file; its exit ends the wait
            wait_for_changes(
                arrived,
                f"{self.app_id}'s text",
                timeout_s=timeout,
                folders=[self.outfile.parent],
                process=self.process,
            )
        except ProcessExited:
            text = self.text()
            raise AssertionError(
                f"{self.app_id} exited ({self.process.returncode}) with {text!r}"
            ) from None
        except TimeoutError:
            raise AssertionError(f"foot received {self.text()!r}, expected {expected!r}") from None
        return expected

    def _all_text(self) -> str:
        return self.outfile.read_bytes().decode("utf-8", "replace")


@contextmanager
def running_sway(extra_config: str = "", path_first: Path | None = None) -> Iterator[SwaySession]:
    """Start a headless sway session; skip (fail in CI) when a tool is missing.

    Args:
        extra_config: Lines added to sway's configuration (e.g. key bindings).
        path_first: A folder searched first for the programs sway runs (``exec``).
    """
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        skip_outside_ci(
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
        _wait_until(
            lambda: _answers(session),
            "sway's IPC to answer",
            process,
            log_path,
            folders=[runtime_dir, base],
        )
        yield session
    finally:
        _stop_sway(process, runtime_dir, base)


@contextmanager
def foot_target(
    session: SwaySession,
    name: str = "target",
    app_id: str | None = None,
    *,
    after_keyboard: bool = False,
) -> Iterator[FootTarget]:
    """Open a focused foot window that writes the lines it receives to a file.

    ``app_id`` defaults to one of the test's own; ``"foot"`` makes it look like
    any foot (whose paste keys are Ctrl+Shift+V). With ``after_keyboard``, foot
    starts once the seat has a keyboard (tests that type open Saytype's first, as
    the app does at start): the idle keyboard's process starts asynchronously,
    and a foot that binds its keyboard only when a text's own virtual keyboard
    appears loses that text's first key (decision 0012).
    """
    app_id = app_id or f"saytype-{name}"
    outfile = session.base / "targets" / f"{name}.txt"
    outfile.unlink(missing_ok=True)  # an earlier window's text must not count as this one's
    # Line mode with UTF-8 aware erase; the file appears once the shell has set it up.
    script = f"stty iutf8 && exec cat > '{outfile}'"
    command = session.user_command(
        ["foot", "--app-id", app_id, "-e", "sh", "-c", script],
        WAYLAND_DISPLAY=session.socket.name,
    )
    if after_keyboard:
        _wait_for_keyboard(session)
    log_path = session.base / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until(
            lambda: outfile.exists() and session.focused_app_id() == app_id,
            f"foot ({app_id}) to have the focus",
            process,
            log_path,
            folders=[outfile.parent],
            session=session,
        )
        yield FootTarget(app_id, outfile, process)
    finally:
        with suppress(subprocess.SubprocessError, OSError):  # already gone: the wait covers it
            session.swaymsg(f'[app_id="{app_id}"] kill')
        _wait_or_kill(process)


@contextmanager
def qt_wayland_target(session: SwaySession, name: str = "qt") -> Iterator[FootTarget]:
    """A focused Qt line edit, a native Wayland client of ``session``, recording its text.

    Run by the test process's Python (Qt reads its own virtualenv), so it
    connects through the socket's absolute path as root may; the file holds
    the line edit's whole text, rewritten on each change.
    """
    app_id = f"saytype-{name}"
    outfile = session.base / "targets" / f"{name}.txt"
    runtime = session.base / f"{name}-runtime"  # Qt wants a private runtime dir of its own
    runtime.mkdir(mode=0o700, exist_ok=True)
    outfile.unlink(missing_ok=True)  # an earlier window's text must not count as this one's
    env = {
        **session.client_env(),
        "QT_QPA_PLATFORM": "wayland",
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    command = [sys.executable, "-m", "tests.support.target_window", "qt", str(outfile), app_id]
    _wait_for_keyboard(session)  # as foot_target(after_keyboard=True)
    log_path = session.base / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until(
            lambda: outfile.exists() and session.focused_app_id() == app_id,
            f"the Qt window ({app_id}) to have the focus",
            process,
            log_path,
            folders=[outfile.parent],
            session=session,
        )
        yield FootTarget(app_id, outfile, process)
    finally:
        process.terminate()
        _wait_or_kill(process)


def _wait_for_keyboard(session: SwaySession) -> None:
    log_path = session.base / "sway.log"
    _wait_until(
        session.has_keyboard, "a keyboard on the seat", session.process, log_path, session=session
    )


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

    _wait_until(
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


def _wait_until(
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
    _wait_or_kill(process)
    shutil.rmtree(base, ignore_errors=True)


def _wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.terminate()  # runuser passes it on to its child
        try:
            process.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
