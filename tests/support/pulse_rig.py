"""The desktop app's dictation parts on a real sound server: the rig the device-fault tests share.

A private PulseAudio daemon whose null sink ``mic`` is the microphone (tests/support/pulse.py),
sounddevice pointed at it, and a DictationController on the real model whose delivery is
recorded. The fixtures that build these live in tests/ui/dictation/conftest.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_host import ModelHost
from app.core.output.history import HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from tests.fakes.fake_delivery import FakeDelivery
from tests.support.pulse import PulseDaemon


@dataclass(frozen=True)
class Pulse:
    """The running daemon and the sounddevice module pointed at it."""

    daemon: PulseDaemon
    sounddevice: Any

    def ensure_mic(self) -> None:
        """Plug the ``mic`` sink back in when a test left it unplugged."""
        if "mic.monitor" not in self.daemon.sources():
            self.daemon.plug_in_mic()

    def start_playing(self, wav: Path, sink: str = "mic") -> subprocess.Popen[bytes]:
        """paplay ``wav`` into ``sink`` (the microphone's), in the background."""
        return subprocess.Popen(
            ["paplay", f"--device={sink}", str(wav)],
            env=self.daemon.full_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@dataclass
class App:
    """The controller on the real microphone and model; delivery is recorded."""

    controller: DictationController
    mic: Microphone
    worker: InferenceWorker
    delivery: FakeDelivery
    history: HistoryStore
    notices: list[tuple[str, str]]  # (level, text), as they came
    heard: list[str]
    withdrawn: list[str] = field(default_factory=list)  # notices taken back, as they went


@contextmanager
def running_app(
    qtbot: QtBot, pulse: Pulse, model: ModelHost, folder: Path, device: str | None = None
) -> Iterator[App]:
    """The controller on ``device`` (None: the default input), keeping the microphone open."""
    mic = Microphone(device, backend=pulse.sounddevice)
    worker = InferenceWorker(LivePipeline(model), mic.ring, mic.new_audio)
    with qtbot.waitSignal(worker.model_ready, timeout=60_000):
        worker.load_model()
    history = HistoryStore(folder / "history.sqlite3")
    delivery = FakeDelivery()
    # keep_mic_open (the default): the stream stays open for the pre-roll, so the
    # app itself must notice that the device came back.
    controller = DictationController(
        worker, mic, delivery, history, Settings(keep_mic_open=True), "tiny.en"
    )
    made = App(controller, mic, worker, delivery, history, [], [])
    controller.notice.connect(lambda level, text: made.notices.append((level, text)))
    controller.notice_withdrawn.connect(made.withdrawn.append)
    controller.live_text.connect(lambda done, guess: made.heard.append(f"{done} {guess}"))
    try:
        yield made
    finally:
        controller.cancel()
        assert worker.shutdown(10_000)
        mic.close_and_wait()
        history.close()
