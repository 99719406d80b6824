"""Typing and pasting through the XDG RemoteDesktop portal, in a headless Plasma 5.27.

KWin offers no virtual keyboard, and there is no ``/dev/uinput`` here, so the
route Saytype chooses is the desktop's remote-control portal
(tests/support/kde_session.py: KWin, xdg-desktop-portal-kde, xdg-desktop-portal
on a private bus). The portal turns keysyms into KWin's key presses of the
layout's keys; what the layout lacks is pasted through the Wayland clipboard
(KWin offers data control), which comes back whole afterwards. The target is a
Qt line edit, a native Wayland client of that KWin, whose text is read from the
file it rewrites on each change.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_route import DeliveryRoute, choose_delivery_route
from app.core.output.portal_keyboard import PortalKeyInjector
from app.core.output.text_delivery import InjectionError
from app.core.output.wayland_selection import SelectionOwner
from app.ui.dictation.delivery_service import DeliveryService
from tests.support.ci import fail_missing
from tests.support.kde_session import KdeSession, running_kde_portal
from tests.support.kwin_fake_input import KEY_LEFTCTRL, KEY_LEFTSHIFT
from tests.support.wayland_targets import FootTarget

pytestmark = [pytest.mark.integration, pytest.mark.gui]

UNICODE = "Héllo wörld — 10 € ✓ 你好, ASCII ~`|\\{}!"
PREVIOUS = {"text/plain;charset=utf-8": "copied before ✓".encode(), "image/png": b"\x89PNG\r\n"}


@pytest.fixture(scope="module")
def kde() -> Iterator[KdeSession]:
    if shutil.which("wl-paste") is None:
        fail_missing("needs wl-paste for the Wayland clipboard (sudo apt install wl-clipboard)")
    with running_kde_portal() as session:
        yield session


@pytest.fixture(scope="module")
def route(kde: KdeSession) -> DeliveryRoute:
    environ = {"PATH": "/usr/bin:/bin", **kde.client_env()}
    chosen = choose_delivery_route(environ)
    assert (chosen.name, chosen.wayland_clipboard) == ("wayland-portal", True), chosen.reason
    return chosen


@pytest.fixture
def delivery(qtbot: QtBot, route: DeliveryRoute) -> Iterator[DeliveryService]:
    service = DeliveryService(route=route)  # opens the portal session at once
    yield service
    service.shutdown()


@pytest.fixture
def window(kde: KdeSession, delivery: DeliveryService) -> Iterator[FootTarget]:
    with kde.qt_target() as target:
        yield target


@pytest.fixture
def clipboard_types(kde: KdeSession) -> Iterator[Callable[[], list[str]]]:
    """Someone's clipboard (text and an image) while the test runs; what it offers now."""
    owner = SelectionOwner(PREVIOUS, kde.client_env())

    def listed() -> list[str]:
        result = subprocess.run(
            ["wl-paste", "--list-types"],
            env={**kde.env, **kde.client_env()},
            capture_output=True,
            timeout=10,
            check=True,
        )
        return result.stdout.decode().split()

    try:
        yield listed
    finally:
        owner.close()


def test_the_route_says_why_it_types_through_the_portal(route: DeliveryRoute) -> None:
    assert route.reason.startswith("KDE offers no virtual keyboard: typing through the desktop's")
    assert "remote-control portal" in route.reason


@pytest.mark.parametrize("case", [("type", "typed"), ("paste", "pasted")], ids=["type", "paste"])
def test_text_is_exact_first_character_included_and_the_clipboard_comes_back(
    qtbot: QtBot,
    delivery: DeliveryService,
    window: FootTarget,
    clipboard_types: Callable[[], list[str]],
    case: tuple[str, str],
) -> None:
    method, done = case
    with qtbot.waitSignal(delivery.delivered, timeout=30_000) as delivered:
        delivery.deliver(UNICODE, method)
    assert delivered.args == [1, done]
    assert window.wait_for_text(UNICODE) == UNICODE
    # Typing pastes é, —, €… through the clipboard too; either way it is back.
    assert clipboard_types() == list(PREVIOUS)


def test_scratch_that_erases_what_was_typed(
    qtbot: QtBot, delivery: DeliveryService, window: FootTarget
) -> None:
    with qtbot.waitSignal(delivery.delivered, timeout=30_000):
        delivery.deliver("keep this wrong words", "type")
    with qtbot.waitSignal(delivery.delivered, timeout=30_000) as erased:
        delivery.deliver(" wrong words", "erase")  # "scratch that" in type-as-I-speak
    assert erased.args[1] == "erased"
    assert window.wait_for_text("keep this") == "keep this"


def test_without_a_clipboard_text_outside_the_layout_fails_before_any_key(
    kde: KdeSession, window: FootTarget
) -> None:
    keyboard = PortalKeyInjector(kde.client_env(), clipboard=None)
    try:
        with pytest.raises(InjectionError, match="é €"):
            keyboard.type_text("café 10 €")
        keyboard.type_text("plain")
        assert window.wait_for_text("plain") == "plain"  # nothing of the first text went out
    finally:
        keyboard.close()


def test_a_session_that_ended_opens_again_for_the_next_key(
    kde: KdeSession, window: FootTarget
) -> None:
    keyboard = PortalKeyInjector(kde.client_env())
    try:
        keyboard.type_text("one")
        keyboard.close()  # as when the desktop ends the session
        keyboard.type_text(" two")
        assert window.wait_for_text("one two") == "one two"
    finally:
        keyboard.close()


@pytest.mark.parametrize("held", [KEY_LEFTCTRL, KEY_LEFTSHIFT], ids=["ctrl", "shift"])
def test_a_modifier_still_held_from_the_hotkey_makes_no_shortcut(
    qtbot: QtBot, kde: KdeSession, delivery: DeliveryService, window: FootTarget, held: int
) -> None:
    # KWin merges the portal's keys with the keyboard's: with Ctrl down, "xyz" was cut,
    # redo and undo, and Shift made capitals, until the keyboard first releases them.
    with kde.keyboard() as keys:
        keys.press(held)
        try:
            with qtbot.waitSignal(delivery.delivered, timeout=30_000) as delivered:
                delivery.deliver("xyz abc", "type")
            assert delivered.args[1] == "typed"
            assert window.wait_for_text("xyz abc") == "xyz abc"
        finally:
            keys.release(held)
