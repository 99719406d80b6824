"""Settings shows how text reaches other apps here and why, and what ``saytype doctor`` finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.desktop_doctor import DoctorProbes, diagnose
from app.core.output.delivery_route import choose_delivery_route
from app.core.output.uinput_keyboard import UinputProbe
from app.core.settings import Settings
from app.ui.settings.settings_applier import _settings_choices
from app.ui.settings.settings_dialog import SettingsDialog
from tests.support.screenshots import save_screenshot
from tests.support.sway_session import running_sway

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform cannot pass a window's size hints on; nothing here relies on it.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

SWAY = {"WAYLAND_DISPLAY": "wayland-1", "XDG_SESSION_TYPE": "wayland", "SWAYSOCK": "/run/s.sock"}


def _installed(*names: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in names else None


def _route_label(dialog: SettingsDialog) -> QLabel:
    label = dialog.findChild(QLabel, "delivery_route")
    assert isinstance(label, QLabel)
    return label


def test_the_wayland_route_and_its_reason_show_on_the_output_page(
    qtbot: QtBot, tmp_path: Path
) -> None:
    route = choose_delivery_route(SWAY, _installed("wtype", "wl-paste"))
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], delivery_route=route)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.page_holding("delivery")
    dialog.show_page(page)
    label = _route_label(dialog)
    assert label.accessibleName() == "Delivery route"
    assert label.accessibleDescription() == f"Wayland virtual keyboard (wtype). {route.reason}"
    assert "pasting through the Wayland clipboard" in label.text()
    assert dialog.page_widget(page).isAncestorOf(label)
    qtbot.waitUntil(label.isVisible)
    dialog.resize(dialog.sizeHint())
    save_screenshot(dialog, "settings-output-wayland.png", tmp_path)


def test_a_route_that_cannot_type_says_what_to_install(qtbot: QtBot) -> None:
    route = choose_delivery_route({"WAYLAND_DISPLAY": "wayland-1"}, _installed())
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], delivery_route=route)
    qtbot.addWidget(dialog)
    description = _route_label(dialog).accessibleDescription()
    assert description.startswith("None: text goes to the clipboard. ")
    assert "sudo apt install wtype" in description


def test_without_a_route_the_dialog_is_as_before(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), [], ["tiny.en"])
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLabel, "delivery_route") is None


@pytest.mark.integration
def test_this_desktop_page_shows_what_doctor_finds_under_sway(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_sway() as sway:
        environ = {k: v for k, v in sway.client_env().items() if k != "DISPLAY"}
        findings = diagnose(
            environ,
            "tiny.en",
            {"settings": tmp_path / "config", "data": tmp_path / "data"},
            DoctorProbes(tray=lambda _env: False, microphones=lambda: ["Built-in Microphone"]),
        )
    route = choose_delivery_route(environ)
    dialog = SettingsDialog(
        Settings(), [], ["tiny.en"], delivery_route=route, desktop_findings=findings
    )
    qtbot.addWidget(dialog)
    assert dialog.page_names()[-1] == "This desktop"
    compositor = dialog.findChild(QLabel, "doctor_compositor")
    assert isinstance(compositor, QLabel)
    assert compositor.accessibleDescription() == (
        "works. sway: offers the virtual keyboard and clipboard control."
    )
    hotkey = dialog.findChild(QLabel, "doctor_hotkey")
    assert isinstance(hotkey, QLabel)
    assert "saytype keys --print sway" in hotkey.text()
    for finding in findings:  # one row each, the fix included
        label = dialog.findChild(QLabel, f"doctor_{finding.topic.replace(' ', '_')}")
        assert isinstance(label, QLabel)
        assert finding.fix in label.accessibleDescription()
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.show_page("This desktop")
    qtbot.waitUntil(compositor.isVisible)
    dialog.resize(dialog.sizeHint())
    save_screenshot(dialog, "settings-this-desktop-wayland.png", tmp_path)


def test_the_settings_choices_carry_doctors_findings_with_the_listed_microphones() -> None:
    devices, models, findings = _settings_choices("tiny.en")
    assert "tiny.en" in models
    topics = [finding.topic for finding in findings]
    assert topics[:4] == ["session", "compositor", "hotkey", "delivery"]
    microphone = next(finding for finding in findings if finding.topic == "microphone")
    if devices:  # the same list as the Audio page's, not asked for twice
        assert microphone.found.startswith(f"{len(devices)} found")
    else:
        assert microphone.status == "problem"


def test_the_uinput_route_shows_its_name_and_why(qtbot: QtBot) -> None:
    gnome = {"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"}
    route = choose_delivery_route(
        gnome,
        _installed("ydotool", "wl-paste"),
        interfaces=lambda _env: None,
        uinput=lambda _env, _which: UinputProbe("ydotool"),
    )
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], delivery_route=route)
    qtbot.addWidget(dialog)
    description = _route_label(dialog).accessibleDescription()
    assert description.startswith("Wayland, through /dev/uinput (ydotool or dotool). GNOME offers")


def test_this_desktop_page_names_the_portal_hotkey_route(qtbot: QtBot, tmp_path: Path) -> None:
    kde = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    probes = DoctorProbes(
        interfaces=lambda _env: frozenset({"wl_seat"}),
        tray=lambda _env: False,
        microphones=lambda: ["Built-in Microphone"],
        global_shortcuts=lambda _env: True,  # KDE Plasma, GNOME 48+, Hyprland
    )
    findings = diagnose(kde | {"XDG_CURRENT_DESKTOP": "KDE"}, "tiny.en", {"data": tmp_path}, probes)
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], desktop_findings=findings)
    qtbot.addWidget(dialog)
    hotkey = dialog.findChild(QLabel, "doctor_hotkey")
    assert isinstance(hotkey, QLabel)
    assert hotkey.accessibleDescription().startswith("works. portal: Wayland session whose")
