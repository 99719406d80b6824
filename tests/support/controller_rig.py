"""A DictationController wired to a scripted pipeline, a fake microphone and a real history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.output.history import HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_controller import DictationController
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.microphone import Microphone
from app.ui.dictation.profile_chooser import ProfileChooser
from tests.fakes.fake_delivery import FakeDelivery
from tests.fakes.fake_sounddevice import FakeSoundDevice
from tests.fakes.scripted_pipeline import ScriptedPipeline


@dataclass
class Rig:
    """The controller and the parts a test looks at; ``states`` records every state change."""

    controller: DictationController
    worker: InferenceWorker
    mic: Microphone
    delivery: FakeDelivery
    history: HistoryStore
    states: list[str] = field(default_factory=list)
    pipeline: ScriptedPipeline | None = None  # what each utterance was decoded with

    def close(self) -> None:
        """Cancel what runs and close every part (the worker must stop in time)."""
        self.controller.cancel()
        assert self.worker.shutdown(5000)
        self.mic.close_and_wait()
        self.history.close()


def build_rig(
    tmp_path: Path,
    words: Sequence[str],
    fake_delivery: FakeDelivery | None = None,
    own_window_active: Callable[[], bool] | None = None,
    sound_device: FakeSoundDevice | None = None,
    *,
    profiles: ProfileChooser | None = None,
    final_mends: dict[str, str] | None = None,
    **settings: object,
) -> Rig:
    """A controller whose dictations "hear" ``words``, with history in ``tmp_path``.

    ``sound_device`` is the microphone's fake device (default: one hearing 1 s of silence,
    then silence four times faster than real time: the scripted model hears a word per
    pass, whatever the audio, so only the number of passes matters).
    ``final_mends`` maps words the passes hear to the final's (more careful) hearing of them.
    """
    if sound_device is None:
        sound_device = FakeSoundDevice(np.zeros(16_000, np.float32), silence_pace=4.0)
    mic = Microphone(backend=sound_device)
    pipeline = ScriptedPipeline(list(words), final_mends=final_mends)
    worker = InferenceWorker(pipeline, mic.ring, mic.new_audio)
    history = HistoryStore(tmp_path / "history.sqlite3")
    delivery = FakeDelivery() if fake_delivery is None else fake_delivery
    controller = DictationController(
        worker,
        mic,
        delivery,
        history,
        Settings(**settings),  # type: ignore[arg-type]
        "tiny.en",
        own_window_active=own_window_active,
        profiles=profiles,
    )
    rig = Rig(controller, worker, mic, delivery, history, pipeline=pipeline)
    controller.state_changed.connect(rig.states.append)
    return rig
