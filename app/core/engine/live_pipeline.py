"""Builds the live pipeline's parts from a loaded model, for the CLI, benchmark and GUI."""

from __future__ import annotations

from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.cancellation import CancellationToken
from app.core.engine.model_host import ModelHost
from app.core.engine.streaming_transcriber import StreamingOptions, StreamingTranscriber
from app.core.engine.window_decoder import WindowDecoder


class LivePipeline:
    """Holds the model-bound decoder and makes one transcriber per utterance."""

    def __init__(
        self, host: ModelHost, language: str | None = "en", options: StreamingOptions | None = None
    ) -> None:
        self._host = host
        self._language = language
        self._options = options
        self._decoder: WindowDecoder | None = None

    def warm_up(self) -> None:
        """Load the model and the VAD now rather than at the first key press."""
        self._decoder_instance()
        SpeechDetector()

    def new_transcriber(self, cancel: CancellationToken | None = None) -> StreamingTranscriber:
        """A fresh transcriber (and VAD state) for one utterance, stopped by ``cancel``."""
        return StreamingTranscriber(
            self._decoder_instance(), SpeechDetector(), self._options, cancel
        )

    def _decoder_instance(self) -> WindowDecoder:
        if self._decoder is None:
            self._decoder = WindowDecoder(self._host.get(), language=self._language)
        return self._decoder
