"""The one interface file transcription runs through, whatever engine is behind it.

The local :class:`~app.core.engine.file_transcriber.FileTranscriber` and the
remote :class:`~app.core.engine.remote.openai_engine.OpenAITranscriber` both
satisfy it, so ``saytype transcribe`` (and later the Files tab) picks an engine
once and treats the result the same way: shaping, exports, exit status.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from app.core.engine.cancellation import CancellationToken
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.transcript import Transcript


class FileEngine(Protocol):
    """Transcribes one file into a :class:`Transcript` with timed segments."""

    def transcribe_file(
        self,
        path: Path,
        options: TranscribeOptions | None = None,
        *,
        on_progress: Callable[[float], None] | None = None,
        cancel: CancellationToken | None = None,
    ) -> Transcript:
        """Transcribe ``path``; see :meth:`FileTranscriber.transcribe_file`.

        Raises:
            AudioFileError: the file cannot be decoded.
            ModelError: the local model cannot be loaded.
            RemoteEngineError: the remote server failed or refused the request.

        A cancelled job returns what was done with ``complete=False``.
        """
        ...
