"""ModelHost builds its model once, on first use, even when many threads ask at once.

A fake factory stands in for faster-whisper: these tests are about when and how
often the factory runs, not about the model it returns.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.audio.file_decoder import AudioFileReader
from app.core.engine.hardware import physical_core_count
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ComputeOptions, ModelHost, WhisperLike
from app.core.engine.model_registry import ModelKind, ModelSource, bundled_model_path
from saytype_bench.accuracy import word_error_rate
from tests.support.speech import SpeechMaker

SOURCE = ModelSource(name="tiny.en", kind=ModelKind.BUNDLED, path=Path("/nonexistent/tiny.en"))


class FakeModel:
    """Satisfies WhisperLike; never transcribes."""

    def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Iterable[Any], Any]:
        raise AssertionError("these tests never transcribe")


class RecordingFactory:
    """A factory that counts its calls and records the arguments it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[ModelSource, ComputeOptions]] = []
        self._lock = threading.Lock()

    def __call__(self, source: ModelSource, options: ComputeOptions) -> WhisperLike:
        with self._lock:
            self.calls.append((source, options))
        return FakeModel()


def test_factory_is_not_called_until_get() -> None:
    factory = RecordingFactory()
    host = ModelHost(SOURCE, factory=factory)
    assert factory.calls == []
    assert not host.loaded
    assert host.load_seconds is None


def test_get_builds_the_model_with_the_source_and_options() -> None:
    factory = RecordingFactory()
    options = ComputeOptions(device="cpu", compute_type="float32", cpu_threads=3)
    host = ModelHost(SOURCE, options, factory=factory)
    model = host.get()
    assert isinstance(model, FakeModel)
    assert factory.calls == [(SOURCE, options)]
    assert host.loaded
    assert host.load_seconds is not None
    assert host.load_seconds >= 0


def test_get_returns_the_same_instance_every_time() -> None:
    factory = RecordingFactory()
    host = ModelHost(SOURCE, factory=factory)
    first = host.get()
    assert host.get() is first
    assert host.get() is first
    assert len(factory.calls) == 1


def test_concurrent_first_gets_run_the_factory_exactly_once() -> None:
    threads_count = 8
    start_together = threading.Barrier(threads_count)
    entered = threading.Event()
    second_entry = threading.Event()
    release = threading.Event()
    calls = 0
    calls_lock = threading.Lock()

    def slow_factory(source: ModelSource, options: ComputeOptions) -> WhisperLike:
        nonlocal calls
        with calls_lock:
            calls += 1
            (second_entry if calls > 1 else entered).set()
        # Hold the first load open so that every other thread arrives while it runs.
        assert release.wait(timeout=10)
        return FakeModel()

    host = ModelHost(SOURCE, factory=slow_factory)
    results: list[WhisperLike] = []
    errors: list[BaseException] = []
    results_lock = threading.Lock()

    def worker() -> None:
        try:
            start_together.wait(timeout=10)
            model = host.get()
        except BaseException as exc:  # reported below; a thread must not die silently
            with results_lock:
                errors.append(exc)
            return
        with results_lock:
            results.append(model)

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    try:
        assert entered.wait(timeout=10), "no thread reached the factory"
        # Bounded negative check (like assertNotEmitted): a second load must not start
        # while the first is still running.
        assert not second_entry.wait(timeout=0.2), "factory entered twice concurrently"
        assert not host.loaded
    finally:
        release.set()  # never leave the workers blocked, even when an assertion failed
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()

    assert errors == []
    assert calls == 1
    assert len(results) == threads_count
    assert all(model is results[0] for model in results)


def test_model_error_propagates_and_a_later_get_retries() -> None:
    attempts: list[int] = []

    def flaky_factory(source: ModelSource, options: ComputeOptions) -> WhisperLike:
        attempts.append(len(attempts) + 1)
        if len(attempts) == 1:
            raise ModelError(f"Model folder {source.path} could not be loaded: disk hiccup")
        return FakeModel()

    host = ModelHost(SOURCE, factory=flaky_factory)
    with pytest.raises(ModelError, match="disk hiccup"):
        host.get()
    assert not host.loaded
    assert host.load_seconds is None

    model = host.get()
    assert isinstance(model, FakeModel)
    assert host.loaded
    assert attempts == [1, 2]


def test_failed_load_releases_the_lock_for_other_threads() -> None:
    def failing_factory(source: ModelSource, options: ComputeOptions) -> WhisperLike:
        raise ModelError("broken")

    host = ModelHost(SOURCE, factory=failing_factory)
    with pytest.raises(ModelError):
        host.get()

    outcome: list[BaseException] = []

    def other_thread() -> None:
        try:
            host.get()
        except ModelError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "get() deadlocked after a failed load"
    assert len(outcome) == 1


def test_compute_options_default_to_int8_on_cpu_with_physical_cores() -> None:
    options = ComputeOptions()
    assert options.device == "cpu"
    assert options.compute_type == "int8"
    assert options.cpu_threads == physical_core_count()
    assert options.cpu_threads >= 1


def test_host_without_options_uses_the_defaults() -> None:
    assert ModelHost(SOURCE, factory=RecordingFactory()).options == ComputeOptions()


@pytest.mark.model
def test_a_held_model_is_never_unloaded(tiny_en: ModelHost) -> None:
    tiny_en.get()
    with tiny_en.held():
        assert tiny_en.held_elsewhere
        assert not tiny_en.unload()  # a file job is using it
        assert tiny_en.loaded
    assert not tiny_en.held_elsewhere
    assert tiny_en.unload()
    tiny_en.get()  # reloads for the other tests
    assert tiny_en.loaded


def test_unload_also_frees_the_cached_vad_session(tiny_en: ModelHost) -> None:
    from faster_whisper.vad import get_vad_model

    from app.core.audio.speech_detector import SpeechDetector

    tiny_en.get()
    SpeechDetector()  # loads and caches Silero
    assert get_vad_model.cache_info().currsize == 1
    assert tiny_en.unload()
    assert get_vad_model.cache_info().currsize == 0
    tiny_en.get()
    assert SpeechDetector().scored_samples == 0  # a new detector loads a fresh session
    assert get_vad_model.cache_info().currsize == 1


@pytest.mark.model
def test_a_model_removed_while_unloaded_gives_way_to_the_bundled_one(
    tmp_path: Path, speech: SpeechMaker
) -> None:
    # `saytype models remove base.en` while the app ran, then an idle unload: the reload
    # once failed every dictation ("Repo id must be in the form…") until a restart.
    copy = tmp_path / "base.en"
    shutil.copytree(bundled_model_path(), copy)
    host = ModelHost(ModelSource(name="base.en", kind=ModelKind.NAMED, path=copy))
    host.get()
    assert host.unload()
    shutil.rmtree(copy)
    model = host.get()
    assert host.source.name == "tiny.en"
    notice = host.take_notice()
    assert notice is not None
    assert notice.startswith(f"Model 'base.en' is gone from {copy}")
    assert "Settings → Downloaded models" in notice
    said = "Please send the report to the team by Friday."
    audio = np.concatenate(list(AudioFileReader(speech.wav(said, tmp_path / "s.wav")).chunks()))
    segments, _ = model.transcribe(audio, beam_size=5, language="en")
    assert word_error_rate([said], [" ".join(s.text for s in segments)]) <= 0.1
