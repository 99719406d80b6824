"""A private session bus, a real panel (waybar) hosting StatusNotifierItems, and a bus reader.

On a Linux desktop Qt's tray icon is a StatusNotifierItem: the app exports the
item and its menu (``com.canonical.dbusmenu``) on the session bus and registers
it with ``org.kde.StatusNotifierWatcher``, which the panel provides. Here the
panel is waybar with a single ``tray`` module, a native Wayland client of a
headless sway (tests/support/sway_session.py), on a ``dbus-daemon --session``
of the test's own, so a user's session is never touched. Everything on the bus
runs as the test's own user (clients reach sway through its socket's absolute
path), so the bus needs no policy for other users.

The test reads the bus as any other client would: ``busctl --json`` (systemd),
never Qt, so what it sees is what the panel sees. Readiness is polled with a
deadline on what the bus answers; nothing is slept for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.ci import fail_missing
from tests.support.private_bus import running_session_bus, wait_until
from tests.support.sway_session import SwaySession

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM_INTERFACE = "org.kde.StatusNotifierItem"
MENU_INTERFACE = "com.canonical.dbusmenu"
_TOOLS = ("dbus-daemon", "busctl", "waybar")
_CALL_TIMEOUT_S = 10.0
_READY_TIMEOUT_S = 20.0
# A bar whose only module is the tray, with a style of its own (not the system's).
_WAYBAR_CONFIG = {"layer": "top", "position": "top", "height": 28, "modules-right": ["tray"]}
_WAYBAR_STYLE = "* { font-family: sans-serif; font-size: 12px; }\n"


@dataclass(frozen=True)
class MenuEntry:
    """One entry of a dbusmenu layout, as a panel would draw it."""

    id: int
    label: str  # with the mnemonic as "_" (dbusmenu's form of Qt's "&")
    enabled: bool
    separator: bool
    toggle_type: str  # "" or "checkmark"


@dataclass(frozen=True)
class SessionBus:
    """A private session bus; queries it through ``busctl``."""

    address: str

    def env(self) -> dict[str, str]:
        """What a client needs to join this bus (and not the user's)."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def call(self, *args: str) -> Any:
        """``busctl --json=short ARGS`` on this bus: the parsed reply (None when it is empty).

        Raises:
            subprocess.CalledProcessError: When busctl fails (no such name, method, ...).
        """
        result = subprocess.run(
            ["busctl", f"--address={self.address}", "--json=short", *args],
            capture_output=True,
            text=True,
            timeout=_CALL_TIMEOUT_S,
            check=True,
        )
        return json.loads(result.stdout) if result.stdout.strip() else None

    def names(self) -> list[str]:
        """Every name on the bus, unique and well-known."""
        bus = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
        return list(self.call("call", *bus, "ListNames")["data"][0])

    def pid_of(self, name: str) -> int | None:
        """The process that owns ``name`` on the bus; None once it is gone (busctl's own)."""
        bus = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
        try:
            reply = self.call("call", *bus, "GetConnectionUnixProcessID", "s", name)
        except subprocess.CalledProcessError:
            return None
        return int(reply["data"][0])

    def get(self, service: str, path: str, interface: str, prop: str) -> Any:
        """One property's value."""
        return self.call("get-property", service, path, interface, prop)["data"]

    def exports_item(self, service: str, path: str = "/StatusNotifierItem") -> bool:
        """Whether ``service`` has a StatusNotifierItem at ``path`` (its Id can be read)."""
        try:
            self.get(service, path, ITEM_INTERFACE, "Id")
        except subprocess.CalledProcessError:
            return False
        return True

    def host_registered(self) -> bool:
        """Whether a watcher is there and a panel has told it that it hosts items."""
        if WATCHER not in self.names():
            return False
        return bool(self.get(WATCHER, WATCHER_PATH, WATCHER, "IsStatusNotifierHostRegistered"))

    def registered_items(self) -> list[str]:
        """The watcher's ``RegisteredStatusNotifierItems`` ("service/path" each)."""
        return list(self.get(WATCHER, WATCHER_PATH, WATCHER, "RegisteredStatusNotifierItems"))

    def item(self, registered: str) -> dict[str, Any]:
        """The properties of a registered item, by name (the spec's read-only properties)."""
        service, path = split_item(registered)
        props = ("Id", "Title", "Status", "Category", "IconName", "IconPixmap", "ToolTip", "Menu")
        return {prop: self.get(service, path, ITEM_INTERFACE, prop) for prop in props}

    def menu(self, service: str, menu_path: str) -> list[MenuEntry]:
        """The top level of the item's menu, from ``GetLayout`` (as a panel asks on a click)."""
        # "--" ends busctl's options: -1 (the whole depth) is an argument.
        reply = self.call("call", "--", service, menu_path, MENU_INTERFACE, "GetLayout",
                          "iias", "0", "-1", "0")  # fmt: skip
        _revision, (_root_id, _root_props, children) = reply["data"]
        entries = []
        for child in children:
            entry_id, props, _grandchildren = child["data"]
            value = {name: variant["data"] for name, variant in props.items()}
            entries.append(
                MenuEntry(
                    id=entry_id,
                    label=value.get("label", ""),
                    enabled=value.get("enabled", True),
                    separator=value.get("type") == "separator",
                    toggle_type=value.get("toggle-type", ""),
                )
            )
        return entries

    def click(self, service: str, menu_path: str, entry_id: int) -> None:
        """Send the ``clicked`` event a panel sends when the user picks the entry."""
        self.call("call", "--", service, menu_path, MENU_INTERFACE, "Event",
                  "isvu", str(entry_id), "clicked", "s", "", "0")  # fmt: skip


def split_item(registered: str) -> tuple[str, str]:
    """ "service/path" (how the watcher lists an item) → (bus name, object path)."""
    service, slash, path = registered.partition("/")
    return service, (slash + path) if path else "/StatusNotifierItem"


@contextmanager
def private_session_bus() -> Iterator[SessionBus]:
    """Start a ``dbus-daemon --session`` of the test's own; skip (fail in CI) without the tools."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        fail_missing(
            f"needs {', '.join(missing)} for the tray tests (sudo apt install dbus-daemon "
            "systemd waybar)"
        )
    with running_session_bus() as address:
        yield SessionBus(address)


@contextmanager
def running_waybar(sway: SwaySession, bus: SessionBus, folder: Path) -> Iterator[Path]:
    """waybar with only its tray module on ``sway``, hosting items on ``bus``; yields its log.

    Ready when the watcher (waybar's own) says a host is registered.
    """
    folder.mkdir(parents=True, exist_ok=True)
    runtime = folder / "runtime"  # GTK wants a private runtime dir
    runtime.mkdir(mode=0o700, exist_ok=True)
    config, style = folder / "config.json", folder / "style.css"
    config.write_text(json.dumps(_WAYBAR_CONFIG), encoding="utf-8")
    style.write_text(_WAYBAR_STYLE, encoding="utf-8")
    env = {
        **sway.client_env(),
        **bus.env(),
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(folder),
        "NO_AT_BRIDGE": "1",  # no accessibility bus activated on the private bus
    }
    log_path = folder / "waybar.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["waybar", "-c", str(config), "-s", str(style)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def registered() -> bool:
            # waybar leaving the bus is a signal too, so its exit ends the wait.
            assert process.poll() is None, "waybar exited"
            return bus.host_registered()

        try:
            wait_until(registered, "waybar's tray host", bus.address, _READY_TIMEOUT_S)
        except AssertionError as exc:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(
                f"waybar's tray did not register a host ({exc}); log:\n{tail}"
            ) from None
        yield log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=_CALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
