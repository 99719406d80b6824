"""Transcribe a whole file (or a decoded clip) with progress and cooperative cancel.

faster-whisper yields segments lazily, so this module can report the fraction of
audio processed after every segment and stop between segments when the token is
cancelled, keeping the segments already done (a cancelled job can still be
exported as partial).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, decode_file
from app.core.engine.cancellation import CancellationToken
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.transcript import Segment, Transcript

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]
SegmentCallback = Callable[[Segment], None]


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings. Defaults equal faster-whisper's own."""

    language: str | None = None
    beam_size: int = 5


class FileTranscriber:
    """Runs files through the shared model, one at a time per call."""

    def __init__(self, host: ModelHost) -> None:
        self._host = host

    def transcribe_file(
        self,
        path: Path,
        options: TranscribeOptions | None = None,
        *,
        on_segment: SegmentCallback | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancellationToken | None = None,
    ) -> Transcript:
        """Decode and transcribe one file.

        Raises:
            AudioFileError: the file cannot be decoded.
            ModelError: the model cannot be loaded or cannot do what was asked.
        """
        started = time.perf_counter()
        audio = decode_file(path).samples
        return self.transcribe_audio(
            audio,
            options,
            on_segment=on_segment,
            on_progress=on_progress,
            cancel=cancel,
            source=str(path),
            started=started,
        )

    def transcribe_audio(
        self,
        audio: AudioArray,
        options: TranscribeOptions | None = None,
        *,
        on_segment: SegmentCallback | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancellationToken | None = None,
        source: str = "",
        started: float | None = None,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 samples; see :meth:`transcribe_file`."""
        started = time.perf_counter() if started is None else started
        options = options or TranscribeOptions()
        self._check_language(options.language)
        model = self._host.get()
        duration = len(audio) / SAMPLE_RATE
        raw_segments, info = model.transcribe(
            audio, language=options.language, beam_size=options.beam_size
        )
        segments: list[Segment] = []
        complete = True
        for raw in raw_segments:
            segment = Segment(start=float(raw.start), end=float(raw.end), text=raw.text.strip())
            segments.append(segment)
            if on_segment is not None:
                on_segment(segment)
            if on_progress is not None and duration > 0:
                on_progress(min(1.0, segment.end / duration))
            if cancel is not None and cancel.cancelled:
                complete = False
                break
        if complete and on_progress is not None:
            on_progress(1.0)
        return Transcript(
            text=" ".join(s.text for s in segments if s.text).strip(),
            segments=tuple(segments),
            language=info.language,
            duration=duration,
            model_name=self._host.source.name,
            elapsed_s=time.perf_counter() - started,
            complete=complete,
            source=source,
        )

    def _check_language(self, language: str | None) -> None:
        if language and language != "en" and self._host.source.english_only:
            raise ModelError(
                f"Model '{self._host.source.name}' understands English only and cannot "
                f"transcribe language '{language}'; choose a multilingual model such as 'small'."
            )
