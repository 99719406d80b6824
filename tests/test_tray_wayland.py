"""The tray on Wayland: a StatusNotifierItem in a real panel, and nothing broken without one.

Saytype runs as a native Wayland client (Qt's Wayland platform) of a headless
sway, on a private session bus. With waybar's tray on that bus, Qt's tray icon
is a StatusNotifierItem: the test reads it from the bus as the panel does (the
watcher's list, the item's properties, its dbusmenu) and picks menu entries as
a click in the panel would. With no watcher on the bus (a bare compositor, GNOME
without the AppIndicator extension) the app runs without a tray: closing the
window quits it, since nothing would bring it back. ``saytype doctor`` says
which of the two sessions has a tray, and how to get one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.desktop_app import RunningSaytype, running_saytype
from tests.support.private_bus import wait_until
from tests.support.pulse import PulseDaemon, running_pulseaudio
from tests.support.status_notifier import (
    ITEM_INTERFACE,
    MenuEntry,
    SessionBus,
    private_session_bus,
    running_waybar,
    split_item,
)
from tests.support.sway_session import SwaySession, running_sway
from tests.support.xserver import XServer, running_xvfb

pytestmark = [pytest.mark.integration]

APP_ID = "io.saytype.Saytype"  # the window's Wayland app_id
# The tray menu (app/ui/shell/tray.py), as dbusmenu spells Qt's "&" mnemonics.
MENU_LABELS = [
    "_Start dictation",
    "_Copy last",
    "_Pause history",
    "",  # separator
    "Show _window",
    "Se_ttings…",
    "_Unload model now",
    "",  # separator
    "_Quit",
]
_REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def desktop() -> Iterator[tuple[XServer, PulseDaemon, SwaySession]]:
    with running_xvfb() as xserver, running_pulseaudio() as pulse, running_sway() as sway:
        yield xserver, pulse, sway


def wayland_env(sway: SwaySession, bus: SessionBus) -> dict[str, str]:
    """A native Wayland client of ``sway`` on ``bus`` (what a Wayland login session gives)."""
    env = {k: v for k, v in sway.client_env().items() if "WAYLAND" in k or "SWAY" in k}
    return {**env, **bus.env(), "XDG_SESSION_TYPE": "wayland", "QT_QPA_PLATFORM": "wayland"}


def doctor_tray(env: Mapping[str, str]) -> dict[str, str]:
    """``saytype doctor --json``'s tray finding, run in the session ``env`` describes."""
    result = subprocess.run(
        [sys.executable, "-m", "app", "doctor", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "PYTHONWARNINGS": "error"},
        check=False,  # 1 when a check fails (a session without a microphone, say)
        cwd=_REPO,
    )
    assert result.stderr == ""
    assert result.returncode in {0, 1}
    checks = {check["topic"]: check for check in json.loads(result.stdout)["checks"]}
    return checks["tray"]


def window_shown(sway: SwaySession) -> bool:
    return APP_ID in sway.app_ids()


def close_window(sway: SwaySession) -> None:
    """What the window's close button does: the compositor asks the window to close."""
    sway.swaymsg(f'[app_id="{APP_ID}"] kill')


def assert_clean_log(log: str) -> None:
    """No traceback, no error, and no warning about the tray or the bus (Qt's included).

    Other warnings belong to other tests (the X11 hotkey's, Qt's text input's).
    """
    assert "Traceback" not in log, log
    for line in log.splitlines():
        assert not line.startswith(("ERROR", "CRITICAL")), log
        if line.startswith("WARNING"):
            assert not any(word in line.lower() for word in ("tray", "dbus", "notifier")), log


def saytype_items(bus: SessionBus, app: RunningSaytype) -> list[str]:
    """The watcher's items that are this app's (the bus says which process owns each)."""
    found = []
    for registered in bus.registered_items():
        service, _path = split_item(registered)
        if bus.pid_of(service) == app.process.pid:
            found.append(registered)
    return found


def tooltip(bus: SessionBus, registered: str) -> str:
    """The title of the item's tooltip (Saytype puts its state there)."""
    service, path = split_item(registered)
    return str(bus.get(service, path, ITEM_INTERFACE, "ToolTip")[2])


def by_label(entries: list[MenuEntry], label: str) -> MenuEntry:
    return next(entry for entry in entries if entry.label == label)


def test_the_tray_is_a_status_notifier_item_in_waybar(
    desktop: tuple[XServer, PulseDaemon, SwaySession], tmp_path: Path
) -> None:
    xserver, pulse, sway = desktop
    with private_session_bus() as bus, running_waybar(sway, bus, tmp_path / "waybar"):
        with running_saytype(
            xserver, pulse, tmp_path / "home", extra_env=wayland_env(sway, bus),
            wait_for_model=False,
        ) as app:  # fmt: skip
            app.wait(lambda: bool(saytype_items(bus, app)), "Saytype's item in the watcher", 20)
            app.wait(lambda: window_shown(sway), "the window on sway", 20)
            [registered] = saytype_items(bus, app)
            service, _path = split_item(registered)
            assert bus.exports_item(service)

            item = bus.item(registered)
            assert item["Id"] == "Saytype"
            assert item["Title"] == "Saytype"
            assert item["Status"] == "Active"
            assert item["Category"] == "ApplicationStatus"
            _icon_name, _icon, tooltip_title, _text = item["ToolTip"]
            assert tooltip_title.startswith("Saytype: ready"), tooltip_title
            # The state icon goes as pixels (it is drawn, not themed): one image at least.
            assert item["IconName"] or any(w > 0 and h > 0 and data for w, h, data in
                                            item["IconPixmap"])  # fmt: skip

            menu_path = item["Menu"]
            entries = bus.menu(service, menu_path)
            assert [e.label for e in entries] == MENU_LABELS
            assert [e.separator for e in entries] == [label == "" for label in MENU_LABELS]
            assert by_label(entries, "_Pause history").toggle_type == "checkmark"
            assert by_label(entries, "_Copy last").enabled is False  # nothing dictated yet
            assert by_label(entries, "Show _window").enabled
            assert by_label(entries, "_Quit").enabled

            # The panel follows the dictation: its tooltip and its menu's first entry.
            app.wait(lambda: "model ready" in app.log_text(), "the model", 60)
            start = by_label(entries, "_Start dictation").id
            bus.click(service, menu_path, start)
            app.wait(lambda: tooltip(bus, registered).startswith("Saytype: listening"),
                     "the tooltip to say listening", 20)  # fmt: skip
            assert app.send("status").state == "listening"
            assert bus.menu(service, menu_path)[0].label == "_Stop dictation"
            bus.click(service, menu_path, start)  # the same entry, now Stop dictation
            app.wait(lambda: tooltip(bus, registered).startswith("Saytype: ready"),
                     "the tooltip to say ready again", 30)  # fmt: skip
            assert bus.menu(service, menu_path)[0].label == "_Start dictation"

            # With a tray, closing the window hides it there; the app keeps running.
            close_window(sway)
            app.wait(lambda: not window_shown(sway), "the window to hide to the tray", 20)
            assert app.send("status").ok

            # The panel's menu brings it back...
            bus.click(service, menu_path, by_label(entries, "Show _window").id)
            app.wait(lambda: window_shown(sway), "Show window to bring the window back", 20)

            # ... and quits the app, which takes its item off the panel.
            bus.click(service, menu_path, by_label(entries, "_Quit").id)
            assert app.process.wait(timeout=30) == 0, app.log_text()
            wait_until(
                lambda: registered not in bus.registered_items(), "the item to leave", bus.address
            )
            assert not window_shown(sway)
        log = app.log_text()
        assert_clean_log(log)
        assert "no system tray" not in log


def test_without_a_watcher_the_app_runs_and_closing_the_window_quits(
    desktop: tuple[XServer, PulseDaemon, SwaySession], tmp_path: Path
) -> None:
    xserver, pulse, sway = desktop
    with private_session_bus() as bus:
        with running_saytype(
            xserver, pulse, tmp_path / "home", extra_env=wayland_env(sway, bus),
            wait_for_model=False,
        ) as app:  # fmt: skip
            app.wait(lambda: window_shown(sway), "the window on sway", 20)
            app.wait(lambda: "no system tray" in app.log_text(), "the app to find no tray", 20)
            # No watcher to register with, and no item exported by any of the app's connections.
            app_names = [name for name in bus.names() if bus.pid_of(name) == app.process.pid]
            assert app_names  # Qt is on the bus all the same (the test sees its connection)
            assert not any(bus.exports_item(name) for name in app_names)
            assert app.send("status").ok  # the control socket works without a tray

            finding = doctor_tray(app.env)  # in the app's own session
            assert finding["status"] == "warning"
            assert finding["found"].startswith("No system tray found")
            assert "add a tray to your panel" in finding["fix"]

            close_window(sway)  # no tray to hide to: closing quits
            assert app.process.wait(timeout=30) == 0, app.log_text()
            assert not window_shown(sway)
        log = app.log_text()
        assert_clean_log(log)
        assert "parts closed" in log


def test_a_panel_that_starts_after_saytype_still_gets_its_icon(
    desktop: tuple[XServer, PulseDaemon, SwaySession], tmp_path: Path
) -> None:
    # A compositor's autostart runs the panel and Saytype together, in either order.
    xserver, pulse, sway = desktop
    with private_session_bus() as bus:
        with running_saytype(
            xserver, pulse, tmp_path / "home", extra_env=wayland_env(sway, bus),
            wait_for_model=False,
        ) as app:  # fmt: skip
            app.wait(lambda: window_shown(sway), "the window on sway", 20)
            app.wait(lambda: "no system tray yet" in app.log_text(), "the app to find none", 20)
            with running_waybar(sway, bus, tmp_path / "waybar"):
                app.wait(lambda: bool(saytype_items(bus, app)), "Saytype's item, late", 20)
                [registered] = saytype_items(bus, app)
                service, _path = split_item(registered)
                item = bus.item(registered)
                assert item["Id"] == "Saytype"
                assert [e.label for e in bus.menu(service, item["Menu"])] == MENU_LABELS

                close_window(sway)  # the tray is there now: closing hides the window to it
                app.wait(lambda: not window_shown(sway), "the window to hide to the tray", 20)
                assert app.send("status").ok
                entries = bus.menu(service, item["Menu"])
                bus.click(service, item["Menu"], by_label(entries, "_Quit").id)
                assert app.process.wait(timeout=30) == 0, app.log_text()
        assert_clean_log(app.log_text())


def test_started_hidden_it_waits_in_the_tray_and_without_one_shows_its_window(
    desktop: tuple[XServer, PulseDaemon, SwaySession], tmp_path: Path
) -> None:
    # How start at login runs it (`saytype --hidden`): the settings promised the tray,
    # and the window opened over the desktop at every login.
    xserver, pulse, sway = desktop
    with private_session_bus() as bus, running_waybar(sway, bus, tmp_path / "waybar"):
        with running_saytype(
            xserver, pulse, tmp_path / "home", extra_env=wayland_env(sway, bus),
            wait_for_model=False, args=["--hidden"],
        ) as app:  # fmt: skip
            app.wait(lambda: bool(saytype_items(bus, app)), "Saytype's item in the watcher", 20)
            app.wait(lambda: "started in the tray" in app.log_text(), "the hidden start", 20)
            assert app.send("status").ok  # the app is up, its window not shown
            assert not window_shown(sway)
            [registered] = saytype_items(bus, app)
            service, _path = split_item(registered)
            menu = bus.item(registered)["Menu"]
            bus.click(service, menu, by_label(bus.menu(service, menu), "Show _window").id)
            app.wait(lambda: window_shown(sway), "Show window to open the window", 20)
            bus.click(service, menu, by_label(bus.menu(service, menu), "_Quit").id)
            assert app.process.wait(timeout=30) == 0, app.log_text()
        assert_clean_log(app.log_text())
    with private_session_bus() as bus, running_saytype(
        xserver, pulse, tmp_path / "home2", extra_env=wayland_env(sway, bus),
        wait_for_model=False, args=["--hidden"],
    ) as app:  # fmt: skip
        app.wait(lambda: window_shown(sway), "the window, as no tray could bring it", 20)
        close_window(sway)
        assert app.process.wait(timeout=30) == 0, app.log_text()


def test_doctor_finds_the_tray_waybar_offers(
    desktop: tuple[XServer, PulseDaemon, SwaySession], tmp_path: Path
) -> None:
    _xserver, _pulse, sway = desktop
    with private_session_bus() as bus, running_waybar(sway, bus, tmp_path / "waybar"):
        env = {**sway.client_env(), **wayland_env(sway, bus), "XDG_CONFIG_HOME": str(tmp_path)}
        finding = doctor_tray(env)
    assert finding["status"] == "ok", finding
    assert finding["fix"] == ""
