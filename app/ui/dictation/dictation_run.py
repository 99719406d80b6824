"""One dictation's facts, owned in one place, and saving it to history with its audio.

Saving runs on the history's lane, never on the GUI thread: the crash journal is
moved beside the history (in the journal's own lane) and the entry written there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from app.core.atomic_file import describe_os_error
from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.wav_file import write_wav
from app.core.engine.dictation_job import Decoding
from app.core.output.history import HistoryEntry, HistoryStore, audio_dir
from app.core.output.text_delivery import WindowPin
from app.core.profiles.profile import DictationProfile
from app.core.text.live_shaping import LiveShaping
from app.core.text.shaper import TextShaper
from app.ui.dictation.journal_writer import DictationJournal
from app.ui.dictation.live_typist import LiveTypist

# `saytype start`: what a desktop's key binding runs when a key goes down (and `saytype
# stop` when it comes up), so it is held to talk like the hotkey; `toggle` is a tap.
START_COMMAND = "start-command"
HELD_SOURCES = frozenset({"hotkey", START_COMMAND})


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
    decoding: Decoding = field(default_factory=Decoding)  # the job's, made with the profile
    # The profile of the window focused at the start; None until the chooser answers.
    profile: DictationProfile | None = None
    # Commits and the final that came before the profile: (kind, text), shaped once it is known.
    waiting: list[tuple[str, str]] = field(default_factory=list)
    after_id: int | None = None  # the request pressing the profile's keys after the text
    how: str = ""  # how the text went in, while the keys after it are pressed
    entry: HistoryEntry | None = None
    final_saving: bool = False  # the final was handed to history (its entry may not be back)
    output: str = "focused_app"  # or window, clipboard; withheld: Esc kept it from typing
    source: str = "window"  # who started it: window, hotkey, tray, command, START_COMMAND
    unsaved: bool = False  # history could not keep it: the clipboard does, after delivery
    # Held down from start to finish: the text is for the window the keys were held in.
    held_to_talk: bool = False
    target: WindowPin | None = None  # the window the final text went into, for the keys after
    cut_short: bool = False  # the microphone stopped it: no Enter after words cut off
    sound_lost: bool = False  # sound never arrived while it listened: words may be missing

    def use_profile(self, profile: DictationProfile) -> list[tuple[str, str]]:
        """Decode and shape as ``profile`` says; return the words that came before it."""
        self.profile = profile
        self.decoding.choose(profile.language, profile.vocabulary)
        self.shaping = LiveShaping(TextShaper(profile.shaping_options()))
        waiting, self.waiting = self.waiting, []
        return waiting


@dataclass
class DictationRequest:
    """A start asked for: the ring position it begins at, where its text goes, who asked.

    One asked for while the last dictation is still finishing or being delivered
    begins once that one is done, from the position of the request, so the words
    said meanwhile are kept; a stop before then is kept as its ``end``.
    ``on_mic`` is told once the microphone records for it: None, or why it cannot.
    """

    start: int
    output: str | None
    source: str
    end: int | None = None
    on_mic: Callable[[str | None], object] | None = None


@dataclass(frozen=True)
class KeptAudio:
    """Where a dictation's audio is to be kept, and the journal's answer (still to come)."""

    target: Path
    journal: Future[Path | None]  # the crash journal moved there (None: it could not)
    ring: RingBuffer  # the fallback: the ring still holds the dictation


def keep_audio_as(
    run: DictationRun, journal: DictationJournal, ring: RingBuffer, wanted: bool
) -> KeptAudio | None:
    """GUI thread: ask the journal (in its own lane) to become the kept audio, when ``wanted``."""
    if not wanted:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = audio_dir() / f"dictation-{stamp}-{run.job_id}.wav"
    return KeptAudio(target, journal.keep_as(target), ring)


def save_dictation(
    history: HistoryStore,
    run: DictationRun,
    text: str,
    end: int,
    model: str,
    *,
    kept: KeptAudio | None,
    delivered_to: str | None = None,
) -> tuple[HistoryEntry, str | None]:
    """History lane: keep the audio (when asked), then add the entry; (entry, problem).

    The problem, when there is one, is a sentence for the user: the audio was not kept.
    """
    audio_path, problem = (None, None) if kept is None else _keep_audio(run, end, kept)
    profile = run.profile.name if run.profile is not None else None
    entry = history.add(
        text,
        (end - run.start) / SAMPLE_RATE,
        model,
        audio_path,
        profile=profile,
        delivered_to=delivered_to,
    )
    return entry, problem


def _keep_audio(run: DictationRun, end: int, kept: KeptAudio) -> tuple[str | None, str | None]:
    if kept.journal.result() is not None:  # its journal holds it all, pre-roll included
        return str(kept.target), None
    read = kept.ring.read_since(run.start, max(0, end - run.start))
    try:
        write_wav(kept.target, read.samples, SAMPLE_RATE)
    except OSError as exc:
        return None, f"The audio was not kept: {describe_os_error(exc)}."
    return str(kept.target), None
