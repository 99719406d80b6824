"""The desktop's dictation engine: the local pipeline, or a saved endpoint with local fallback.

The inference worker asks one factory for each utterance's transcriber. This
one hands out the local :class:`~app.core.engine.live_pipeline.LivePipeline`'s
transcriber while no endpoint is active (the default), and a
:class:`~app.core.engine.remote.remote_final.RemoteFinal` around it while one
is: partials stay local, the final comes from the server, and a failed server
leaves a one-sentence notice while the local model finishes the dictation.
The endpoint can change between dictations (Settings → Engine); the API key
is read from the keyring when an utterance starts, on the worker's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.live_dictation import LiveTranscriber
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.remote.endpoint_book import DEFAULT_TIMEOUT_S, Endpoint, EndpointBook
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url
from app.core.engine.remote.remote_final import RemoteFinal, RemoteUtterance, WholeUtterance

log = logging.getLogger(__name__)

FELL_BACK = "; this dictation was finished by the local model instead."  # ends its notice
HEARD_BY_SERVER = " (server)"  # ends the history's model of a text a server heard

_OPENAI_DEFAULT_MODEL = "whisper-1"
# A dictation's final is wanted in seconds: a server that has not answered by then has failed
# this one, and the local model finishes it. The default timeout (600 s) is for files, whose
# upload and transcription may take minutes; a timeout the user chose is kept.
DICTATION_WAIT_S = 30.0


def remote_utterance(  # noqa: PLR0917 - an endpoint's options, each distinct
    kind: str,
    url: str,
    model: str,
    language: str | None,
    timeout_s: float,
    ca_file: Path | None = None,
    api_key: str = "",
    vocabulary: tuple[str, ...] = (),
    *,
    fallback: bool = True,
) -> RemoteUtterance:
    """One utterance for a server: streamed (Wyoming) or sent whole at the release (OpenAI).

    The wait for the server is ``timeout_s``; at the default, and with the local model to
    finish the dictation (``fallback``), :data:`DICTATION_WAIT_S`.

    Raises:
        RemoteEngineError: the CA file cannot be used.
    """
    if fallback and timeout_s == DEFAULT_TIMEOUT_S:
        timeout_s = DICTATION_WAIT_S
    if kind == "wyoming":
        from app.core.engine.remote.wyoming_engine import WyomingEndpoint
        from app.core.engine.remote.wyoming_stream import WyomingUtterance

        return WyomingUtterance(WyomingEndpoint(url, model, timeout_s), language)
    from app.core.engine.remote.openai_engine import OpenAIEndpoint, OpenAITranscriber

    endpoint = OpenAIEndpoint(
        url, model or _OPENAI_DEFAULT_MODEL, api_key=api_key, ca_file=ca_file, timeout_s=timeout_s
    )
    options = TranscribeOptions(language=language, vocabulary=vocabulary)
    return WholeUtterance(OpenAITranscriber(endpoint), options)


def saved_dictation_engine(local: LivePipeline) -> tuple[DictationEngine, str | None]:
    """The engine the saved endpoints choose (local unless one is active), and a notice
    when their file had to be repaired."""
    from app.core.engine.remote.api_keys import saved_api_key
    from app.core.engine.remote.endpoint_file import load_endpoints

    loaded = load_endpoints()
    return DictationEngine(local, loaded.book, saved_api_key), loaded.notice


def where_audio_goes(endpoint: Endpoint | None) -> str:
    """A phrase for the window and tray: where a dictation's audio is sent."""
    if endpoint is None:
        return ""
    return f"{endpoint.name} ({display_url(endpoint.url)})"


class DictationEngine:
    """Makes each dictation's transcriber: local, or through the active endpoint.

    Args:
        local: the local pipeline (partials, and the fallback final).
        book: the saved endpoints: the active one (none: local) and whether to fall back.
        api_key_of: the API key saved for an endpoint's name ("" for none).
    """

    def __init__(
        self,
        local: LivePipeline,
        book: EndpointBook | None = None,
        api_key_of: Callable[[Endpoint], str] = lambda _endpoint: "",
    ) -> None:
        self.local = local
        # Replaced whole from the GUI thread; read once per utterance.
        self.endpoint: Endpoint | None = None
        self.fallback = True
        self._api_key_of = api_key_of
        self._notices: list[str] = []
        self._last: tuple[RemoteFinal | None, Endpoint | None] = (None, None)  # for heard_by
        self._lock = threading.Lock()
        if book is not None:
            self.use(book)

    @property
    def where(self) -> str:
        """Where dictation audio goes now ("" while local)."""
        return where_audio_goes(self.endpoint)

    def use(self, book: EndpointBook) -> None:
        """Dictate through ``book``'s active endpoint from the next utterance on (none: local)."""
        self.endpoint = book.active_endpoint
        self.fallback = book.fallback
        log.info(
            "dictation engine: %s%s",
            self.where or "local",
            "" if self.fallback or not self.where else " (no local fallback)",
        )

    def warm_up(self) -> None:
        """Load the local model: it gives partials, and the final when the server fails."""
        self.local.warm_up()

    def new_transcriber(
        self,
        cancel: CancellationToken | None = None,
        *,
        language: str | None = None,
        vocabulary: tuple[str, ...] | None = None,
    ) -> LiveTranscriber:
        """The transcriber for one utterance (close a :class:`RemoteFinal` when done).

        ``language`` and ``vocabulary`` (a per-app profile's) go to the local model and,
        the language before the endpoint's own, to the server.
        """
        cancel = cancel or CancellationToken()
        local = self.local.new_transcriber(cancel, language=language, vocabulary=vocabulary)
        endpoint = self.endpoint
        self._last = (None, None)
        if endpoint is None:
            return local
        try:
            utterance = remote_utterance(
                endpoint.protocol,
                endpoint.url,
                endpoint.model,
                language or endpoint.language or None,
                endpoint.timeout_s,
                Path(endpoint.ca_file) if endpoint.ca_file else None,
                self._api_key_of(endpoint),
                vocabulary or (),
                fallback=self.fallback,
            )
        except RemoteEngineError as exc:  # its CA file is unusable: this one stays local
            self._fell_back(str(exc))
            return local
        remote = RemoteFinal(local, utterance, cancel, self._fell_back if self.fallback else None)
        self._last = (remote, endpoint)
        return remote

    def heard_by(self, local_model: str) -> str:
        """Who made the last final: ``local_model``, or the server's model and the endpoint.

        History keeps it: whether a text's audio left the machine is the user's to know.
        """
        remote, endpoint = self._last
        if remote is None or endpoint is None or remote.fell_back:
            return local_model
        return f"{endpoint.model or 'the default model'} on {endpoint.name}{HEARD_BY_SERVER}"

    def take_notice(self) -> str | None:
        """The latest fallback's sentence, once."""
        with self._lock:
            return self._notices.pop() if self._notices else None

    def _fell_back(self, message: str) -> None:
        with self._lock:
            self._notices[:] = [f"{message.rstrip('.')}{FELL_BACK}"]
