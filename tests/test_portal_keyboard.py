"""The RemoteDesktop portal keyboard: keysyms, and the session against an in-memory portal.

The in-memory portal (tests/fakes/fake_portal_bus.py) stands for what the
headless Plasma cannot show: a version 2 portal that keeps a permission, and a
desktop that refuses. The real chain (the portal session, KWin's keys, a Wayland window's text, the
clipboard for what the layout lacks) is tests/test_delivery_portal_kde.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.output.portal_keyboard import PortalKeyInjector, key_keysym, keysym_for
from app.core.output.text_delivery import InjectionError
from tests.fakes.fake_portal_bus import FakePortalBus


@pytest.mark.parametrize(
    ("char", "keysym"),
    [
        ("a", 0x61),
        ("A", 0x41),  # the compositor adds Shift from the layout
        ("~", 0x7E),
        (" ", 0x20),
        ("é", 0xE9),  # Latin-1 keysyms are the code point
        ("€", 0x010020AC),  # the rest are Unicode keysyms
        ("你", 0x01004F60),
        ("\n", 0xFF0D),  # Return, as a keyboard's Enter
        ("\t", 0xFF09),
    ],
)
def test_a_character_is_its_x_keysym(char: str, keysym: int) -> None:
    assert keysym_for(char) == keysym


@pytest.mark.parametrize(
    ("key", "keysym"),
    [
        ("ctrl", 0xFFE3),
        ("Shift", 0xFFE1),
        ("v", 0x76),
        ("insert", 0xFF63),
        ("backspace", 0xFF08),
        ("enter", 0xFF0D),
        ("f1", 0xFFBE),
        ("F12", 0xFFC9),
    ],
)
def test_a_named_key_is_its_x_keysym(key: str, keysym: int) -> None:
    assert key_keysym(key) == keysym


def test_an_unknown_key_name_is_an_error_that_names_it() -> None:
    with pytest.raises(InjectionError, match="cannot press menu_key"):
        key_keysym("menu_key")


# ---- the portal session, against a portal that answers in memory ------------------------------

MODIFIER_RELEASES = [(keysym, 0) for keysym in (0xFFE1, 0xFFE2, 0xFFE3, 0xFFE4)]


def open_keyboard(bus: FakePortalBus, token_file: Path | None = None) -> PortalKeyInjector:
    return PortalKeyInjector(
        {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/fake"},
        token_file=token_file,
        connect=lambda _address: bus,
    )


def options_of(bus: FakePortalBus, member: str) -> dict[str, tuple[str, object]]:
    return next(body[-1] for name, body in bus.calls if name == member)


def test_a_version_2_portal_keeps_the_permission_in_an_owner_only_file(tmp_path: Path) -> None:
    bus = FakePortalBus(version=2, restore_token="token-1")
    token_file = tmp_path / "data" / "remote-desktop-token"
    open_keyboard(bus, token_file)
    selected = options_of(bus, "SelectDevices")
    assert (selected["types"], selected["persist_mode"]) == (("u", 1), ("u", 2))
    assert "restore_token" not in selected
    assert token_file.read_text() == "token-1"
    assert token_file.stat().st_mode & 0o777 == 0o600


def test_the_kept_permission_is_offered_back_and_a_new_one_replaces_it(tmp_path: Path) -> None:
    token_file = tmp_path / "remote-desktop-token"
    token_file.write_text("token-1")
    bus = FakePortalBus(version=2, restore_token="token-2")
    open_keyboard(bus, token_file)
    assert options_of(bus, "SelectDevices")["restore_token"] == ("s", "token-1")
    assert token_file.read_text() == "token-2"


def test_a_version_1_portal_gets_no_persistence_options(tmp_path: Path) -> None:
    bus = FakePortalBus(version=1)
    open_keyboard(bus, tmp_path / "remote-desktop-token")
    assert "persist_mode" not in options_of(bus, "SelectDevices")
    assert not (tmp_path / "remote-desktop-token").exists()


@pytest.mark.parametrize(
    ("bus", "message"),
    [
        (FakePortalBus(start_code=1), "refused: the portal refused Start (cancelled)"),
        (FakePortalBus(devices=2), "refused: the desktop gave no keyboard"),
    ],
    ids=["the user said no", "no keyboard given"],
)
def test_a_refusal_is_an_error_that_says_so_and_closes_the_session(
    bus: FakePortalBus, message: str
) -> None:
    with pytest.raises(InjectionError, match=re.escape(message)):
        open_keyboard(bus)
    assert bus.closed
    assert bus.calls[-1][0] == "Close"


def test_a_new_session_sends_a_harmless_key_at_once_so_the_desktop_loads_the_layout() -> None:
    # Plasma's portal maps keysyms through a US keymap until its first key has fetched the
    # user's: that first key is a Shift release at opening, not a letter of the first text.
    bus = FakePortalBus()
    open_keyboard(bus)
    assert bus.keysyms() == [(0xFFE1, 0)]


def test_keys_go_out_as_keysyms_after_the_modifiers_are_released() -> None:
    bus = FakePortalBus()
    keyboard = open_keyboard(bus)
    primed = len(bus.keysyms())
    keyboard.type_text("aB\n")
    sent = bus.keysyms()[primed:]
    releases = sent[:9]
    assert releases[:4] == MODIFIER_RELEASES
    assert all(pressed == 0 for _, pressed in releases)
    assert sent[9:] == [(0x61, 1), (0x61, 0), (0x42, 1), (0x42, 0), (0xFF0D, 1), (0xFF0D, 0)]
    keyboard.send_chord(("ctrl", "v"))
    assert bus.keysyms()[-4:] == [(0xFFE3, 1), (0x76, 1), (0x76, 0), (0xFFE3, 0)]


def test_a_key_refused_because_the_session_ended_opens_a_new_one_and_goes_again() -> None:
    bus = FakePortalBus()
    keyboard = open_keyboard(bus)
    bus.refused_keys = 1  # the desktop ended the session (the user revoked it)
    keyboard.send_chord(("x",))
    members = [member for member, _ in bus.calls]
    assert members.count("CreateSession") == 2
    assert members[members.index("Close") + 1] == "CreateSession"
    assert bus.keysyms()[-2:] == [(0x78, 1), (0x78, 0)]


def test_a_session_refusing_twice_is_an_error_that_says_it_ended() -> None:
    bus = FakePortalBus()
    keyboard = open_keyboard(bus)
    bus.refused_keys = 2
    with pytest.raises(InjectionError, match="the desktop ended the remote-control session"):
        keyboard.send_chord(("x",))
