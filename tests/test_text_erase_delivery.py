"""The one delivery that sends backspaces: "scratch that" while typing as you speak."""

from __future__ import annotations

from app.core.output.delivery_queue import DeliveryQueue
from app.core.output.text_delivery import inject
from tests.fakes.fake_keyboard import FakeKeyboard


def test_erase_sends_one_backspace_per_character() -> None:
    keyboard = FakeKeyboard()
    request = DeliveryQueue().add("\b" * 5, "erase")
    assert inject(request, keyboard) == "erased"
    assert [(s.kind, s.value) for s in keyboard.sent] == [("chord", "backspace")] * 5
    assert keyboard.typed() == ""


def test_erase_waits_for_the_hotkey_modifiers_like_typing() -> None:
    keyboard = FakeKeyboard()
    keyboard.hold("control")
    waited: list[frozenset[str]] = []

    def release(held: frozenset[str]) -> None:
        waited.append(held)
        keyboard.release_all()

    inject(DeliveryQueue().add("\b", "erase"), keyboard, on_waiting=release)
    assert waited == [frozenset({"control"})]
    assert [s.modifiers_held for s in keyboard.sent] == [frozenset()]
