"""A real system keyring for tests: GNOME Keyring on a private D-Bus session bus.

``keyring`` reaches GNOME Keyring through the Secret Service D-Bus API, as on
a desktop. The test starts its own ``dbus-daemon --session`` (its own address,
so the user's session is never touched) and ``gnome-keyring-daemon`` on it
with a fresh keyring folder, unlocked with a throwaway password given on
standard input. Both end with the block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ci import fail_missing

_READY_DEADLINE_S = 30.0
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


@dataclass(frozen=True)
class KeyringSession:
    """The environment that reaches the private keyring."""

    bus_address: str
    data_home: Path

    def env(self) -> dict[str, str]:
        """Variables for ``saytype`` (in this process or a child) to use this keyring."""
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND,
        }


@contextmanager
def running_keyring(folder: Path) -> Iterator[KeyringSession]:
    """Start a session bus and an unlocked GNOME Keyring whose files live under ``folder``."""
    for binary, package in (
        ("dbus-daemon", "dbus-daemon"),
        ("gnome-keyring-daemon", "gnome-keyring"),
    ):
        if shutil.which(binary) is None:
            fail_missing(f"needs {binary} (apt install {package})")
    runtime = folder / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_home = folder / "data"
    bus = subprocess.Popen(
        [
            "dbus-daemon",
            "--session",
            "--nofork",
            "--print-address=1",
            f"--address=unix:path={runtime / 'bus'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    keyring_daemon: subprocess.Popen[str] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()  # printed once the bus accepts connections
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        env = {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(data_home),
            "HOME": str(folder),
        }
        keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert keyring_daemon.stdin is not None
        keyring_daemon.stdin.write("saytype-test")  # the new login keyring's password
        keyring_daemon.stdin.close()
        session = KeyringSession(address, data_home)
        _wait_for_secret_service(address, keyring_daemon)
        yield session
    finally:
        for process in (keyring_daemon, bus):
            if process is not None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
        if bus.stdout is not None:
            bus.stdout.close()


def _wait_for_secret_service(address: str, daemon: subprocess.Popen[str]) -> None:
    """Until ``org.freedesktop.secrets`` has an owner on the bus, checked at each bus signal."""
    from tests.support.private_bus import wait_until

    command = [
        "dbus-send",
        f"--bus={address}",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner",
        "string:org.freedesktop.secrets",
    ]

    def owned() -> bool:
        if daemon.poll() is not None:  # its leaving the bus is a signal too
            raise RuntimeError(f"gnome-keyring-daemon exited with status {daemon.returncode}")
        reply = subprocess.run(command, capture_output=True, text=True, check=False)
        return "boolean true" in reply.stdout

    wait_until(owned, "the keyring on the bus", address, _READY_DEADLINE_S)
