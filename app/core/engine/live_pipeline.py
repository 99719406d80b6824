"""Builds the live pipeline's parts from a loaded model, for the CLI, benchmark and GUI."""

from __future__ import annotations

from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.cancellation import CancellationToken
from app.core.engine.model_host import ModelHost
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.window_decoder import WindowDecoder


class LivePipeline:
    """Holds the model-bound decoder and makes one transcriber per utterance."""

    def __init__(
        self,
        host: ModelHost,
        language: str | None = "en",
        options: StreamingOptions | None = None,
        vocabulary: tuple[str, ...] = (),
    ) -> None:
        self._host = host
        self._language = language
        self._options = options
        self._hotwords = _hotwords(vocabulary)
        self._decoder: WindowDecoder | None = None

    def set_vocabulary(self, vocabulary: tuple[str, ...]) -> None:
        """Bias decoding towards ``vocabulary`` (names, jargon) from the next utterance on."""
        self._hotwords = _hotwords(vocabulary)
        if self._decoder is not None:
            self._decoder.hotwords = self._hotwords

    @property
    def language(self) -> str | None:
        """The language of each utterance unless a profile says otherwise (None: English)."""
        return self._language

    def set_language(self, language: str | None) -> None:
        """Decode in ``language`` (None: English) from the next utterance on."""
        self._language = language

    def take_notice(self) -> str | None:
        """Nothing to tell: the local pipeline has no notices of its own (the host has)."""
        return None

    def warm_up(self) -> None:
        """Load the model and the VAD now rather than at the first key press."""
        self._decoder_instance()
        SpeechDetector()

    def new_transcriber(
        self,
        cancel: CancellationToken | None = None,
        *,
        language: str | None = None,
        vocabulary: tuple[str, ...] | None = None,
    ) -> StreamingTranscriber:
        """A fresh transcriber (and VAD state) for one utterance, stopped by ``cancel``.

        ``language`` and ``vocabulary`` (a per-app profile's) hold for this utterance
        only; None keeps the pipeline's own.
        """
        decoder = self._decoder_instance()
        decoder.language = language or self._language or "en"
        decoder.hotwords = self._hotwords if vocabulary is None else _hotwords(vocabulary)
        return StreamingTranscriber(decoder, SpeechDetector(), self._options, cancel)

    def _decoder_instance(self) -> WindowDecoder:
        model = self._host.get()  # reloads the model after an idle unload
        if self._decoder is None:
            careful_window_s = (self._options or StreamingOptions()).careful_window_s
            self._decoder = WindowDecoder(
                model,
                language=self._language,
                hotwords=self._hotwords,
                careful_window_s=careful_window_s,
            )
        return self._decoder


def _hotwords(vocabulary: tuple[str, ...]) -> str:
    return ", ".join(word.strip() for word in vocabulary if word.strip())
