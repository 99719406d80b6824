"""Type-as-I-speak with hold-to-talk: words settled while the hotkey is held are not lost.

Commits settle while the user still holds Ctrl+Shift+Space; typing them then
would make shortcuts, and the delivery's modifier wait gave up after 2 s, so
the start of the dictation never arrived and only a fragment reached the
clipboard. Now the controller keeps them until the release, then types
everything in order, exactly once; when typing fails for good, the whole
dictation goes on the clipboard.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import MESSAGE_KEYS_HELD, MESSAGE_PINNED_FOCUS_MOVED
from tests.fakes.fake_delivery import FakeDelivery
from tests.support.controller_rig import Rig, build_rig

pytestmark = pytest.mark.gui

WORDS = ["printing", "in", "the", "only", "sense", "with", "which", "we", "are", "concerned"]


@contextmanager
def _live_rig(
    tmp_path: Path, delivery: FakeDelivery, final_mends: dict[str, str] | None = None
) -> Iterator[Rig]:
    """A controller rig with type-as-I-speak on, closed afterwards."""
    rig = build_rig(tmp_path, WORDS, delivery, type_as_i_speak=True, final_mends=final_mends)
    try:
        yield rig
    finally:
        rig.close()


def _wait_for_commits(qtbot: QtBot, rig: Rig, count: int) -> list[str]:
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    qtbot.waitUntil(lambda: len(seen) >= count, timeout=10_000)
    return seen


def test_words_settled_while_held_are_typed_after_release_in_order_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with _live_rig(tmp_path, FakeDelivery()) as rig:
        rig.controller.set_hotkey_held(True)  # the chord goes down, then starts
        assert rig.controller.start(source="hotkey")
        _wait_for_commits(qtbot, rig, 3)
        assert rig.delivery.requests == []  # nothing typed under Ctrl+Shift
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            rig.controller.set_hotkey_held(False)  # release: the gesture finishes
            rig.controller.stop()
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert done.args == ["typed", "hotkey"]
        assert final.startswith("Printing in the")
        assert rig.delivery.typed == final + " "  # the start is there, nothing twice
        methods = {method for _id, _text, method in rig.delivery.requests}
        assert methods == {"type"}


def test_with_hold_to_talk_the_app_gets_the_finals_words_not_the_commits(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The passes hear "the only" as "they only"; the final's beam search mends it.
    with _live_rig(tmp_path, FakeDelivery(), final_mends={"the": "a"}) as rig:
        rig.controller.set_hotkey_held(True)
        assert rig.controller.start(source="hotkey")
        commits = _wait_for_commits(qtbot, rig, 3)
        assert " the" in "".join(commits)
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            rig.controller.set_hotkey_held(False)  # as the hotkey reports a release:
            rig.controller.stop()  # keys up, then the gesture finishes
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert done.args == ["typed", "hotkey"]
        assert final.startswith("Printing in a only")
        assert rig.delivery.typed == final + " "  # the app has the history's words
        assert [text for _id, text, _method in rig.delivery.requests] == [final + " "]


def test_a_tap_types_as_words_settle(qtbot: QtBot, tmp_path: Path) -> None:
    with _live_rig(tmp_path, FakeDelivery()) as rig:
        rig.controller.set_hotkey_held(True)
        assert rig.controller.start(source="hotkey")
        rig.controller.set_hotkey_held(False)  # a tap: keeps listening, keys up
        _wait_for_commits(qtbot, rig, 2)
        qtbot.waitUntil(lambda: len(rig.delivery.delivered_texts) >= 1, timeout=5000)
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            rig.controller.stop()
        assert rig.delivery.typed == rig.history.latest().text + " "  # type: ignore[union-attr]


def test_words_typed_before_the_release_stay_when_the_final_hears_them_otherwise(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with _live_rig(tmp_path, FakeDelivery(), final_mends={"Printing": "Printed"}) as rig:
        assert rig.controller.start(source="window")  # no key held: words go out as they settle
        _wait_for_commits(qtbot, rig, 2)
        qtbot.waitUntil(lambda: len(rig.delivery.delivered_texts) >= 1, timeout=5000)
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            rig.controller.stop()
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert final.startswith("Printing in the")  # typed, so never taken back
        assert rig.delivery.typed == final + " "


def test_a_failed_piece_is_typed_at_the_final_before_the_words_after_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    delivery = FakeDelivery(fail_with=MESSAGE_KEYS_HELD)
    with _live_rig(tmp_path, delivery) as rig:
        assert rig.controller.start(source="window")
        _wait_for_commits(qtbot, rig, 3)
        qtbot.waitUntil(lambda: len(delivery.requests) >= 1, timeout=5000)
        delivery.fail_with = None  # the user let go of Ctrl
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            rig.controller.stop()
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert done.args[0] == "typed"
        assert delivery.typed == final + " "
        assert delivery.clipboard is None  # no fragment replaced the user's clipboard


def test_a_piece_stopped_part_way_is_finished_at_the_final_not_typed_twice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Keys held part way, then the focus left and came back: the piece's start is in the app.
    delivery = FakeDelivery(hold=True)
    with _live_rig(tmp_path, delivery) as rig:
        assert rig.controller.start(source="window")
        _wait_for_commits(qtbot, rig, 3)
        qtbot.waitUntil(lambda: len(delivery.held_requests) >= 1, timeout=5000)
        delivery.fail_held(MESSAGE_PINNED_FOCUS_MOVED, typed=3)
        delivery.hold = False
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            rig.controller.stop()
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert done.args[0] == "typed"
        assert delivery.typed == final + " "


def test_when_typing_fails_for_good_the_whole_dictation_is_on_the_clipboard(
    qtbot: QtBot, tmp_path: Path
) -> None:
    delivery = FakeDelivery(fail_with=MESSAGE_KEYS_HELD)
    with _live_rig(tmp_path, delivery) as rig:
        notices: list[str] = []
        rig.controller.notice.connect(lambda _level, message: notices.append(message))
        assert rig.controller.start(source="window")
        _wait_for_commits(qtbot, rig, 3)
        rig.controller.stop()
        qtbot.waitUntil(lambda: rig.controller.session.state.value == "error", timeout=10_000)
        final = rig.history.latest().text  # type: ignore[union-attr]
        assert delivery.clipboard == final
        assert delivery.typed == ""
        assert len(notices) == 1
        assert "Nothing was typed; the whole dictation is on the clipboard" in notices[0]


def test_cancel_after_words_were_typed_says_they_stay(qtbot: QtBot, tmp_path: Path) -> None:
    with _live_rig(tmp_path, FakeDelivery()) as rig:
        notices: list[tuple[str, str]] = []
        rig.controller.notice.connect(lambda level, message: notices.append((level, message)))
        assert rig.controller.start(source="window")
        _wait_for_commits(qtbot, rig, 3)
        qtbot.waitUntil(lambda: bool(rig.delivery.delivered_texts), timeout=5000)
        rig.controller.cancel()
        typed = len(rig.delivery.typed.split())
        assert notices == [
            (
                "info",
                f"Dictation cancelled: nothing more is typed. The {typed} words typed "
                "before stay in the app.",
            )
        ]
        # What is in the user's app is in history too.
        qtbot.waitUntil(lambda: rig.history.latest() is not None, timeout=10_000)
        assert rig.history.latest().text == rig.delivery.typed.strip()  # type: ignore[union-attr]
