"""A private headless Plasma piece: KWin, its global shortcuts, and the GlobalShortcuts portal.

What a person's Plasma 5.27 session runs for the portal, on a bus of its own:
``dbus-daemon --session``; ``kwin_wayland --virtual`` (no GPU, no input
devices; it also runs kglobalaccel in-process and owns ``org.kde.kglobalaccel``);
``xdg-desktop-portal-kde`` (a Qt Wayland client of that KWin, which implements
``org.freedesktop.impl.portal.GlobalShortcuts`` on kglobalaccel); and
``xdg-desktop-portal`` with ``XDG_CURRENT_DESKTOP=KDE``, which offers
``org.freedesktop.portal.GlobalShortcuts`` to apps. Keys come from
:class:`~tests.support.kwin_fake_input.FakeKeyboard`.

Two things differ from a login session. Debian ships kwin_wayland with the
file capability ``cap_sys_resource``; a container whose bounding set lacks it
refuses to exec it ("Operation not permitted"), so a copy without the
capability runs (it only raises KWin's rlimits). And
``KWIN_WAYLAND_NO_PERMISSION_CHECKS=1`` lets the test's key client use KWin's
restricted fake-input protocol. KWin runs as root without complaint.

Readiness is polled on real conditions (the sockets exist, the bus names have
owners), each within a bound.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.support.ci import fail_missing
from tests.support.desktop_app import RunningSaytype, file_log, running_saytype
from tests.support.kwin_fake_input import FakeKeyboard
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.wayland_targets import FootTarget
from tests.support.xserver import XServer, running_xvfb

_READY_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 10.0
_POLL_S = 0.05
_PORTAL = "/usr/libexec/xdg-desktop-portal"
_PORTAL_KDE_GLOBS = ("lib/*/libexec/xdg-desktop-portal-kde", "libexec/xdg-desktop-portal-kde")


@dataclass(frozen=True)
class KdeSession:
    """The running session: its folder, its bus, its Wayland socket."""

    base: Path
    env: dict[str, str]  # the session's own environment (as Plasma starts apps)
    bus_address: str
    socket: Path

    def client_env(self) -> dict[str, str]:
        """What an app started in this session gets: its bus, its display, its desktop."""
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "WAYLAND_DISPLAY": str(self.socket),
            "XDG_SESSION_TYPE": "wayland",
            "XDG_CURRENT_DESKTOP": "KDE",
        }

    def logs(self) -> str:
        """The session's processes' logs (their tails), for a failure message."""
        return _logs(self.base)

    def assign_key(self, component: str, action: str, description: str, qt_key: int) -> None:
        """Give a global shortcut a key, as a person does in System Settings → Shortcuts."""
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import unwrap_msg

        kglobalaccel = DBusAddress("/kglobalaccel", "org.kde.kglobalaccel", "org.kde.KGlobalAccel")
        action_id = [component, action, component, description]
        call = new_method_call(kglobalaccel, "setForeignShortcut", "asai", (action_id, [qt_key]))
        with open_dbus_connection(bus=self.bus_address) as connection:
            unwrap_msg(connection.send_and_get_reply(call, timeout=10))

    @contextmanager
    def qt_target(self, name: str = "qt") -> Iterator[FootTarget]:
        """A Qt line edit, a native Wayland client of this KWin, once it has the focus.

        KWin focuses a new window; the window itself reports when it is active
        (KWin has no query for the focus that sway's IPC gives).
        """
        outfile = self.base / "targets" / f"{name}.txt"
        outfile.parent.mkdir(exist_ok=True)
        active = outfile.with_name(f"{outfile.name}.active")
        for stale in (outfile, active):  # an earlier window's text must not count as this one's
            stale.unlink(missing_ok=True)
        runtime = self.base / f"{name}-runtime"  # Qt wants a private runtime dir of its own
        runtime.mkdir(mode=0o700, exist_ok=True)
        env = {
            **self.env,
            "WAYLAND_DISPLAY": str(self.socket),
            "QT_QPA_PLATFORM": "wayland",
            "XDG_RUNTIME_DIR": str(runtime),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
        command = [sys.executable, "-m", "tests.support.target_window", "qt", str(outfile), name]
        with (self.base / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            focused = lambda: outfile.exists() and active.exists() and active.read_text() == "1"  # noqa: E731
            _wait(process, focused, f"the Qt window {name} to have the focus", self.base)
            yield FootTarget(name, outfile, process)
        finally:
            _stop(process)

    @contextmanager
    def keyboard(self) -> Iterator[FakeKeyboard]:
        """A fake-input keyboard on this KWin."""
        keyboard = FakeKeyboard(self.socket)
        try:
            yield keyboard
        finally:
            keyboard.close()


def _portal_kde() -> str | None:
    found = [path for pattern in _PORTAL_KDE_GLOBS for path in Path("/usr").glob(pattern)]
    return str(found[0]) if found else None


@contextmanager
def running_kde_portal(layout: str | None = None) -> Iterator[KdeSession]:
    """Start the session; stop every process and remove its folder afterwards.

    Args:
        layout: the keyboard layout KWin uses (``kxkbrc``, as Plasma's settings write it);
            None for its default, a US layout.
    """
    binary, portal_kde = shutil.which("kwin_wayland"), _portal_kde()
    if not (binary and portal_kde and os.access(_PORTAL, os.X_OK) and shutil.which("dbus-daemon")):
        fail_missing("needs kwin-wayland, xdg-desktop-portal(-kde) and dbus-daemon")
    base = Path(tempfile.mkdtemp(prefix="saytype-kde-"))
    runtime = base / "runtime"
    for folder in (runtime, base / "home", base / "config", base / "bin"):
        folder.mkdir(mode=0o700)
    shutil.copy(binary, base / "bin" / "kwin_wayland")  # a copy carries no file capability
    if layout is not None:
        (base / "config" / "kxkbrc").write_text(f"[Layout]\nLayoutList={layout}\nUse=true\n")
    bus = f"unix:path={runtime / 'bus'}"
    socket = runtime / "wayland-kde"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(base / "home"),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_CURRENT_DESKTOP": "KDE",
        "XDG_SESSION_TYPE": "wayland",
        "KDE_FULL_SESSION": "true",
        "DBUS_SESSION_BUS_ADDRESS": bus,
        "WAYLAND_DISPLAY": socket.name,
        "QT_QPA_PLATFORM": "wayland",  # for the bus-started services, as in Plasma
    }
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, base, ignore_errors=True)

        def start(name: str, argv: list[str], **extra: str) -> subprocess.Popen[bytes]:
            log = (base / f"{name}.log").open("wb")
            stack.callback(log.close)
            own = {k: v for k, v in {**env, **extra}.items() if v}  # "" leaves a variable out
            process = subprocess.Popen(argv, env=own, stdout=log, stderr=log)
            stack.callback(_stop, process)
            return process

        dbus = start("dbus", ["dbus-daemon", "--session", "--nofork", f"--address={bus}"])
        _wait(dbus, (runtime / "bus").exists, "the session bus", base)
        kwin = start(
            "kwin",
            [str(base / "bin" / "kwin_wayland"), "--virtual", "--no-lockscreen",
             "--no-kactivities", "--socket", socket.name],
            KWIN_WAYLAND_NO_PERMISSION_CHECKS="1", KWIN_COMPOSE="Q", QT_QPA_PLATFORM="",
        )  # fmt: skip
        _wait(kwin, lambda: _has_owner(bus, "org.kde.kglobalaccel"), "KWin's kglobalaccel", base)
        assert portal_kde is not None
        backend = start("portal-kde", [portal_kde])
        owned = "org.freedesktop.impl.portal.desktop.kde"
        _wait(backend, lambda: _has_owner(bus, owned), "its portal", base)
        portal = start("portal", [_PORTAL])
        _wait(portal, lambda: _has_owner(bus, "org.freedesktop.portal.Desktop"), "the portal", base)
        yield KdeSession(base, env, bus, socket)


KdeDesktop = tuple[XServer, PulseDaemon, KdeSession]


@contextmanager
def running_kde_desktop() -> Iterator[KdeDesktop]:
    """The Plasma piece with an X server for Saytype's window and a PulseAudio microphone."""
    with running_xvfb() as xserver, running_pulseaudio() as pulse, running_kde_portal() as kde:
        yield xserver, pulse, kde


@contextmanager
def saytype_in_kde(
    desktop: KdeDesktop, home: Path, ready: str, settings: Mapping[str, object] | None = None
) -> Iterator[RunningSaytype]:
    """Saytype in that session, once its own log says ``ready`` (a portal bound, a session)."""
    xserver, pulse, kde = desktop
    with running_saytype(
        xserver, pulse, home, dict(settings or {}), extra_env=kde.client_env()
    ) as app:
        try:
            app.wait(lambda: ready in file_log(home), f"{ready!r} in Saytype's log", 30)
        except BaseException:
            print(kde.logs())  # the portal's side, for pytest's captured output
            raise
        yield app


def _has_owner(bus: str, name: str) -> bool:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with suppress(OSError), open_dbus_connection(bus=bus) as connection:
        reply = connection.send_and_get_reply(message_bus.NameHasOwner(name), timeout=5)
        return bool(reply.body and reply.body[0])
    return False


def _wait(
    process: subprocess.Popen[bytes], condition: Callable[[], bool], what: str, base: Path
) -> None:
    """Until ``condition`` holds; fail at once if ``process``, which makes it hold, exits."""
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{_logs(base)}")
        try:  # between checks, wait on the process: its exit ends the wait early
            process.wait(timeout=_POLL_S)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"{what}: exited with {process.returncode}\n{_logs(base)}")


def _logs(base: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
        for path in sorted(base.glob("*.log"))
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
