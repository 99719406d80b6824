"""Text delivery into a native Wayland application: wtype under a headless sway, foot receiving.

One private sway session and one foot window for the module
(tests.support.sway_session); the keyboard is the one Saytype's route choice
opens for that session's environment. The seat has no keyboard of its own, the
case where plain wtype loses its first key (app/core/output/wayland_keyboard.py):
Saytype's keyboard is opened before foot starts, as the app opens it at start.
foot passes each line on when Return is typed, edits applied, so every text
here ends in a newline.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_route import DeliveryRoute, choose_delivery_route
from app.core.output.wayland_keyboard import WtypeKeyInjector
from app.ui.dictation.delivery_service import DeliveryService
from tests.support.sway_session import SwaySession, running_sway
from tests.support.wayland_targets import FootTarget, foot_target

pytestmark = pytest.mark.integration

UNICODE = "Héllo wörld — 10 € ✓"
# Each text is a new wtype, so a new virtual keyboard and a fresh chance to lose its
# first key: plain wtype lost 138 in 150 here; all must arrive.
FIRST_KEY_TRIALS = 30


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    with running_sway() as session:
        yield session


@pytest.fixture(scope="module")
def route(sway: SwaySession) -> DeliveryRoute:
    chosen = choose_delivery_route(sway.client_env())
    assert chosen.name == "wayland-wtype", chosen.reason
    return chosen


@pytest.fixture(scope="module")
def keyboard(route: DeliveryRoute) -> Iterator[WtypeKeyInjector]:
    opened = route.open_keyboard()
    assert isinstance(opened, WtypeKeyInjector)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def foot(sway: SwaySession, keyboard: WtypeKeyInjector) -> Iterator[FootTarget]:
    with foot_target(sway, after_keyboard=True) as target:  # after Saytype's keyboard
        yield target


@pytest.fixture
def target(foot: FootTarget) -> FootTarget:
    foot.reset()
    return foot


def test_unicode_arrives_exactly_first_character_included(
    sway: SwaySession, target: FootTarget
) -> None:
    # A session whose locale is plain C, where wtype on its own rejects "é".
    environ = {**sway.client_env(), "LANG": "C", "LC_ALL": "C"}
    keyboard = WtypeKeyInjector(environ)
    try:
        keyboard.type_text(UNICODE + "\n")
        assert target.wait_for_text(UNICODE + "\n") == UNICODE + "\n"
    finally:
        keyboard.close()


def test_every_new_virtual_keyboard_keeps_its_first_character(
    keyboard: WtypeKeyInjector, target: FootTarget
) -> None:
    expected = ""
    for trial in range(FIRST_KEY_TRIALS):
        line = f"{'ÉAß€'[trial % 4]}{trial}\n"  # the first key differs from call to call
        keyboard.type_text(line)
        expected += line
        target.wait_for_text(expected)


@pytest.mark.gui
def test_scratch_that_erases_typed_words_through_the_service(
    qtbot: QtBot, route: DeliveryRoute, target: FootTarget
) -> None:
    delivery = DeliveryService(route=route)
    done: list[str] = []
    delivery.delivered.connect(lambda _id, how: done.append(how))
    try:
        delivery.deliver("Héllo wörld", "type")
        delivery.deliver(" wörld", "erase")  # "scratch that", as type-as-I-speak sends it
        delivery.deliver(" thère ✓\n", "type")
        qtbot.waitUntil(lambda: len(done) == 3, timeout=20_000)
        assert done == ["typed", "erased", "typed"]
        assert target.wait_for_text("Héllo thère ✓\n") == "Héllo thère ✓\n"
    finally:
        delivery.shutdown()


@pytest.mark.gui
def test_nothing_queued_before_a_cancel_is_typed(
    qtbot: QtBot, route: DeliveryRoute, target: FootTarget
) -> None:
    delivery = DeliveryService(route=route)
    try:
        delivery.deliver("cancelled ", "type")
        delivery.deliver("words\n", "type")
        delivery.cancel_pending()  # what cancelling a dictation does
        with qtbot.waitSignal(delivery.delivered, timeout=10_000) as delivered:
            delivery.deliver("Ärger after cancel\n", "type")
        assert delivered.args is not None
        assert delivered.args[1] == "typed"
        assert target.wait_for_text("Ärger after cancel\n") == "Ärger after cancel\n"
    finally:
        delivery.shutdown()
