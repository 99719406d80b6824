"""Which keyboard types into other applications, chosen from the session's environment."""

from __future__ import annotations

import subprocess

import pytest

from app.core.output.delivery_route import X11_ROUTE, DeliveryRoute, choose_delivery_route
from app.core.output.text_delivery import InjectionError
from app.core.output.wayland_keyboard import WtypeKeyInjector


def _which(*installed: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in installed else None


WAYLAND = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}


def test_a_wayland_session_with_wtype_types_through_the_virtual_keyboard() -> None:
    route = choose_delivery_route(WAYLAND, _which("wtype"))
    assert route.name == "wayland-wtype"
    assert "wtype" in route.reason
    assert "wayland-0" in route.reason


def test_a_wayland_session_with_wl_clipboard_pastes_through_the_wayland_clipboard() -> None:
    route = choose_delivery_route(WAYLAND, _which("wtype", "wl-paste"))
    assert route.wayland_clipboard
    assert "Wayland clipboard" in route.reason
    assert route.open_wayland_clipboard() is not None


def test_a_wayland_session_without_wl_clipboard_says_paste_mode_types() -> None:
    route = choose_delivery_route(WAYLAND, _which("wtype"))
    assert not route.wayland_clipboard
    assert route.open_wayland_clipboard() is None
    assert "sudo apt install wl-clipboard" in route.reason
    assert route.reason.count(".") == 1  # one sentence


def test_x11_pastes_through_qt_as_before() -> None:
    route = choose_delivery_route({"DISPLAY": ":1"}, _which("wtype", "wl-paste"))
    assert not route.wayland_clipboard


def test_wayland_display_without_x_is_wayland_whatever_the_session_type_says() -> None:
    route = choose_delivery_route({"WAYLAND_DISPLAY": "wayland-1"}, _which("wtype"))
    assert route.name == "wayland-wtype"


def test_an_x11_session_with_a_stray_wayland_display_stays_on_x11() -> None:
    environ = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}
    route = choose_delivery_route(environ, _which("wtype"))
    assert route.name == "x11"


def test_x11_is_chosen_as_before_when_there_is_no_wayland() -> None:
    route = choose_delivery_route({"DISPLAY": ":1"}, _which("wtype"))
    assert route.name == "x11"
    assert ":1" in route.reason


def test_wayland_without_wtype_falls_back_to_xwayland_and_names_the_tool() -> None:
    route = choose_delivery_route(WAYLAND, _which())
    assert route.name == "x11"
    assert "sudo apt install wtype" in route.reason


def test_wayland_without_wtype_or_x_cannot_type_and_says_what_to_install() -> None:
    route = choose_delivery_route({"WAYLAND_DISPLAY": "wayland-1"}, _which())
    assert route.name == "none"
    assert route.reason.count(".") == 1  # one sentence
    assert "sudo apt install wtype" in route.reason
    with pytest.raises(InjectionError, match="wtype"):
        route.open_keyboard()
    message = route.no_keyboard_message(InjectionError(route.reason))
    assert message.startswith("Typing into Wayland apps needs wtype")
    assert "clipboard" in message


def test_no_display_at_all_cannot_type() -> None:
    route = choose_delivery_route({}, _which("wtype"))
    assert route.name == "none"
    assert "DISPLAY" in route.reason


def test_the_x11_message_is_worded_as_before() -> None:
    message = X11_ROUTE.no_keyboard_message(InjectionError("cannot open the X display: x"))
    assert message.startswith("Typing into other applications needs an X11 session (cannot open")


def test_the_wayland_route_opens_wtype_in_the_session_environment() -> None:
    environ = {**WAYLAND, "PATH": "/nowhere"}
    with pytest.raises(InjectionError, match="sudo apt install wtype"):
        DeliveryRoute("wayland-wtype", "", environ).open_keyboard()  # not on that PATH


def test_the_wtype_keyboard_runs_in_the_route_environment() -> None:
    calls: list[dict[str, object]] = []

    def runner(command: list[str], **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append({"command": command, **kwargs})
        return subprocess.CompletedProcess(command, 0, b"", b"")

    started: list[dict[str, object]] = []

    def starter(command: list[str], **kwargs: object):  # type: ignore[no-untyped-def]
        started.append({"command": command, **kwargs})
        return subprocess.Popen(["true"])  # an idle keyboard that has already ended

    keyboard = WtypeKeyInjector(WAYLAND, program="/usr/bin/wtype", runner=runner, starter=starter)
    keyboard.type_text("hi")
    keyboard.close()
    assert calls[0]["env"] == {**WAYLAND, "LC_ALL": "C.UTF-8"}
    assert calls[0]["command"] == ["/usr/bin/wtype", "hi"]
    assert started[0]["env"] == {**WAYLAND, "LC_ALL": "C.UTF-8"}
