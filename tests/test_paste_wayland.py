"""Paste mode under Wayland: the Wayland clipboard, foot's paste keys, the old clipboard back.

A private headless sway session with a focused foot window whose app id is
"foot" (so Saytype must send foot's Ctrl+Shift+V, learnt from sway's IPC);
the previous clipboard holds text *and* a PNG image, and must come back with
both formats and the same bytes, read with ``wl-paste`` as any app would.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import MESSAGE_NOT_TAKEN
from app.core.output.delivery_route import DeliveryRoute, choose_delivery_route
from app.core.output.wayland_clipboard import WaylandClipboard
from app.core.output.wayland_selection import SelectionOwner
from app.ui.dictation.delivery_service import DeliveryService
from tests.support.ci import fail_missing
from tests.support.sway_session import SwaySession, running_sway
from tests.support.wayland_targets import FootTarget, foot_target

pytestmark = [pytest.mark.integration, pytest.mark.gui]

# A real 1x1 PNG, as an image editor would have copied it.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PREVIOUS = {"text/plain;charset=utf-8": "copied before ✓".encode(), "image/png": PNG}


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    if shutil.which("wl-paste") is None:
        fail_missing("needs wl-paste for the Wayland clipboard (sudo apt install wl-clipboard)")
    with running_sway() as session:
        yield session


@pytest.fixture(scope="module")
def route(sway: SwaySession) -> DeliveryRoute:
    chosen = choose_delivery_route(sway.client_env())
    assert chosen.wayland_clipboard, chosen.reason
    return chosen


@pytest.fixture
def delivery(qtbot: QtBot, route: DeliveryRoute) -> Iterator[DeliveryService]:
    service = DeliveryService(route=route)  # its idle keyboard goes on the seat at once
    service.set_options("paste", restore_delay_ms=5000)
    yield service
    service.shutdown()


@pytest.fixture
def foot(sway: SwaySession, delivery: DeliveryService) -> Iterator[FootTarget]:
    with foot_target(sway, "paste", app_id="foot", after_keyboard=True) as target:
        yield target


def wl_paste(sway: SwaySession, *args: str) -> bytes:
    result = subprocess.run(
        ["wl-paste", *args], env=sway.client_env(), capture_output=True, timeout=10, check=True
    )
    return result.stdout


def test_paste_sends_the_text_into_foot_and_gives_back_text_and_image(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService, foot: FootTarget
) -> None:
    previous = SelectionOwner(PREVIOUS, sway.client_env())  # the user's copy, before dictating
    try:
        with qtbot.waitSignal(delivery.delivered, timeout=20_000) as delivered:
            delivery.deliver("Pasted wörld — 10 € ✓\n")
        assert delivered.args == [1, "pasted"]
        assert foot.wait_for_text("Pasted wörld — 10 € ✓\n") == "Pasted wörld — 10 € ✓\n"
        assert wl_paste(sway, "--list-types").decode().split() == list(PREVIOUS)
        for mime, data in PREVIOUS.items():
            assert wl_paste(sway, "--no-newline", "--type", mime) == data
    finally:
        previous.close()


def test_two_pastes_in_a_row_each_arrive_and_the_clipboard_is_back(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService, foot: FootTarget
) -> None:
    previous = SelectionOwner({"text/plain": b"kept"}, sway.client_env())
    try:
        with qtbot.waitSignals([delivery.delivered] * 2, timeout=20_000):
            delivery.deliver("first\n")
            delivery.deliver("Ärger second\n")
        assert foot.wait_for_text("first\nÄrger second\n") == "first\nÄrger second\n"
        assert wl_paste(sway, "--no-newline", "--type", "text/plain") == b"kept"
    finally:
        previous.close()


def test_an_empty_clipboard_is_empty_again_after_the_paste(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService, foot: FootTarget
) -> None:
    WaylandClipboard(sway.client_env()).own({})  # nothing copied
    with qtbot.waitSignal(delivery.delivered, timeout=20_000):
        delivery.deliver("into an empty clipboard\n")
    assert foot.wait_for_text("into an empty clipboard\n") == "into an empty clipboard\n"
    listed = subprocess.run(
        ["wl-paste", "--list-types"],
        env=sway.client_env(),
        capture_output=True,
        timeout=10,
        check=False,
    )
    assert listed.returncode != 0  # "No selection"
    assert listed.stdout == b""


def test_without_wl_clipboard_paste_mode_types_instead(
    qtbot: QtBot, sway: SwaySession, route: DeliveryRoute, foot: FootTarget
) -> None:
    # The route choose_delivery_route makes where wtype is installed and wl-paste is not.
    typing_only = DeliveryRoute(route.name, route.reason, route.environ, wayland_clipboard=False)
    service = DeliveryService(route=typing_only)
    service.set_options("paste")
    previous = SelectionOwner({"text/plain": b"untouched"}, sway.client_env())
    try:
        with qtbot.waitSignal(service.delivered, timeout=20_000) as delivered:
            service.deliver("Typed, not pasted ✓\n")
        assert delivered.args == [1, "typed"]
        assert foot.wait_for_text("Typed, not pasted ✓\n") == "Typed, not pasted ✓\n"
        assert wl_paste(sway, "--no-newline", "--type", "text/plain") == b"untouched"
    finally:
        service.shutdown()
        previous.close()


def test_a_paste_into_no_window_fails_and_leaves_the_text_on_the_clipboard(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService
) -> None:
    # No window has the focus (the one the hotkey was held in closed): nothing fetches the
    # text. It was marked pasted and the old clipboard put back, so the words were nowhere.
    previous = SelectionOwner({"text/plain": b"kept"}, sway.client_env())
    delivery.set_options("paste", restore_delay_ms=500)
    try:
        with qtbot.waitSignal(delivery.failed, timeout=20_000) as failed:
            delivery.deliver("into no window\n")
        assert failed.args is not None
        assert failed.args[1] == MESSAGE_NOT_TAKEN
        assert wl_paste(sway, "--no-newline", "--type", "text/plain") == b"into no window\n"
    finally:
        previous.close()


def test_without_wtype_the_text_is_on_the_wayland_clipboard_as_the_message_says(
    qtbot: QtBot, sway: SwaySession
) -> None:
    """Nothing can type without wtype: the message said the text was on the clipboard,
    while Qt's clipboard (no window of Saytype's focused) left the old one there."""
    environ = {k: v for k, v in sway.client_env().items() if k != "DISPLAY"}
    no_wtype = choose_delivery_route(environ, lambda name: None if name == "wtype" else "/x")
    assert (no_wtype.name, no_wtype.wayland_clipboard) == ("none", True)
    service = DeliveryService(route=no_wtype)
    service.set_options("paste")
    previous = SelectionOwner({"text/plain": b"OLD-CLIP"}, sway.client_env())
    try:
        with qtbot.waitSignal(service.failed, timeout=20_000) as failed:
            service.deliver("Nothing could type this.")
        assert failed.args is not None
        assert "clipboard" in failed.args[1]
        qtbot.waitUntil(
            lambda: (
                wl_paste(sway, "--no-newline", "--type", "text/plain")
                == b"Nothing could type this."
            )
        )
    finally:
        service.shutdown()
        previous.close()


def test_foot_with_an_app_id_of_its_own_still_gets_foots_paste_keys(
    qtbot: QtBot, sway: SwaySession, delivery: DeliveryService
) -> None:
    """`foot --app-id notes` got Ctrl+V, which foot types into the shell as ^V: by its app
    id alone Saytype could not tell it was foot. Its process tells."""
    with foot_target(sway, "own-id", app_id="notes", after_keyboard=True) as notes:
        assert sway.focused_app_id() == "notes"
        with qtbot.waitSignal(delivery.delivered, timeout=20_000) as delivered:
            delivery.deliver("Into a foot of its own ✓\n")
        assert delivered.args == [1, "pasted"]
        assert notes.wait_for_text("Into a foot of its own ✓\n") == "Into a foot of its own ✓\n"
