"""Transcribe a file of any length in bounded memory, with progress, pause and cancel.

The file is decoded in chunks and fed to the model in windows of a few minutes
cut at pauses (:mod:`app.core.engine.long_audio`), so a two-hour recording never
sits in memory as one array; segment times are shifted by each window's start,
and each window is conditioned on the tokens before it, as faster-whisper does
inside one call: the previous segments' token ids, timestamps included (a plain
text prompt made Whisper go on without timestamps and lose words at the clip
edges: 2.6 % of a 10-minute file's words). Only a window's first clip is so
prompted (decision 0050: prompted, tiny.en said a sentence twice and skipped the
20 s of speech after it). After each window the freed heap goes back to the OS,
so the next window's feature extraction reuses pages instead of the peak creeping
up with the file's length.
faster-whisper yields segments lazily, so between segments this module reports
the fraction of audio done, waits at the dictation gate (live dictation first),
and stops when the token is cancelled, keeping the segments already done (a
cancelled job can still be exported as partial). Stretches of 30 s or more without
speech are not decoded: tiny.en invents words in room noise, and prompted with
them it went on inventing over the speech that followed (decision 0047). Speech of
alike sentences is not taken for a decoder loop (:mod:`repetitive_clips`).
Batched mode (``batch_size > 0``) runs each window through faster-whisper's
``BatchedInferencePipeline`` for throughput on capable machines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, AudioFileReader
from app.core.engine.cancellation import CancellationToken
from app.core.engine.heard_in_silence import SilentWindowCheck
from app.core.engine.long_audio import (
    DEFAULT_SEARCH_S,
    DEFAULT_WINDOW_S,
    AudioWindow,
    audio_windows,
    checked_chunks,
)
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost, WhisperLike, WhisperSegmentLike
from app.core.engine.pause_gate import PauseGate
from app.core.engine.process_memory import release_freed_memory
from app.core.engine.repetitive_clips import RepetitionCheck
from app.core.engine.skipped_speech import SkippedSpeechCheck
from app.core.engine.transcript import Segment, Transcript
from app.core.engine.transcription_job import (
    ProgressCallback,
    SegmentCallback,
    TranscriptionJob,
)
from app.core.engine.unheard_speech import UNHEARD_SPEECH_S, unheard_speech_s
from app.core.engine.window_segments import take_segments, tell

log = logging.getLogger(__name__)


MAX_BATCH_SIZE = 32
_DECODE_CHUNK_S = 30.0
_BATCH_CHUNK_S = 30.0  # the batched pipeline cuts windows into clips of up to 30 s
_MAX_DECODES = 20  # of one window: each decode after the first starts further on


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings. Defaults equal faster-whisper's own.

    Attributes:
        language: language code, or None to detect it (from the first window).
        beam_size: beam search width.
        batch_size: 0 decodes sequentially; more runs that many 30 s clips per
            batch through faster-whisper's ``BatchedInferencePipeline``.
    """

    language: str | None = None
    beam_size: int = 5
    batch_size: int = 0
    vocabulary: tuple[str, ...] = ()  # faster-whisper's hotwords (docs/text-shaping.md)

    def __post_init__(self) -> None:
        if not 0 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be within 0..{MAX_BATCH_SIZE}: {self.batch_size}")


class FileTranscriber:
    """Runs files through the shared model, one at a time per call.

    Args:
        host: the model host shared with live dictation.
        window_s: longest stretch of audio handed to the model at once.
        search_s: each window is cut at a pause within its last ``search_s`` seconds.
    """

    def __init__(
        self,
        host: ModelHost,
        *,
        window_s: float = DEFAULT_WINDOW_S,
        search_s: float = DEFAULT_SEARCH_S,
    ) -> None:
        self._host = host
        self.window_s = window_s
        self.search_s = search_s

    def transcribe_file(
        self,
        path: Path,
        options: TranscribeOptions | None = None,
        *,
        on_segment: SegmentCallback | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancellationToken | None = None,
        gate: PauseGate | None = None,
    ) -> Transcript:
        """Decode and transcribe one file, window by window.

        Args:
            path: any audio or video file PyAV can decode.
            options: decoding settings.
            on_segment: receives each segment as it is done, with file times.
            on_progress: receives the fraction of the file done; it only rises,
                and reaches exactly 1.0 when (and only when) the job completes.
            cancel: stops the job at the next segment; the result then holds the
                segments done so far and ``complete=False``.
            gate: while closed (a dictation runs), the job waits between segments.

        Raises:
            AudioFileError: the file cannot be decoded (missing, empty, not media,
                no audio track, truncated); a truncation shows only at the end.
            ModelError: the model cannot be loaded or cannot do what was asked.
        """
        started = time.perf_counter()
        options = options or TranscribeOptions()
        self._check_language(options.language)
        reader = AudioFileReader(path, chunk_seconds=_DECODE_CHUNK_S)

        def total_s() -> float | None:
            return reader.declared_seconds or None

        job = TranscriptionJob(on_segment, on_progress, cancel, gate, total_s)
        cut: list[str] = []
        windows = audio_windows(checked_chunks(reader, cut), *self._window(options))
        transcript = self._run(windows, options, job, source=str(path), started=started)
        # A compressed file cut short (a download or recording that stopped) is transcribed
        # as far as it goes, as a cut WAV is (whose own warning names the cut).
        return replace(transcript, cut_short=cut[0]) if cut and cut[0] else transcript

    def transcribe_audio(
        self,
        audio: AudioArray,
        options: TranscribeOptions | None = None,
        *,
        on_segment: SegmentCallback | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancellationToken | None = None,
        gate: PauseGate | None = None,
        source: str = "",
        started: float | None = None,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 samples already in memory; see :meth:`transcribe_file`."""
        started = time.perf_counter() if started is None else started
        options = options or TranscribeOptions()
        self._check_language(options.language)
        duration = len(audio) / SAMPLE_RATE
        job = TranscriptionJob(on_segment, on_progress, cancel, gate, lambda: duration)
        windows = audio_windows([audio], *self._window(options))
        return self._run(windows, options, job, source=source, started=started)

    def _window(self, options: TranscribeOptions) -> tuple[float, float]:
        # A batch needs batch_size clips of audio to fill it.
        return max(self.window_s, _BATCH_CHUNK_S * options.batch_size), self.search_s

    def _run(
        self,
        windows: Iterator[AudioWindow],
        options: TranscribeOptions,
        job: TranscriptionJob,
        *,
        source: str,
        started: float,
    ) -> Transcript:
        segments: list[Segment] = []
        language = options.language
        detected: str | None = None
        decoded_s = 0.0
        complete = True
        for window in windows:
            decoded_s = window.end_s
            if not job.may_continue():
                complete = False
                break
            taken, info_language = self._transcribe_window(window, options, language, job, segments)
            if detected is None and info_language is not None:
                detected = info_language
                language = language or info_language  # later windows keep the first's language
            del window  # the window's audio and features may go now
            release_freed_memory()
            if not taken:
                complete = False
                break
            job.progress(decoded_s)
        if complete:
            job.progress(decoded_s, complete=True)
        total = job.total_s()
        duration = decoded_s if complete or not total else max(decoded_s, total)
        return Transcript(
            text=" ".join(s.text for s in segments if s.text).strip(),
            segments=tuple(segments),
            language=detected or language or "",
            duration=duration,
            model_name=self._host.source.name,
            elapsed_s=time.perf_counter() - started,
            complete=complete,
            source=source,
        )

    def _transcribe_window(
        self,
        window: AudioWindow,
        options: TranscribeOptions,
        language: str | None,
        job: TranscriptionJob,
        segments: list[Segment],
    ) -> tuple[bool, str | None]:
        """Add one window's segments; False when the job was cancelled. Also the language.

        Heard with the Special words, a window whose speech the segments leave out is
        heard again without them, and the decode that leaves out less is kept (0064).
        """
        first, context = len(segments), job.context
        streamed = not options.vocabulary  # else held until the window's decode is chosen
        taken, found = self._hear_window(
            window, options, language, job, segments, streamed=streamed
        )
        if taken and options.vocabulary:
            stretches = SilentWindowCheck(window.samples).speech_stretches(
                0.0, window.end_s - window.start_s
            )
            prompted = unheard_speech_s(segments[first:], stretches, window.start_s)
            if prompted >= UNHEARD_SPEECH_S:
                kept, job.context = segments[first:], context
                del segments[first:]
                plain = replace(options, vocabulary=())
                taken, _ = self._hear_window(window, plain, language, job, segments, streamed=False)
                unheard = unheard_speech_s(segments[first:], stretches, window.start_s)
                log.info(
                    "unheard speech: %.1f s with Special words, %.1f s without", prompted, unheard
                )
                if taken and unheard >= prompted:
                    segments[first:] = kept
        for segment in [] if streamed else segments[first:]:
            tell(job, segment)
        return taken, found

    def _hear_window(
        self,
        window: AudioWindow,
        options: TranscribeOptions,
        language: str | None,
        job: TranscriptionJob,
        segments: list[Segment],
        *,
        streamed: bool,
    ) -> tuple[bool, str | None]:
        """One decode of the window (and of what it skipped) into ``segments``.

        Decoded first without faster-whisper's repetition check; from a clip whose
        decoder looped on, the rest of the window is decoded again with it (0056). From
        speech a segment's times ran over without its words, the rest is decoded again
        too (0059).
        """
        info_language: str | None = None
        check_repetition, said_before = False, ""
        batched = options.batch_size > 0  # no temperature fallback there: nothing to check
        for _again in range(_MAX_DECODES):
            silence = SilentWindowCheck(window.samples)
            raw_segments, found = self._decode(
                window.samples, options, language, job, silence, check_repetition=check_repetition
            )
            info_language = info_language or found
            loops = RepetitionCheck(raw_segments)
            source = raw_segments if batched or check_repetition else loops
            skips = SkippedSpeechCheck(source, silence.speech_stretches, said_before)
            if not take_segments(skips, window, job, segments, silence, streamed=streamed):
                return False, info_language
            resume = loops.looped_at if loops.looped_at is not None else skips.resume_at
            if resume is None:
                break
            said_before = skips.said
            if loops.looped_at is not None:
                log.info("the decoder looped at %.1f s: decoded again from there", resume)
                check_repetition = True
            first = round(resume * SAMPLE_RATE)
            window = AudioWindow(window.start_s + resume, window.samples[first:], window.last)
        return True, info_language

    def _decode(
        self,
        samples: AudioArray,
        options: TranscribeOptions,
        language: str | None,
        job: TranscriptionJob,
        silence: SilentWindowCheck,
        *,
        check_repetition: bool = True,
    ) -> tuple[Iterable[WhisperSegmentLike], str | None]:
        """Start decoding one window; the segments come lazily as they are iterated.

        The language is None when nothing was decoded (a window without speech).
        """
        model = self._host.get()
        kwargs: dict[str, Any] = {"language": language, "beam_size": options.beam_size}
        if options.vocabulary:  # names and jargon, decoded as the user spells them
            kwargs["hotwords"] = ", ".join(options.vocabulary)
        if options.batch_size > 0:
            runner: WhisperLike = _batched(model)
            kwargs["batch_size"] = options.batch_size
        else:
            runner = model
            # Under the vocabulary's prompt tiny.en may give a window no inner timestamps
            # and stop early: without word times the rest of the window is skipped (51 of
            # 129 words lost), with them the next window starts after the last word heard.
            kwargs["word_timestamps"] = bool(options.vocabulary)
            if job.context:  # carry the context over the cut, as one long call would
                kwargs["initial_prompt"] = list(job.context)
            # ...into the window's first clip only: so prompted, the next clips repeated the
            # sentence before them and lost their own (decision 0050). Under the Special
            # words' prompt, clips without the text before them ended early and the seek
            # skipped sentences: there the text before still prompts each clip.
            kwargs["condition_on_previous_text"] = bool(options.vocabulary)
            # The batched pipeline skips audio without speech itself (its own VAD).
            clips = silence.speech_clips()
            if not clips:
                log.info("no speech in %.0f s of audio: not decoded", len(samples) / SAMPLE_RATE)
                return [], None
            kwargs["clip_timestamps"] = clips
            if not check_repetition:  # RepetitionCheck looks for loops instead
                kwargs["compression_ratio_threshold"] = None
        raw_segments, info = runner.transcribe(samples, **kwargs)
        return raw_segments, str(info.language)

    def _check_language(self, language: str | None) -> None:
        if language and language != "en" and self._host.source.english_only:
            raise ModelError(
                f"Model '{self._host.source.name}' understands English only and cannot "
                f"transcribe language '{language}'; choose a multilingual model such as 'small'."
            )


def _batched(model: WhisperLike) -> WhisperLike:
    from faster_whisper import BatchedInferencePipeline

    # One pipeline per window: it keeps per-call state (last_speech_timestamp).
    pipeline: WhisperLike = BatchedInferencePipeline(model=model)
    return pipeline
