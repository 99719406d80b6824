"""One shared, lazily loaded Whisper model.

Loading takes seconds and hundreds of MB, so the model is built on first use and
then shared by every job. The factory holds the heavy imports (faster_whisper,
ctranslate2) so that importing the engine, the CLI's help and the GUI's first
paint stay fast. Tests inject their own factory.

The model can be unloaded to give memory back while the app sits idle and is
reloaded by the next :meth:`ModelHost.get`. The unload empties the model object
in place (its CTranslate2 model, worker threads and tokenizer go) and the reload
moves a freshly built model's state into the same object, so decoders that hold
it keep working. CTranslate2's own ``unload_model()`` keeps the tokenizer and
thread pool (about 10 MB), and now and then returned with the model still
loaded. A CUDA device that fails to load or run the model is replaced by the
CPU, with a notice for the user: CUDA/cuDNN mismatches are the commonest
complaint in other Whisper apps' trackers.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.audio.speech_detector import release_vad_model
from app.core.engine import whisper_internals
from app.core.engine.hardware import physical_core_count
from app.core.engine.model_check_stamp import check_unchanged
from app.core.engine.model_folder import ModelError
from app.core.engine.model_registry import BUNDLED_MODEL, ModelKind, ModelSource, resolve_model
from app.core.engine.process_memory import trimming_frees, tune_native_memory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComputeOptions:
    """How CTranslate2 runs the model. Defaults suit a laptop CPU."""

    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = field(default_factory=physical_core_count)


class WhisperSegmentLike(Protocol):
    """The parts of a faster-whisper segment the engine reads."""

    start: float
    end: float
    text: str


class WhisperInfoLike(Protocol):
    """The parts of faster-whisper's ``TranscriptionInfo`` the engine reads."""

    language: str
    duration: float


class WhisperLike(Protocol):
    """What the engine needs from a loaded model (faster-whisper's ``WhisperModel``)."""

    def transcribe(
        self, audio: Any, **kwargs: Any
    ) -> tuple[Iterable[WhisperSegmentLike], WhisperInfoLike]: ...


WhisperFactory = Callable[[ModelSource, ComputeOptions], WhisperLike]

# What a device choice of "auto" compute type means per device.
_AUTO_COMPUTE_TYPE = {"cpu": "int8", "cuda": "float16"}


def cuda_device_count() -> int:
    """How many CUDA devices CTranslate2 can use (0 when it was built without CUDA)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a missing or broken CUDA runtime means: no GPU
        log.info("no usable CUDA runtime", exc_info=True)
        return 0


def compute_options(
    device: str = "auto",
    compute_type: str = "auto",
    cpu_threads: int = 0,
    cuda_devices: Callable[[], int] = cuda_device_count,
) -> ComputeOptions:
    """Turn the user's compute settings into options CTranslate2 accepts.

    Args:
        device: "auto" (CUDA when a device exists), "cpu" or "cuda".
        compute_type: "auto", "int8", "int8_float32", "float32" or "float16";
            float16 needs CUDA and becomes float32 on the CPU.
        cpu_threads: 0 for one thread per physical core.
        cuda_devices: counts CUDA devices (injected by tests).
    """
    chosen = device
    if device == "auto":
        chosen = "cuda" if cuda_devices() > 0 else "cpu"
    kind = _AUTO_COMPUTE_TYPE[chosen] if compute_type == "auto" else compute_type
    if chosen == "cpu" and kind == "float16":
        kind = "float32"
    threads = cpu_threads if cpu_threads > 0 else physical_core_count()
    return ComputeOptions(device=chosen, compute_type=kind, cpu_threads=threads)


def cpu_fallback(options: ComputeOptions) -> ComputeOptions:
    """The CPU options that replace failing CUDA ones (float16 has no CPU kernels)."""
    kind = (
        "int8"
        if options.compute_type in {"float16", "int8_float16", "bfloat16"}
        else options.compute_type
    )
    return ComputeOptions(device="cpu", compute_type=kind, cpu_threads=options.cpu_threads)


def faster_whisper_factory(source: ModelSource, options: ComputeOptions) -> WhisperLike:
    """Build a faster-whisper model from a checked folder, never touching the network."""
    from faster_whisper import WhisperModel

    tune_native_memory()
    if not source.path.is_dir():  # faster-whisper would take the path for a hub repo id
        raise ModelError(f"Model folder {source.path} is missing; download or copy it again.")
    check_unchanged(source.path, source.name)  # here, off the GUI thread: it may hash
    try:
        model: WhisperLike = WhisperModel(
            str(source.path),
            device=options.device,
            compute_type=options.compute_type,
            cpu_threads=options.cpu_threads,
            local_files_only=True,
        )
    except Exception as exc:
        # CTranslate2 reports corrupt weights and unsupported compute types as RuntimeError;
        # the tokenizers library a damaged tokenizer as a bare Exception.
        raise ModelError(
            f"Model folder {source.path} could not be loaded ({exc}); "
            "download or copy the model again."
        ) from exc
    return model


class ModelHost:
    """Owns one model instance and builds it on first request, thread-safely."""

    def __init__(
        self,
        source: ModelSource,
        options: ComputeOptions | None = None,
        factory: WhisperFactory = faster_whisper_factory,
    ) -> None:
        self.source = source
        self.options = options or ComputeOptions()
        self._factory = factory
        self._model: WhisperLike | None = None
        self._resident = False
        self._lock = threading.Lock()
        self._holds = 0  # jobs outside the inference worker using the model (file jobs)
        self.load_seconds: float | None = None
        self.notice: str | None = None  # for the user, e.g. after a fall back to the CPU

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory now."""
        return self._model is not None and self._resident

    @property
    def is_loaded(self) -> bool:
        """Same as :attr:`loaded`."""
        return self.loaded

    def take_notice(self) -> str | None:
        """Return the pending notice for the user once, then forget it."""
        notice, self.notice = self.notice, None
        return notice

    @property
    def held_elsewhere(self) -> bool:
        """Whether a file job is using the model now (see :meth:`held`)."""
        return self._holds > 0

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the model loaded while the block runs (unload is refused meanwhile)."""
        with self._lock:
            self._holds += 1
        try:
            yield
        finally:
            with self._lock:
                self._holds -= 1

    def unload(self, release_memory: bool = True) -> bool:
        """Free the model's memory; the next :meth:`get` reloads it. True if it was loaded.

        Until then the object that :meth:`get` returned is an empty shell: use
        it only after another :meth:`get`.

        The caller must make sure no job is using the model (the inference worker
        runs this on its own thread, between jobs). ``release_memory=False`` skips
        the heap trimming (the memory benchmark measures what it gives back).
        """
        with self._lock:
            if self._model is None or not self._resident or self._holds:
                return False  # not loaded, or a file job holds it: never unload mid-job
            with trimming_frees() if release_memory else nullcontext():
                if not whisper_internals.empty_in_place(self._model):
                    self._model = None  # no instance dict: just drop our reference
                release_vad_model()
                gc.collect()  # the model's reference cycles, freed while trimming is on
            self._resident = False
        log.info("model %s unloaded (heap trimmed: %s)", self.source.name, release_memory)
        return True

    def fall_back_to_cpu(self, error: BaseException) -> bool:
        """After ``error`` from a CUDA run, rebuild the model on the CPU; True if it did.

        The new model's state replaces the old one's in the same object, so decoders
        that hold the model keep working.
        """
        with self._lock:
            if self.options.device != "cuda" or self._model is None:
                return False
            options = cpu_fallback(self.options)
            replacement = self._factory(self.source, options)
            whisper_internals.replace_in_place(self._model, replacement)
            self._resident = True
            self.options = options
            self.notice = _cpu_notice(error)
            log.warning("CUDA failed while running (%s); switched to the CPU", error)
        return True

    def get(self) -> WhisperLike:
        """Return the model, loading it first if needed.

        Raises:
            ModelError: when the folder cannot be loaded.
        """
        with self._lock:
            if self._model is None or not self._resident:
                started = time.perf_counter()
                log.info("loading model %s from %s", self.source.name, self.source.path)
                if self._model is None:
                    self._model = self._build()
                else:
                    whisper_internals.replace_in_place(self._model, self._build())
                self._resident = True
                self.load_seconds = time.perf_counter() - started
                log.info("model %s loaded in %.2f s", self.source.name, self.load_seconds)
            return self._model

    def _build(self) -> WhisperLike:
        if not self.source.path.is_dir() and self.source.kind is not ModelKind.BUNDLED:
            self._fall_back_to_bundled()
        try:
            return self._factory(self.source, self.options)
        except ModelError as exc:
            if self.options.device != "cuda":
                raise
            log.warning("CUDA could not load the model (%s); trying the CPU", exc)
            self.options = cpu_fallback(self.options)
            model = self._factory(self.source, self.options)
            self.notice = _cpu_notice(exc)
            return model

    def _fall_back_to_bundled(self) -> None:
        """The model's folder went (``saytype models remove``) while Saytype ran: use tiny.en.

        As at startup, a dictation must not fail for want of a model Saytype has
        with it; the user is told, once, what happened and how to get it back.
        """
        gone = self.source
        self.source = resolve_model(BUNDLED_MODEL)
        self.notice = (
            f"Model '{gone.name}' is gone from {gone.path} (it was removed); Saytype uses the "
            f"bundled {BUNDLED_MODEL} until you download it again (Settings → Downloaded models)."
        )
        log.warning("model folder %s is gone; using the bundled %s", gone.path, BUNDLED_MODEL)


def _cpu_notice(error: BaseException) -> str:
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"The GPU could not run the model ({detail}); Saytype uses the CPU instead."
