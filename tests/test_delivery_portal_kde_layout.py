"""Typing through the RemoteDesktop portal on a German layout (headless Plasma 5.27).

The portal sends keysyms and KWin finds their keys in the user's layout, so on a
German keyboard y and z trade places and @, { and | need AltGr: a route that sent
US key codes would type "Quiy" for "Quiz". Same session as
tests/test_delivery_portal_kde.py, with Plasma's layout setting (``kxkbrc``) on
``de``; the target is a native Wayland Qt line edit. The delivery service opens
its portal session before the window starts, as Saytype does when it starts:
Plasma's portal learns the layout at a session's first key, which must not be
one of the text's (portal_keyboard's docstring).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_route import DeliveryRoute, choose_delivery_route
from app.ui.dictation.delivery_service import DeliveryService
from tests.support.ci import fail_missing
from tests.support.kde_session import KdeSession, running_kde_portal

pytestmark = [pytest.mark.integration, pytest.mark.gui]

TEXT = "Quiz: yzYZ @ {x} [y] | ~ äöü ß € 1234567890 !?;:,."


@pytest.fixture(scope="module")
def kde() -> Iterator[KdeSession]:
    if shutil.which("wl-paste") is None:
        fail_missing("needs wl-paste for the Wayland clipboard (sudo apt install wl-clipboard)")
    with running_kde_portal(layout="de") as session:
        yield session


@pytest.fixture(scope="module")
def route(kde: KdeSession) -> DeliveryRoute:
    chosen = choose_delivery_route({"PATH": "/usr/bin:/bin", **kde.client_env()})
    assert chosen.name == "wayland-portal", chosen.reason
    return chosen


KEY_Y = 21  # the key a US layout calls Y, in evdev codes


def test_the_session_uses_the_german_layout(kde: KdeSession) -> None:
    # The key that says Y on a US keyboard types z on a German one: the setting took.
    with kde.qt_target() as window, kde.keyboard() as keyboard:
        keyboard.press(KEY_Y)
        keyboard.release(KEY_Y)
        assert window.wait_for_text("z") == "z"


@pytest.mark.parametrize("method", ["type", "paste"])
def test_text_is_exact_on_a_german_layout(
    qtbot: QtBot, kde: KdeSession, route: DeliveryRoute, method: str
) -> None:
    delivery = DeliveryService(route=route)
    try:
        with kde.qt_target() as window:
            with qtbot.waitSignal(delivery.delivered, timeout=30_000) as delivered:
                delivery.deliver(TEXT, method)
            assert delivered.args == [1, f"{method}d"]
            assert window.wait_for_text(TEXT) == TEXT
    finally:
        delivery.shutdown()
