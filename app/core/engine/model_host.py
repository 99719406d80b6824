"""One shared, lazily loaded Whisper model.

Loading takes seconds and hundreds of MB, so the model is built on first use and
then shared by every job. The factory holds the heavy imports (faster_whisper,
ctranslate2) so that importing the engine, the CLI's help and the GUI's first
paint stay fast. Tests inject their own factory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.engine.hardware import physical_core_count
from app.core.engine.model_folder import ModelError
from app.core.engine.model_registry import ModelSource

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


def faster_whisper_factory(source: ModelSource, options: ComputeOptions) -> WhisperLike:
    """Build a faster-whisper model from a checked folder, never touching the network."""
    from faster_whisper import WhisperModel

    try:
        model: WhisperLike = WhisperModel(
            str(source.path),
            device=options.device,
            compute_type=options.compute_type,
            cpu_threads=options.cpu_threads,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        # CTranslate2 reports corrupt weights and unsupported compute types as RuntimeError.
        raise ModelError(f"Model folder {source.path} could not be loaded: {exc}") from exc
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
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory now."""
        return self._model is not None

    def get(self) -> WhisperLike:
        """Return the model, loading it first if needed.

        Raises:
            ModelError: when the folder cannot be loaded.
        """
        with self._lock:
            if self._model is None:
                started = time.perf_counter()
                log.info("loading model %s from %s", self.source.name, self.source.path)
                self._model = self._factory(self.source, self.options)
                self.load_seconds = time.perf_counter() - started
                log.info("model %s loaded in %.2f s", self.source.name, self.load_seconds)
            return self._model
