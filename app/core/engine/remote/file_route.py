"""Where a dropped file is transcribed: on the active endpoint, falling back to the local model.

The Files tab follows Settings → Engine as dictation does: while an endpoint
is active, each file goes to it (:func:`endpoint_file_engine`: the
OpenAI-compatible client's upload, or a Wyoming stream, whose transcript is
one segment). When the server fails, the endpoint book's fallback setting
decides, as for dictation: on, the local model transcribes the file and the
failure becomes a one-sentence notice; off, the file fails with that sentence
and stays in the queue. A file that cannot be decoded fails either way: no
engine could read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.remote.dictation_engine import where_audio_goes
from app.core.engine.remote.endpoint_book import Endpoint
from app.core.engine.remote.endpoint_check import endpoint_file_engine
from app.core.engine.remote.remote_errors import RemoteEngineError
from app.core.engine.transcript import Transcript


@dataclass(frozen=True)
class FileRoute:
    """The endpoint files go to, and whether the local model takes over when it fails."""

    endpoint: Endpoint
    fallback: bool = True

    @property
    def where(self) -> str:
        """The endpoint's name and URL, as the queue shows them."""
        return where_audio_goes(self.endpoint)


def fallback_notice(error: RemoteEngineError) -> str:
    """The sentence a file transcribed locally after ``error`` carries."""
    return f"{str(error).rstrip('.')}; this file was transcribed locally instead."


def transcribe_routed(
    route: FileRoute,
    path: Path,
    options: TranscribeOptions,
    *,
    local: Callable[[], Transcript],
    api_key: str = "",
    on_fallback: Callable[[str], None] | None = None,
    on_progress: Callable[[float], None] | None = None,
    cancel: CancellationToken | None = None,
) -> Transcript:
    """Transcribe ``path`` on ``route``'s endpoint; on its failure, with ``local()`` if allowed.

    Args:
        route: the endpoint and the fallback setting.
        path: the file.
        options: language and vocabulary go to the server; the local model gets them all.
        local: transcribes the file with the local model (the fallback).
        api_key: the endpoint's key ("" for none).
        on_fallback: told the notice sentence just before ``local()`` runs.
        on_progress: fraction done, as the engine reports it.
        cancel: stops the request (or the local fallback) with what was done.

    Raises:
        RemoteEngineError: the server failed and the fallback is off.
        AudioFileError: the file cannot be decoded.
    """
    try:
        engine = endpoint_file_engine(route.endpoint, api_key)
        return engine.transcribe_file(path, options, on_progress=on_progress, cancel=cancel)
    except RemoteEngineError as exc:
        if not route.fallback or (cancel is not None and cancel.cancelled):
            raise
        if on_fallback is not None:
            on_fallback(fallback_notice(exc))
        return local()
