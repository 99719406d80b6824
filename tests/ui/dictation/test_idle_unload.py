"""Idle unload and reload: ModelHost, the worker's unload between jobs, and the idle timer.

Also the compute settings: options from the settings, and the automatic fall
back from CUDA to the CPU (a failing factory stands in for a broken CUDA).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.core.audio.file_decoder import decode_file
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import (
    ComputeOptions,
    ModelHost,
    WhisperLike,
    compute_options,
    cpu_fallback,
)
from app.core.engine.model_registry import ModelKind, ModelSource, resolve_model
from app.ui.dictation.idle_unloader import IdleUnloader
from app.ui.dictation.inference_worker import InferenceWorker
from saytype_bench.accuracy import word_error_rate
from tests.fakes.scripted_pipeline import ScriptedPipeline
from tests.support.speech import SpeechMaker

SOURCE = ModelSource(name="tiny.en", kind=ModelKind.BUNDLED, path=Path("/nonexistent"))
WORDS = ["one", "two", "three", "four"]


class FakeCt2:
    """The load/unload surface of a CTranslate2 Whisper model."""

    def __init__(self) -> None:
        self.model_is_loaded = True
        self.loads = 0

    def unload_model(self) -> None:
        self.model_is_loaded = False

    def load_model(self) -> None:
        self.model_is_loaded = True
        self.loads += 1


class FakeWhisper:
    """Like faster-whisper's WhisperModel: the CTranslate2 model is ``.model``."""

    def __init__(self, device: str) -> None:
        self.model = FakeCt2()
        self.device = device
        self.fail_runs = device == "cuda"

    def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Iterable[Any], Any]:
        if self.fail_runs:
            raise RuntimeError("CUDA failed with error CUDA driver version is insufficient")
        return [], None


class Factory:
    """Builds FakeWhisper models; CUDA loads fail when ``cuda_loads`` is False."""

    def __init__(self, cuda_loads: bool = True) -> None:
        self.cuda_loads = cuda_loads
        self.calls: list[ComputeOptions] = []

    def __call__(self, source: ModelSource, options: ComputeOptions) -> WhisperLike:
        self.calls.append(options)
        if options.device == "cuda" and not self.cuda_loads:
            raise ModelError("Model x could not be loaded: Library libcudnn_ops.so.9 missing")
        return FakeWhisper(options.device)


def test_unload_empties_the_object_and_get_refills_it() -> None:
    factory = Factory()
    host = ModelHost(SOURCE, ComputeOptions(cpu_threads=1), factory)
    assert not host.unload()  # nothing loaded yet
    model = host.get()
    assert isinstance(model, FakeWhisper)
    first_inner = model.model
    assert host.unload()
    assert not host.is_loaded
    assert vars(model) == {}  # the CTranslate2 model, threads and tokenizer are gone
    assert not host.unload()
    assert host.get() is model  # holders of the object see the reloaded model
    assert model.model is not first_inner
    assert model.model.model_is_loaded
    assert len(factory.calls) == 2
    assert model.transcribe(None) == ([], None)


def test_cuda_load_failure_falls_back_to_the_cpu_with_a_notice() -> None:
    factory = Factory(cuda_loads=False)
    host = ModelHost(SOURCE, ComputeOptions("cuda", "float16", 2), factory)
    model = host.get()
    assert isinstance(model, FakeWhisper)
    assert model.device == "cpu"
    assert host.options == ComputeOptions("cpu", "int8", 2)
    notice = host.take_notice()
    assert notice is not None
    assert "libcudnn" in notice
    assert "CPU" in notice
    assert host.take_notice() is None


def test_cuda_run_failure_switches_the_same_object_to_the_cpu() -> None:
    host = ModelHost(SOURCE, ComputeOptions("cuda", "int8_float16", 2), Factory())
    model = host.get()
    with pytest.raises(RuntimeError) as raised:
        model.transcribe(None)
    assert host.fall_back_to_cpu(raised.value)
    assert model.transcribe(None) == ([], None)  # the holder's object now runs on the CPU
    assert host.options.device == "cpu"
    assert "CUDA driver" in (host.take_notice() or "")
    assert not host.fall_back_to_cpu(raised.value)  # already on the CPU


def test_cpu_load_failures_are_not_retried() -> None:
    def failing(source: ModelSource, options: ComputeOptions) -> WhisperLike:
        raise ModelError("broken")

    with pytest.raises(ModelError, match="broken"):
        ModelHost(SOURCE, ComputeOptions("cpu"), failing).get()


def test_compute_options_from_settings() -> None:
    no_gpu, one_gpu = (lambda: 0), (lambda: 1)
    assert compute_options("auto", "auto", 3, no_gpu) == ComputeOptions("cpu", "int8", 3)
    assert compute_options("auto", "auto", 3, one_gpu) == ComputeOptions("cuda", "float16", 3)
    assert compute_options("cpu", "float16", 3, one_gpu).compute_type == "float32"
    assert compute_options("cpu", "int8_float32", 3, no_gpu).compute_type == "int8_float32"
    assert compute_options("cpu", "auto", 0, no_gpu).cpu_threads >= 1
    assert cpu_fallback(ComputeOptions("cuda", "float32", 4)) == ComputeOptions("cpu", "float32", 4)


class FakeHost:
    """ModelResidency for worker tests: counts loads and unloads."""

    def __init__(self) -> None:
        self.loaded = True
        self.loads = 0
        self.unloads = 0
        self.held_elsewhere = False  # a file job is using the model

    def get(self) -> object:
        if not self.loaded:
            self.loads += 1
            self.loaded = True
        return object()

    def unload(self) -> bool:
        if not self.loaded:
            return False
        self.loaded = False
        self.unloads += 1
        return True

    def take_notice(self) -> str | None:
        return None

    def fall_back_to_cpu(self, error: BaseException) -> bool:
        return False


@pytest.fixture
def worker(qtbot: QtBot) -> Iterator[tuple[InferenceWorker, FakeHost, RingBuffer]]:
    ring = RingBuffer(capacity_seconds=5)
    host = FakeHost()
    made = InferenceWorker(ScriptedPipeline(WORDS), ring, threading.Event(), host=host)
    yield made, host, ring
    assert made.shutdown(timeout_ms=5000)


def run_one_job(qtbot: QtBot, worker: InferenceWorker, ring: RingBuffer) -> None:
    job = worker.start()
    ring.write(np.zeros(1600, dtype=np.float32))
    with qtbot.waitSignal(worker.final, timeout=5000):
        worker.finish(job)
    qtbot.waitUntil(lambda: not worker.is_running, timeout=5000)


@pytest.mark.gui
def test_worker_unloads_when_idle_and_a_job_reloads_first(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    made, host, ring = worker
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        made.unload_model()
    assert (host.loaded, host.unloads) == (False, 1)
    with qtbot.waitSignals([made.model_loading, made.model_ready], order="strict", timeout=5000):
        job = made.start()
    ring.write(np.zeros(1600, dtype=np.float32))
    with qtbot.waitSignal(made.final, timeout=5000):
        made.finish(job)
    assert (host.loaded, host.loads) == (True, 1)


@pytest.mark.gui
def test_worker_never_unloads_with_a_job_queued_or_running(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    made, host, ring = worker
    job = made.start()
    with (
        qtbot.waitSignal(made.unload_deferred, timeout=5000),
        qtbot.assertNotEmitted(made.model_unloaded),
    ):
        made.unload_model()
    assert host.loaded
    ring.write(np.zeros(1600, dtype=np.float32))
    with qtbot.waitSignal(made.final, timeout=5000):
        made.finish(job)
    qtbot.waitUntil(lambda: not made.is_running, timeout=5000)
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        made.unload_model()


@pytest.mark.gui
def test_load_model_reloads_after_an_unload(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    made, host, ring = worker
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        made.unload_model()
    ready: list[None] = []
    made.model_ready.connect(lambda: ready.append(None))
    with qtbot.waitSignal(made.model_ready, timeout=5000):
        made.load_model()
    assert (host.loaded, host.loads) == (True, 1)
    run_one_job(qtbot, made, ring)  # queued after the load: its signals are all out by now
    assert len(ready) == 1  # said once, after the warm-up, not also after the load


@pytest.mark.gui
def test_idle_unloader_immediately_unloads_after_each_job(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    made, host, ring = worker
    unloader = IdleUnloader(made, minutes=0)
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        run_one_job(qtbot, made, ring)
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        run_one_job(qtbot, made, ring)
    assert (host.unloads, host.loads) == (2, 1)
    unloader.stop()


@pytest.mark.gui
def test_idle_unloader_waits_its_minutes_and_never_means_never(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    made, host, ring = worker
    unloader = IdleUnloader(made, minutes=-1, ms_per_minute=20)
    run_one_job(qtbot, made, ring)
    assert not unloader.pending
    with qtbot.assertNotEmitted(made.model_unloaded, wait=200):
        pass
    assert host.loaded
    unloader.set_minutes(3)  # 60 ms here
    assert unloader.pending
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        pass
    assert not host.loaded


@pytest.mark.gui
def test_idle_unloader_retries_when_the_worker_is_busy(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    made, host, ring = worker
    unloader = IdleUnloader(made, minutes=1, ms_per_minute=10, retry_ms=10)
    job = made.start()
    unloader._unload()  # the countdown ran out while the job runs
    assert unloader.pending  # a retry is scheduled
    assert host.loaded
    ring.write(np.zeros(1600, dtype=np.float32))
    with qtbot.waitSignal(made.model_unloaded, timeout=5000):
        made.finish(job)
    assert host.unloads == 1


SENTENCE = "Please move the meeting to Thursday afternoon."


def _dictate(pipeline: LivePipeline, samples: np.ndarray) -> str:
    transcriber = pipeline.new_transcriber()
    for start in range(0, len(samples), 8000):
        transcriber.push(samples[start : start + 8000])
        if transcriber.pass_due():
            transcriber.run_pass()
    return transcriber.finish().text


@pytest.mark.model
def test_tiny_en_unload_frees_the_model_and_tokenizer_and_reload_dictates(
    speech: SpeechMaker, tmp_path: Path
) -> None:
    samples = decode_file(speech.wav(SENTENCE, tmp_path / "sentence.wav")).samples
    host = ModelHost(resolve_model("tiny.en"), ComputeOptions(cpu_threads=2))
    pipeline = LivePipeline(host)
    assert word_error_rate([SENTENCE], [_dictate(pipeline, samples)]) <= 0.15
    model = host.get()
    inner = weakref.ref(model.model)  # type: ignore[attr-defined]
    tokenizer = weakref.ref(model.hf_tokenizer)  # type: ignore[attr-defined]
    assert host.unload()
    assert inner() is None  # CTranslate2's model and its threads are destroyed
    assert tokenizer() is None  # the live decoder kept no copy of it
    assert not host.is_loaded
    assert host.load_seconds is not None
    # The decoder built before the unload works on the reloaded model.
    assert word_error_rate([SENTENCE], [_dictate(pipeline, samples)]) <= 0.15
    assert host.get() is model


@pytest.mark.gui
def test_window_and_tray_show_memory_and_offer_unload_now(qtbot: QtBot) -> None:
    from app.ui.shell.tray import Tray

    tray = Tray()
    tray.show_memory(False, 123.4)
    assert tray.memory_text == "model unloaded, 123 MB"
    assert not tray.unload_model.isEnabled()
    tray.show_memory(True, 300.0)
    assert tray.unload_model.isEnabled()
    with qtbot.waitSignal(tray.unload_model_requested, timeout=1000):
        tray.unload_model.trigger()


@pytest.mark.gui
def test_window_shows_memory_and_its_unload_action_asks_for_an_unload(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from app.core.settings import Settings
    from app.ui.dictation.dictation_controller import DictationController
    from app.ui.dictation.microphone import Microphone
    from app.ui.shell.main_window import MainWindow
    from tests.fakes.fake_delivery import FakeDelivery
    from tests.fakes.fake_sounddevice import FakeSoundDevice

    mic = Microphone(backend=FakeSoundDevice(np.zeros(16_000, dtype=np.float32)))
    made = InferenceWorker(ScriptedPipeline(WORDS), mic.ring, mic.new_audio)
    controller = DictationController(made, mic, FakeDelivery(), None, Settings(), "tiny.en")
    window = MainWindow(controller, mic, None, "Ctrl+Shift+Space")
    qtbot.addWidget(window)
    window.show_memory(True, 251.6)
    assert window.memory_label.text() == "Model loaded · Saytype uses 252 MB"
    with qtbot.waitSignal(window.unload_model_requested, timeout=1000):
        window.unload_action.trigger()
    assert made.shutdown(5000)


@pytest.mark.model
def test_memory_benchmark_measures_both_compute_types() -> None:
    from app.benchmarks.memory import run_memory_benchmark, to_json

    tone = np.sin(np.linspace(0, 2000 * np.pi, 32_000)) * 0.3
    clip = tone.astype(np.float32)
    figures = run_memory_benchmark(resolve_model("tiny.en"), [clip], dictations=3)
    assert [item.compute_type for item in figures] == ["int8", "float32"]
    for item in figures:
        assert item.rss_loaded_mb > item.rss_baseline_mb
        assert item.rss_peak_dictation_mb >= item.rss_loaded_mb - 5
        assert item.rss_after_unload_mb < item.rss_loaded_mb
        assert 0 < item.reload_s < 5
    payload = to_json(figures, "tiny.en")
    assert set(payload["results"][0]) >= {  # type: ignore[index]
        "rss_baseline_mb",
        "rss_loaded_mb",
        "rss_peak_dictation_mb",
        "rss_after_unload_mb",
        "reload_s",
        "rss_drift_mb",
    }


def test_a_file_job_holding_the_model_defers_the_unload(
    qtbot: QtBot, worker: tuple[InferenceWorker, FakeHost, RingBuffer]
) -> None:
    inference, host, _ring = worker
    host.held_elsewhere = True
    with qtbot.waitSignal(inference.unload_deferred, timeout=5000):
        inference.unload_model()
    assert host.unloads == 0
    host.held_elsewhere = False
    with qtbot.waitSignal(inference.model_unloaded, timeout=5000):
        inference.unload_model()
    assert host.unloads == 1
