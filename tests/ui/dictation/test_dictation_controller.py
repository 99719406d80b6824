"""The controller: history before delivery, output routes, type-as-I-speak, cancel, failures.

Real worker thread, real ring buffer and MicSource (on a fake sound device),
real sqlite history; the model is the scripted pipeline and delivery a recorder.
"""

from __future__ import annotations

import stat
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.output.delivery_messages import MESSAGE_CANCELLED_WAITING
from app.core.output.history import CANCELLED, NOT_DELIVERED, HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.dictation_history import MESSAGE_HEARD_KEPT
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.fakes.scripted_pipeline import ScriptedPipeline
from tests.support.controller_rig import Rig, build_rig

pytestmark = pytest.mark.gui

WORDS = ["send", "the", "report", "to", "Anna", "before", "noon"]


def _rig(tmp_path: Path, delivery: FakeDelivery, **settings: object) -> Rig:
    return build_rig(tmp_path, WORDS, delivery, **settings)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = _rig(tmp_path, FakeDelivery())
    yield made
    _close(made)


def _close(rig: Rig) -> None:
    rig.close()


def _dictate(qtbot: QtBot, rig: Rig, commits: int = 2) -> None:
    """Start, wait for some committed words (audio is flowing), then release."""
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    assert rig.controller.start(source="hotkey")
    qtbot.waitUntil(lambda: len(seen) >= commits, timeout=10_000)
    rig.controller.stop()


def test_final_text_is_saved_before_it_is_delivered(qtbot: QtBot, rig: Rig) -> None:
    order: list[str] = []
    rig.controller.history_added.connect(lambda entry: order.append(f"saved:{entry.text}"))
    rig.delivery.delivered.connect(lambda _id, how: order.append(f"delivered:{how}"))
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
        _dictate(qtbot, rig)
    entry = rig.history.latest()
    assert entry is not None
    assert done.args == ["pasted", "hotkey"]
    assert order == [f"saved:{entry.text}", "delivered:pasted"]
    assert rig.delivery.typed == entry.text + " "  # and the space a next dictation follows
    heard = " ".join(WORDS[: len(entry.text.split())])
    assert entry.text == heard[0].upper() + heard[1:]  # shaping capitalises the first word
    assert rig.history.get(entry.id).delivered_to == "pasted"  # type: ignore[union-attr]
    assert rig.states == ["listening", "finishing", "delivering", "idle"]
    assert rig.controller.last_text == entry.text


def test_clipboard_output_copies_instead_of_typing(qtbot: QtBot, tmp_path: Path) -> None:
    rig = _rig(tmp_path, FakeDelivery(), output="clipboard")
    try:
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000) as done:
            _dictate(qtbot, rig)
        assert done.args[0] == "clipboard"
        assert rig.delivery.requests == []
        assert rig.delivery.clipboard == rig.history.latest().text  # type: ignore[union-attr]
    finally:
        _close(rig)


def test_type_as_i_speak_types_commits_then_only_the_rest(qtbot: QtBot, tmp_path: Path) -> None:
    rig = _rig(tmp_path, FakeDelivery(), type_as_i_speak=True)
    try:
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            _dictate(qtbot, rig, commits=2)
        final = rig.history.latest().text  # type: ignore[union-attr]
        methods = [method for _id, _text, method in rig.delivery.requests]
        assert methods[:2] == ["type", "type"]  # the committed pieces, as they came
        assert rig.delivery.typed == final + " "  # no word twice, none missing, no backspaces
    finally:
        _close(rig)


def _cancel_while_listening(qtbot: QtBot, rig: Rig, *, keep_recording: bool = False) -> None:
    seen: list[str] = []
    rig.worker.committed.connect(lambda _job, text: seen.append(text))
    rig.controller.start()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)
    with qtbot.assertNotEmitted(rig.controller.completed, wait=200):
        rig.controller.cancel(keep_recording=keep_recording)
    assert rig.controller.session.state.value == "idle"
    assert rig.delivery.requests == []


def test_cancel_while_listening_types_nothing_and_keeps_the_words_heard(
    qtbot: QtBot, rig: Rig
) -> None:
    # A writer's Esc by mistake two minutes into a hands-free dictation lost all of it.
    notices: list[str] = []
    rig.controller.notice.connect(lambda _level, text: notices.append(text))
    with qtbot.waitSignal(rig.controller.history_added, timeout=10_000) as added:
        _cancel_while_listening(qtbot, rig)
    entry = rig.history.latest()
    assert entry is not None
    assert added.args[0] == entry  # marked in the same write: no moment it looks typed
    assert entry.delivered_to == CANCELLED
    heard = entry.text.split()
    assert len(heard) >= 2
    assert [word.lower() for word in heard] == WORDS[: len(heard)]  # from the first word on
    assert MESSAGE_HEARD_KEPT in notices
    assert rig.delivery.clipboard is None  # kept, not copied: the user said to drop it


@pytest.mark.parametrize("how", ["history paused", "quit"])
def test_cancel_keeps_no_words_with_history_paused_or_at_a_quit(
    qtbot: QtBot, tmp_path: Path, how: str
) -> None:
    # At a quit the recording itself is kept for recovery; paused history keeps nothing.
    rig = _rig(tmp_path, FakeDelivery(), pause_history=how == "history paused")
    try:
        with qtbot.assertNotEmitted(rig.controller.history_added, wait=300):
            _cancel_while_listening(qtbot, rig, keep_recording=how == "quit")
        assert rig.history.count() == 0
    finally:
        _close(rig)


def test_cancel_while_finishing_drops_the_final(qtbot: QtBot, rig: Rig) -> None:
    with (
        qtbot.assertNotEmitted(rig.controller.history_added, wait=200),
        qtbot.waitSignal(rig.worker.idle, timeout=5000),
    ):
        rig.controller.start()
        rig.controller.stop()
        rig.controller.cancel()  # before the worker's final arrives
    assert rig.delivery.requests == []
    assert rig.controller.session.state.value == "idle"


def _cancelled_on_its_way(qtbot: QtBot, rig: Rig) -> None:
    """Dictate, then cancel (Esc) while the final is with the delivery service."""
    with qtbot.waitSignal(rig.controller.history_added, timeout=10_000):
        _dictate(qtbot, rig)
    qtbot.waitUntil(lambda: rig.controller.session.state.value == "delivering")
    rig.controller.cancel()


@pytest.mark.parametrize(("answer", "marked_as"), [("fails", NOT_DELIVERED), ("goes in", "pasted")])
def test_a_final_cancelled_on_its_way_is_marked_as_the_delivery_answers(
    qtbot: QtBot, tmp_path: Path, answer: str, marked_as: str
) -> None:
    # Esc while the final waited for the hotkey's keys to come up: history said nothing,
    # so it looked typed. A paste already under way still goes in, and history says so.
    delivery = FakeDelivery(hold=True)
    rig = _rig(tmp_path, delivery)
    try:
        _cancelled_on_its_way(qtbot, rig)
        with qtbot.waitSignal(rig.controller.history_updated, timeout=5000) as marked:
            if answer == "fails":
                delivery.fail_held(MESSAGE_CANCELLED_WAITING)
            else:
                delivery.release_held()
        entry = rig.history.latest()
        assert entry is not None
        assert entry.delivered_to == marked_as
        assert marked.args == [entry]
        assert rig.history.count() == 1
    finally:
        _close(rig)


def test_a_cancel_after_words_typed_as_spoken_keeps_the_final_once_marked_not_all_typed(
    qtbot: QtBot, tmp_path: Path
) -> None:
    delivery = FakeDelivery()
    rig = _rig(tmp_path, delivery, type_as_i_speak=True)
    try:
        assert rig.controller.start(source="hotkey")
        qtbot.waitUntil(lambda: bool(delivery.typed), timeout=10_000)  # words went out live
        delivery.hold = True  # the rest waits at the release
        with qtbot.waitSignal(rig.controller.history_added, timeout=10_000):
            rig.controller.stop()
        qtbot.waitUntil(lambda: rig.controller.session.state.value == "delivering")
        with qtbot.waitSignal(rig.controller.history_updated, timeout=5000):
            rig.controller.cancel()
        entry = rig.history.latest()
        assert entry is not None
        assert rig.history.count() == 1  # the final, not also the words typed so far
        assert entry.delivered_to == NOT_DELIVERED
        assert len(entry.text) > len(delivery.typed.strip())
    finally:
        _close(rig)


def test_failed_delivery_leaves_text_on_clipboard_and_tells_the_user(
    qtbot: QtBot, tmp_path: Path
) -> None:
    rig = _rig(tmp_path, FakeDelivery(fail_with="Could not paste: no focused window."))
    notices: list[tuple[str, str]] = []
    rig.controller.notice.connect(lambda level, text: notices.append((level, text)))
    try:
        with qtbot.waitSignal(rig.controller.history_updated, timeout=10_000) as marked:
            _dictate(qtbot, rig)
        assert rig.controller.session.state.value == "error"
        entry = rig.history.latest()
        assert entry is not None
        assert entry.delivered_to == NOT_DELIVERED  # saved, and marked as never arrived
        assert marked.args == [entry]  # the History tab shows it so
        assert rig.delivery.clipboard == entry.text + " "  # as it would have gone in
        assert ("warning", "Could not paste: no focused window.") in notices
        assert rig.controller.start()  # an error never blocks the next dictation
    finally:
        _close(rig)


def test_no_microphone_is_a_clear_error_not_a_crash(qtbot: QtBot, tmp_path: Path) -> None:
    mic = Microphone(backend=FakeSoundDevice.without_devices())
    worker = InferenceWorker(ScriptedPipeline(WORDS), mic.ring, mic.new_audio)
    with HistoryStore(tmp_path / "h.sqlite3") as history:
        controller = DictationController(worker, mic, FakeDelivery(), history, Settings(), "m")
        notices: list[str] = []
        controller.notice.connect(lambda _level, text: notices.append(text))
        with qtbot.waitSignal(controller.notice):
            assert controller.start()  # at once: the microphone opens in its own lane
        assert controller.session.state.value == "error"
        assert notices
        assert "microphone" in notices[0].lower() or "input device" in notices[0].lower()
    assert worker.shutdown(5000)


def test_a_microphone_failure_mid_dictation_still_delivers_what_was_heard(
    qtbot: QtBot, tmp_path: Path
) -> None:
    unplugging = FakeSoundDevice(np.zeros(8000, np.float32), after_audio="unplug")
    mic = Microphone(backend=unplugging)
    worker = InferenceWorker(ScriptedPipeline(WORDS), mic.ring, mic.new_audio)
    try:
        with HistoryStore(tmp_path / "h.sqlite3") as history:
            delivery = FakeDelivery()
            controller = DictationController(worker, mic, delivery, history, Settings(), "m")
            with qtbot.waitSignal(controller.completed, timeout=15_000):
                controller.start()
            assert history.count() == 1
            assert delivery.typed == history.latest().text + " "  # type: ignore[union-attr]
    finally:
        assert worker.shutdown(5000)
        mic.close()


def test_keep_audio_saves_the_dictation_wav_with_its_entry(qtbot: QtBot, tmp_path: Path) -> None:
    rig = _rig(tmp_path, FakeDelivery(), keep_audio=True)
    try:
        with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
            _dictate(qtbot, rig)
        entry = rig.history.latest()
        assert entry is not None
        assert entry.audio_path is not None
        audio = Path(entry.audio_path)
        assert stat.S_IMODE(audio.stat().st_mode) == 0o600
        with wave.open(str(audio)) as wav:
            seconds = wav.getnframes() / wav.getframerate()
        assert seconds == pytest.approx(entry.duration_s, abs=0.01)
        rig.history.delete(entry.id)
        assert not audio.exists()  # deleting the entry deletes its audio
    finally:
        _close(rig)


def test_without_keep_audio_no_audio_is_stored(qtbot: QtBot, rig: Rig) -> None:
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        _dictate(qtbot, rig)
    assert rig.history.latest().audio_path is None  # type: ignore[union-attr]


def test_the_gui_thread_does_not_wait_for_the_history_write(qtbot: QtBot, rig: Rig) -> None:
    gate = threading.Event()
    rig.history.writes.submit(gate.wait, 10)  # a slow disk: the save queues behind this
    states: list[str] = []
    rig.controller.state_changed.connect(states.append)
    _dictate(qtbot, rig)
    qtbot.waitUntil(lambda: "delivering" in states, timeout=10_000)
    assert rig.delivery.typed == ""  # not typed before it is saved
    with qtbot.waitSignal(rig.controller.completed, timeout=10_000):
        gate.set()
    entry = rig.history.latest()
    assert entry is not None
    assert rig.delivery.typed == entry.text + " "


def test_a_dictation_cancelled_while_saving_is_kept_but_never_typed(qtbot: QtBot, rig: Rig) -> None:
    gate = threading.Event()
    rig.history.writes.submit(gate.wait, 10)
    states: list[str] = []
    rig.controller.state_changed.connect(states.append)
    _dictate(qtbot, rig)
    qtbot.waitUntil(lambda: "delivering" in states, timeout=10_000)
    rig.controller.cancel()
    with qtbot.waitSignal(rig.controller.history_updated, timeout=10_000) as marked:
        gate.set()
    assert rig.history.count() == 1
    assert rig.delivery.typed == ""
    assert marked.args[0].delivered_to == NOT_DELIVERED  # the History tab says so
    assert rig.history.latest().delivered_to == NOT_DELIVERED  # type: ignore[union-attr]
    assert rig.controller.session.state.value == "idle"


def _going_out(qtbot: QtBot, tmp_path: Path) -> tuple[Rig, FakeDelivery]:
    """A rig whose first dictation's text is going out, held there until released."""
    delivery = FakeDelivery(hold=True)
    rig = _rig(tmp_path, delivery)
    _dictate(qtbot, rig)
    qtbot.waitUntil(lambda: len(delivery.requests) == 1)
    return rig, delivery


def test_a_start_while_the_last_text_is_delivered_begins_after_it_from_the_press(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A new user pressed the hotkey again while the last dictation was still going out:
    # the press finished nothing, and what they said then was lost.
    rig, delivery = _going_out(qtbot, tmp_path)
    try:
        assert not rig.controller.listening
        assert rig.controller.start(source="hotkey")  # taken, to begin after the delivery
        assert rig.controller.listening  # the next press or release finishes it
        assert not rig.controller.start(source="hotkey")  # one waits already
        assert rig.controller.session.state.value == "delivering"
        seen: list[str] = []
        rig.worker.committed.connect(lambda _job, text: seen.append(text))
        delivery.release_held()
        qtbot.waitUntil(lambda: rig.states.count("listening") == 2, timeout=10_000)
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)
        rig.controller.stop()
        qtbot.waitUntil(lambda: len(delivery.requests) == 2, timeout=10_000)
        delivery.release_held()
        qtbot.waitUntil(lambda: rig.controller.session.state.value == "idle", timeout=10_000)
        assert rig.history.count() == 2
        assert len(delivery.delivered_texts) == 2
    finally:
        _close(rig)


def test_the_last_text_waits_while_the_hotkey_is_held_for_the_next_dictation(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The delivery waits for the hotkey's keys; held for the next dictation, they are told
    # to it, so the last text goes out when they are up instead of onto the clipboard.
    rig, delivery = _going_out(qtbot, tmp_path)
    try:
        rig.controller.set_hotkey_held(True)
        assert delivery.hotkey_held.is_set()
        rig.controller.set_hotkey_held(False)
        assert not delivery.hotkey_held.is_set()
        delivery.release_held()
    finally:
        _close(rig)


def test_a_stop_before_the_waiting_dictation_begins_ends_it_where_it_was_said(
    qtbot: QtBot, tmp_path: Path
) -> None:
    rig, delivery = _going_out(qtbot, tmp_path)
    try:
        assert rig.controller.start(source="hotkey")
        rig.controller.stop()  # a short press: it ends before it could begin
        assert not rig.controller.listening
        delivery.release_held()
        qtbot.waitUntil(lambda: rig.states.count("finishing") == 2, timeout=10_000)
        qtbot.waitUntil(  # its text going out, or nothing heard in so little audio
            lambda: len(delivery.requests) == 2 or rig.controller.session.state.value == "idle",
            timeout=10_000,
        )
        delivery.release_held()
        qtbot.waitUntil(lambda: rig.controller.session.state.value == "idle", timeout=10_000)
        assert rig.states.count("listening") == 2
    finally:
        _close(rig)


def test_cancel_drops_the_dictation_waiting_to_begin_and_the_last_one_still_goes_out(
    qtbot: QtBot, tmp_path: Path
) -> None:
    rig, delivery = _going_out(qtbot, tmp_path)
    try:
        assert rig.controller.start(source="hotkey")
        rig.controller.cancel()
        assert not rig.controller.listening
        delivery.release_held()
        qtbot.waitUntil(lambda: rig.controller.session.state.value == "idle", timeout=10_000)
        assert len(delivery.delivered_texts) == 1
        assert rig.states.count("listening") == 1
        assert rig.history.count() == 1
    finally:
        _close(rig)


def test_a_cancel_keeps_the_lines_that_waited_for_the_final_in_history(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Type as I speak holds back a line break and what follows it until the final; an Esc
    # then kept only the typed first line in History, and the rest was gone.
    delivery = FakeDelivery()
    words = ["list", "the", "files", "new", "line", "show", "the", "disk", "usage", "now"]
    rig = build_rig(tmp_path, words, delivery, type_as_i_speak=True)
    notices: list[str] = []
    rig.controller.notice.connect(lambda _level, text: notices.append(text))
    try:
        shown: list[str] = []
        rig.controller.live_text.connect(lambda committed, _partial: shown.append(committed))
        assert rig.controller.start(source="hotkey")
        qtbot.waitUntil(lambda: "disk" in "".join(shown[-1:]).lower(), timeout=10_000)
        rig.controller.cancel()
        qtbot.waitUntil(lambda: rig.history.count() == 1, timeout=5000)
        entry = rig.history.latest()
        assert entry is not None
        assert delivery.typed.strip().lower() == "list the files"  # the line went out live
        assert entry.text.lower().startswith("list the files\nshow")
        assert entry.delivered_to == CANCELLED
        assert notices[-1].endswith("The lines after them, not typed, are in History too.")
    finally:
        _close(rig)
