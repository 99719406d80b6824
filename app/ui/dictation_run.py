"""One dictation's facts, owned in one place, and keeping its audio beside history."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.core.atomic_file import describe_os_error
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.wav_file import write_wav
from app.core.output.history import HistoryEntry, audio_dir
from app.core.text.live_shaping import LiveShaping
from app.core.text.shaper import TextShaper
from app.ui.journal_writer import DictationJournal
from app.ui.live_typist import LiveTypist


@dataclass
class DictationRun:
    """One dictation, from start to delivery: everything known about it, in one place.

    The controller makes one per dictation and drops it when the dictation ends;
    the session holds only the state machine (and the job id its guards check).
    What was shown and handed out for typing so far is asked of ``shaping``, what
    reached the focused application of ``live``.
    """

    job_id: int
    start: int  # ring position of the first sample, pre-roll included
    end: int | None = None
    started_at: float = field(default_factory=time.monotonic)
    # Shapes the events (spoken commands…) for the window and for type-as-I-speak.
    shaping: LiveShaping = field(default_factory=lambda: LiveShaping(TextShaper()))
    live: LiveTypist | None = None  # type-as-I-speak, once set up by start()
    delivery_id: int | None = None
    entry: HistoryEntry | None = None
    output: str = "focused_app"
    source: str = "window"  # who started it: window, hotkey, tray, command
    unsaved: bool = False  # history could not keep it: the clipboard does, after delivery


def keep_audio(
    run: DictationRun, end: int, journal: DictationJournal, ring: RingBuffer
) -> tuple[str | None, str | None]:
    """Save the dictation's audio beside history (for a retry): (path, problem for the user)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = audio_dir() / f"dictation-{stamp}-{run.job_id}.wav"
    if journal.keep_as(path) is not None:  # its journal holds it all, pre-roll included
        return str(path), None
    read = ring.read_since(run.start, max(0, end - run.start))
    try:
        write_wav(path, read.samples, SAMPLE_RATE)
    except OSError as exc:
        return None, f"The audio was not kept: {describe_os_error(exc)}."
    return str(path), None
