"""The same dictation events reach ``saytype listen`` and the window: same words, same form.

The events are fed by hand (a stand-in worker for the controller, DictationEvents
for the printer), so both paths see exactly the same sequence, including a final
that re-decides words the commits gave. The one intended difference: with
type-as-I-speak, words already typed into the focused app are never taken back,
so the window's final keeps them; the command line types nothing and shows the
final shaped whole, as the window does without type-as-I-speak.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from app.commands.event_printer import EventPrinter
from app.core.engine.dictation_event import DictationEvent
from app.core.output.history import HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.microphone import Microphone
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice

pytestmark = pytest.mark.gui

JOB = 1

# Commits carry Whisper's leading space; a partial is the newest guess.
DICTATION = [
    ("partial", "dear Anna"),
    ("commit", " dear Anna comma"),  # "comma" waits: it could be "comma splice"
    ("partial", " I will"),  # a leading space, as a remote engine may send
    ("commit", " I will call you tomorrow"),
    ("partial", "scratch"),
    ("commit", " scratch"),  # held: it may begin "scratch that"
    ("partial", "that I"),
    ("commit", " that I will call tonight"),
    ("partial", "period bye"),
    ("commit", " period"),
    ("partial", "bye"),
]
FINAL = "dear Anna comma I will call you tomorrow scratch that I will call tonight period bye"
# The final re-decides typed words ("I will" → "I'll"), as a whole-utterance decode can.
RE_DECIDED = "dear Anna comma I'll call tonight period bye"


class StubWorker(QObject):
    """The worker's interface for the controller; the test emits its events."""

    partial = Signal(int, str)
    committed = Signal(int, str)
    final = Signal(int, str)
    failed = Signal(int, str)

    def start(self, start_position: int | None = None, decoding: object = None) -> int:
        return JOB

    def finish(self, job_id: int, position: int | None = None) -> None:
        pass

    def cancel(self, job_id: int) -> None:
        pass


class NoClock:
    """The printer's audio clock; the times are not compared here."""

    started_at = None
    fed_seconds = 0.0


@dataclass
class Seen:
    """What each path showed after each event."""

    shown: list[tuple[str, str]] = field(default_factory=list)  # settled text, pending
    final: str = ""
    screen: str = ""  # the focused app's text (GUI) or the commit lines applied (CLI)


def _apply(screen: str, erase: int, text: str) -> str:
    return screen[: len(screen) - erase] + text


def _through_cli(events: list[tuple[str, str]], final: str) -> Seen:
    stream = io.StringIO()
    printer = EventPrinter(stream, NoClock(), jsonl=True)
    seen = Seen()
    for kind, text in [*events, ("final", final)]:
        before = len(stream.getvalue())
        printer(DictationEvent(kind, text))  # type: ignore[arg-type]
        lines = [json.loads(line) for line in stream.getvalue()[before:].splitlines()]
        for line in lines:
            if line["type"] == "commit":
                seen.screen = _apply(seen.screen, line.get("erase", 0), line["text"])
        pending = lines[-1]["text"] if kind == "partial" else ""
        if kind == "final":
            seen.final = lines[-1]["text"]
        else:
            # The window's settled text is what the commit lines typed so far.
            seen.shown.append((seen.screen, pending))
    return seen


def _through_gui(
    qtbot: QtBot, tmp_path: Path, events: list[tuple[str, str]], final: str, **settings: object
) -> Seen:
    worker = StubWorker()
    mic = Microphone(backend=FakeSoundDevice(np.zeros(16_000, np.float32)))
    history = HistoryStore(tmp_path / "history.sqlite3")
    delivery = FakeDelivery()
    controller = DictationController(
        worker,  # type: ignore[arg-type]
        mic,
        delivery,
        history,
        Settings(**settings),  # type: ignore[arg-type]
        "tiny.en",
    )
    seen = Seen()
    views: list[tuple[str, str]] = []
    controller.live_text.connect(lambda shown, pending: views.append((shown, pending)))
    controller.final_text.connect(lambda text: setattr(seen, "final", text))
    try:
        assert controller.start(source="hotkey")
        signals = {"partial": worker.partial, "commit": worker.committed}
        for kind, text in events:
            signals[kind].emit(JOB, text)
            shown, pending = views[-1]
            # A commit line carries no held words (the next partial's line shows them).
            seen.shown.append((shown, pending if kind == "partial" else ""))
        controller.stop()
        with qtbot.waitSignal(controller.completed, timeout=10_000):
            worker.final.emit(JOB, final)
        assert history.latest().text == seen.final
    finally:
        controller.cancel()
        mic.close()
        history.close()
    for _id, text, method in delivery.requests:
        seen.screen = (
            _apply(seen.screen, len(text), "") if method == "erase" else seen.screen + text
        )
    return seen


@pytest.mark.parametrize("type_as_i_speak", [False, True])
def test_both_paths_show_the_same_text_at_every_event(
    qtbot: QtBot, tmp_path: Path, type_as_i_speak: bool
) -> None:
    cli = _through_cli(DICTATION, FINAL)
    gui = _through_gui(qtbot, tmp_path, DICTATION, FINAL, type_as_i_speak=type_as_i_speak)
    assert gui.shown == cli.shown
    # "period" is held (it may begin "period of"), and shown already as the final writes it.
    assert cli.shown[-1] == ("Dear Anna, I will call tonight", ". Bye")
    assert gui.final == cli.final == "Dear Anna, I will call tonight. Bye"
    # Pasted whole, or typed as spoken then finished; then the space a next dictation follows.
    assert gui.screen == cli.final + " "


def test_without_type_as_i_speak_a_re_decided_final_reads_the_same_on_both_paths(
    qtbot: QtBot, tmp_path: Path
) -> None:
    cli = _through_cli(DICTATION, RE_DECIDED)
    gui = _through_gui(qtbot, tmp_path, DICTATION, RE_DECIDED)
    assert gui.final == cli.final == "Dear Anna, I'll call tonight. Bye"
    assert gui.screen == gui.final + " "


def test_type_as_i_speak_keeps_the_typed_words_of_a_re_decided_final(
    qtbot: QtBot, tmp_path: Path
) -> None:
    cli = _through_cli(DICTATION, RE_DECIDED)
    gui = _through_gui(qtbot, tmp_path, DICTATION, RE_DECIDED, type_as_i_speak=True)
    assert gui.shown == cli.shown  # the same words were typed live on both paths
    assert gui.final == "Dear Anna, I will call tonight. Bye"
    assert gui.screen == gui.final + " "  # the typed words never retracted
    assert cli.final == "Dear Anna, I'll call tonight. Bye"  # nothing typed: shaped whole
