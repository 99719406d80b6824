"""Typing and pasting into a Qt window that is a native Wayland client, under headless sway.

The other Wayland tests type into foot; Qt apps (KDE's, and any Qt 6 app on a
Wayland desktop) run on Qt's own Wayland platform, with its own keymap
handling and its own clipboard (``wl_data_device``, not the data-control
protocol Saytype sets the clipboard with). The window's text is read from the
file it rewrites on each change.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import MESSAGE_NO_WINDOW
from app.core.output.delivery_route import DeliveryRoute, choose_delivery_route
from app.core.output.wayland_selection import SelectionOwner
from app.ui.dictation.delivery_service import DeliveryService
from tests.support.ci import fail_missing
from tests.support.sway_session import SwaySession, running_sway
from tests.support.wayland_targets import FootTarget, qt_wayland_target

pytestmark = [pytest.mark.integration, pytest.mark.gui]

UNICODE = "Héllo wörld — 10 € ✓ 你好"
PREVIOUS = {"text/plain;charset=utf-8": "copied before ✓".encode(), "image/png": b"\x89PNG\r\n"}


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    if shutil.which("wl-paste") is None:
        fail_missing("needs wl-paste for the Wayland clipboard (sudo apt install wl-clipboard)")
    with running_sway() as session:
        yield session


@pytest.fixture(scope="module")
def route(sway: SwaySession) -> DeliveryRoute:
    chosen = choose_delivery_route(sway.client_env())
    assert chosen.name == "wayland-wtype", chosen.reason
    return chosen


@pytest.fixture
def delivery(qtbot: QtBot, route: DeliveryRoute) -> Iterator[DeliveryService]:
    service = DeliveryService(route=route)  # its idle keyboard goes on the seat at once
    yield service
    service.shutdown()


@pytest.fixture
def window(sway: SwaySession, delivery: DeliveryService) -> Iterator[FootTarget]:
    with qt_wayland_target(sway) as target:
        yield target


def test_typing_reaches_the_qt_window_exactly_first_character_included(
    qtbot: QtBot, delivery: DeliveryService, window: FootTarget
) -> None:
    with qtbot.waitSignal(delivery.delivered, timeout=20_000) as delivered:
        delivery.deliver(UNICODE, "type")
    assert delivered.args == [1, "typed"]
    assert window.wait_for_text(UNICODE) == UNICODE


def test_pasting_reaches_the_qt_window_and_the_clipboard_comes_back(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService, window: FootTarget
) -> None:
    previous = SelectionOwner(PREVIOUS, sway.client_env())
    try:
        with qtbot.waitSignal(delivery.delivered, timeout=20_000) as delivered:
            delivery.deliver(UNICODE, "paste")
        assert delivered.args == [1, "pasted"]
        assert window.wait_for_text(UNICODE) == UNICODE
        listed = subprocess.run(
            ["wl-paste", "--list-types"],
            env=sway.client_env(),
            capture_output=True,
            timeout=10,
            check=True,
        )
        assert listed.stdout.decode().split() == list(PREVIOUS)
    finally:
        previous.close()


def test_typing_while_no_window_has_the_focus_fails_and_stays_on_the_clipboard(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService, window: FootTarget
) -> None:
    # An empty workspace has the focus (the target's closed, or the user switched away):
    # wtype's keys went nowhere, and the text was marked "typed" with no notice.
    sway.swaymsg("workspace", "9")
    try:
        with qtbot.waitSignal(delivery.failed, timeout=20_000) as failed:
            delivery.deliver("the transcript", "type")
        assert failed.args == [1, MESSAGE_NO_WINDOW]

        def on_the_clipboard() -> str:  # Saytype takes the clipboard on its own thread
            pasted = subprocess.run(
                ["wl-paste", "--no-newline"],
                env=sway.client_env(),
                capture_output=True,
                timeout=10,
                check=False,  # nothing on the clipboard yet exits 1
            )
            return pasted.stdout.decode() if pasted.returncode == 0 else ""

        qtbot.waitUntil(lambda: on_the_clipboard() == "the transcript", timeout=10_000)
    finally:
        sway.swaymsg("workspace", "1")
    assert window.text() == ""
