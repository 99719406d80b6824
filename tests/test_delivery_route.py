"""Which keyboard types into other applications, chosen from the session's environment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.core.output.delivery_route import (
    DATA_CONTROL,
    VIRTUAL_KEYBOARD,
    X11_ROUTE,
    DeliveryRoute,
    choose_delivery_route,
)
from app.core.output.text_delivery import InjectionError
from app.core.output.uinput_keyboard import (
    MESSAGE_NO_TOOL,
    MESSAGE_NO_UINPUT,
    UinputKeyInjector,
    UinputProbe,
    UinputTool,
    probe_uinput,
    ydotoold_sockets,
)
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


# ---- compositors without a virtual keyboard: /dev/uinput ------------------------------------

GNOME = {
    "WAYLAND_DISPLAY": "wayland-0",
    "XDG_SESSION_TYPE": "wayland",
    "XDG_CURRENT_DESKTOP": "GNOME",
}
SWAY_PROTOCOLS = frozenset({"wl_seat", VIRTUAL_KEYBOARD, DATA_CONTROL})
KWIN_PROTOCOLS = frozenset({"wl_seat", DATA_CONTROL})


def _uinput(tool: UinputTool | None, problem: str = ""):  # type: ignore[no-untyped-def]
    return lambda _environ, _which: UinputProbe(tool, problem)


def _protocols(offered: frozenset[str] | None):  # type: ignore[no-untyped-def]
    return lambda _environ: offered


def test_gnome_types_through_uinput_when_ydotool_can() -> None:
    route = choose_delivery_route(
        GNOME, _which("wtype", "ydotool"), interfaces=_protocols(None), uinput=_uinput("ydotool")
    )
    assert route.name == "wayland-uinput"
    assert route.reason.startswith("GNOME offers no virtual keyboard: typing through /dev/uinput")
    assert "ydotool" in route.reason
    assert "sudo apt install wl-clipboard" in route.reason  # paste mode needs it
    assert not route.wayland_clipboard


def test_a_compositor_whose_protocols_lack_the_virtual_keyboard_uses_uinput() -> None:
    route = choose_delivery_route(
        WAYLAND,
        _which("ydotool", "wl-paste"),
        interfaces=_protocols(KWIN_PROTOCOLS),
        uinput=_uinput("dotool"),
    )
    assert route.name == "wayland-uinput"
    assert route.reason.startswith("This compositor offers no virtual keyboard")
    assert route.wayland_clipboard  # KWin lets apps set the clipboard: paste and non-layout text
    assert "outside the keyboard layout" in route.reason


def test_without_clipboard_control_paste_mode_types_and_the_reason_says_the_limit() -> None:
    route = choose_delivery_route(
        GNOME,
        _which("ydotool", "wl-paste"),
        interfaces=_protocols(frozenset({"wl_seat"})),  # mutter
        uinput=_uinput("ydotool"),
    )
    assert route.name == "wayland-uinput"
    assert not route.wayland_clipboard
    assert "cannot be typed" in route.reason


def test_sway_with_wtype_keeps_wtype_even_when_uinput_works() -> None:
    for offered in (SWAY_PROTOCOLS, None):
        route = choose_delivery_route(
            WAYLAND,
            _which("wtype", "ydotool", "wl-paste"),
            interfaces=_protocols(offered),
            uinput=_uinput("ydotool"),
        )
        assert route.name == "wayland-wtype"
        assert route.reason.endswith("pasting through the Wayland clipboard.")


def test_gnome_before_the_setup_keeps_todays_route_and_names_the_setup() -> None:
    unset = _uinput(None, MESSAGE_NO_UINPUT)
    with_wtype = choose_delivery_route(
        GNOME, _which("wtype"), interfaces=_protocols(None), uinput=unset
    )
    assert with_wtype.name == "wayland-wtype"
    assert "wtype, which fails here: GNOME offers no virtual keyboard, and " in with_wtype.reason
    assert "sudo usermod -aG input $USER" in with_wtype.reason
    xwayland = choose_delivery_route(
        {**GNOME, "DISPLAY": ":0"}, _which(), interfaces=_protocols(None), uinput=unset
    )
    assert xwayland.name == "x11"
    assert "only X11 (XWayland) windows; GNOME offers no" in xwayland.reason
    assert "/dev/uinput is not writable" in xwayland.reason
    nothing = choose_delivery_route(
        GNOME, _which(), interfaces=_protocols(None), uinput=_uinput(None, MESSAGE_NO_TOOL)
    )
    assert nothing.name == "none"
    assert nothing.reason.startswith("GNOME offers no virtual keyboard, and typing through")
    assert "sudo apt install ydotool" in nothing.reason


def test_the_uinput_route_opens_the_uinput_keyboard(tmp_path: Path) -> None:
    tool = tmp_path / "ydotool"
    tool.write_text("#!/bin/sh\nexit 1\n")
    tool.chmod(0o755)
    route = DeliveryRoute("wayland-uinput", "", {**GNOME, "PATH": str(tmp_path)})
    keyboard = route.open_keyboard()
    assert isinstance(keyboard, UinputKeyInjector)
    assert keyboard.tool == "ydotool"


def test_probe_prefers_a_running_ydotoold_then_a_writable_uinput() -> None:
    def exists(path: str) -> bool:
        return path == "/run/user/1000/.ydotool_socket"

    environ = {"XDG_RUNTIME_DIR": "/run/user/1000"}
    both = _which("ydotool", "dotool")
    assert probe_uinput(environ, both, writable=lambda _p: False, exists=exists).tool == "ydotool"
    assert probe_uinput({}, both, writable=lambda _p: True, exists=exists).tool == "dotool"
    assert probe_uinput({}, _which("ydotool"), writable=lambda _p: True).tool == "ydotool"
    unset = probe_uinput({}, both, writable=lambda _p: False, exists=lambda _p: False)
    assert unset == UinputProbe(None, MESSAGE_NO_UINPUT)
    assert probe_uinput({}, _which()) == UinputProbe(None, MESSAGE_NO_TOOL)
    custom = {"YDOTOOL_SOCKET": "/srv/ydo.sock"}
    assert ydotoold_sockets(custom) == ["/srv/ydo.sock", "/tmp/.ydotool_socket"]


def _portal(offered: bool):  # type: ignore[no-untyped-def]
    return lambda _environ: offered


def test_kde_without_uinput_set_up_types_through_the_remote_desktop_portal() -> None:
    route = choose_delivery_route(
        {**GNOME, "XDG_CURRENT_DESKTOP": "KDE"},
        _which("wtype", "ydotool", "wl-paste"),
        interfaces=_protocols(KWIN_PROTOCOLS),
        uinput=_uinput(None, MESSAGE_NO_UINPUT),
        remote_keyboard=_portal(True),
    )
    assert route.name == "wayland-portal"
    assert route.reason == (
        "KDE offers no virtual keyboard: typing through the desktop's remote-control portal "
        "(it may ask once), pasting (and characters outside the keyboard layout) through the "
        "Wayland clipboard."
    )
    assert route.wayland_clipboard


def test_uinput_set_up_by_the_user_comes_before_the_portal() -> None:
    route = choose_delivery_route(
        GNOME,
        _which("ydotool", "wl-paste"),
        interfaces=_protocols(frozenset({"wl_seat"})),
        uinput=_uinput("ydotool"),
        remote_keyboard=_portal(True),
    )
    assert route.name == "wayland-uinput"


def test_a_compositor_with_a_virtual_keyboard_never_asks_the_portal() -> None:
    def never(_environ: object) -> bool:
        raise AssertionError("the portal was asked")

    route = choose_delivery_route(
        WAYLAND,
        _which("wtype", "wl-paste"),
        interfaces=_protocols(SWAY_PROTOCOLS),
        remote_keyboard=never,
    )
    assert route.name == "wayland-wtype"


def test_the_portal_route_opens_the_portal_keyboard_and_says_when_there_is_no_bus() -> None:
    route = DeliveryRoute("wayland-portal", "", dict(GNOME))
    with pytest.raises(InjectionError, match="needs a session bus"):
        route.open_keyboard()
