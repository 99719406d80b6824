"""Fixtures the delivery tests share (registered for every test module in tests/conftest.py).

- ``qt_field``, ``terminal``, ``target``: a Qt line edit and an ``xterm -u8`` on the
  module's own ``xserver`` fixture (each module starts its Xvfb its own way), and each
  in turn, focused and counting text from now.
- ``keyboard``, ``service``: the DeliveryService on a fake keyboard, with a short modifier
  timeout. A module's own fixture of the same name takes precedence.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.ui.dictation.delivery_service import DeliveryService
from tests.fakes.fake_keyboard import FakeKeyboard
from tests.support.target_window import Target, qt_target, xterm_target
from tests.support.xserver import XServer


@pytest.fixture(scope="module")
def qt_field(xserver: XServer) -> Iterator[Target]:
    with qt_target(xserver) as target:
        yield target


@pytest.fixture(scope="module")
def terminal(xserver: XServer) -> Iterator[Target]:
    with xterm_target(xserver) as target:
        yield target


@pytest.fixture(params=["qt", "xterm"])
def target(request: pytest.FixtureRequest) -> Target:
    chosen: Target = request.getfixturevalue("qt_field" if request.param == "qt" else "terminal")
    chosen.focus()
    chosen.reset()
    return chosen


@pytest.fixture
def keyboard() -> FakeKeyboard:
    return FakeKeyboard()


@pytest.fixture
def service(qtbot: QtBot, keyboard: FakeKeyboard) -> Iterator[DeliveryService]:
    delivery = DeliveryService(keyboard=keyboard, modifier_timeout_s=0.3)
    delivery.set_options("type", restore_delay_ms=50)
    yield delivery
    delivery.shutdown()
