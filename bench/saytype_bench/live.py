"""Live dictation latency: release → final text, partial cadence, commit lag and cancel.

Each utterance runs through the pipeline ``saytype listen --push-to-talk``
runs: a FileSource writes microphone-sized blocks into the ring buffer at real
time from a thread, :func:`run_dictation` drives a fresh StreamingTranscriber on
this thread, and the key is released as soon as the last block is written (no
trailing silence: the worst case for latency). The baseline is whisper-writer's
way: after release, faster-whisper transcribes the whole clip with beam 5. One
loaded model serves both, warmed up before any timing. Figures are printed next
to their goals; nothing passes or fails. The cancel trials run through the
app's own inference worker (:mod:`saytype_bench.live_cancel`).
"""

from __future__ import annotations

import difflib
import itertools
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.file_source import MIC_BLOCK_SAMPLES, FileSource
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.local_agreement import word_key
from app.core.engine.model_host import ModelHost, WhisperLike
from app.core.engine.streaming_options import StreamingOptions
from app.core.text.live_shaping import LiveShaping
from app.core.text.shaper import ShapingOptions, TextShaper
from saytype_bench.live_cancel import CancelTrial, run_cancel_trials
from saytype_bench.live_utterances import Utterance

log = logging.getLogger(__name__)

NAIVE_BEAM_SIZE = 5
PAUSE_BEFORE_RELEASE_S = 0.5
# Informational goals: (figure, limit, True when higher is better).


@dataclass
class DictationTrace:
    """What one live dictation did, in wall seconds (``time.perf_counter``)."""

    final_text: str | None = None
    fed_at: float | None = None  # the last block was written: the key release
    final_at: float | None = None
    partial_at: list[float] = field(default_factory=list)
    commit_lags_s: list[float] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)  # each commit event's words

    @property
    def committed_text(self) -> str:
        """Every commit joined: what type-as-I-speak types while the key is held."""
        return "".join(self.commits)

    @property
    def typed_text(self) -> str | None:
        """What type-as-I-speak leaves in the app when words went out as they settled (toggle).

        Hold-to-talk types the final instead (decision 0017); this is the commits, then the
        final's rest.

        Typed words are never taken back, so the window's rule
        (:meth:`LiveShaping.final` with ``typed_live``) joins the final to them;
        shaping is off so the words are compared as heard.
        """
        if self.final_text is None:
            return None
        neutral = ShapingOptions(spoken_commands=False, replacements=(), capitalize_first=False)
        shaping = LiveShaping(TextShaper(neutral))
        for words in self.commits:
            shaping.commit(words)
        return shaping.final(self.final_text, typed_live=True).shown

    @property
    def commit_words_differing(self) -> int | None:
        """Committed words the final does not say, aligned word by word (None: no final).

        Type-as-I-speak types the commits and never takes them back, so every one
        of these is a word the focused app shows that history's final does not
        (one extra word counts once, not as a shift of every word after it).
        """
        return self._words_differing(lambda word: word)

    @property
    def commit_words_differing_in_words(self) -> int | None:
        """As :attr:`commit_words_differing`, case and punctuation aside ("classes" = "classes,").

        Tells the words the final heard differently from the commits' form, which
        depends on what followed a word when it was committed.
        """
        return self._words_differing(word_key)

    def _words_differing(self, key: Callable[[str], str]) -> int | None:
        if self.final_text is None:
            return None
        committed = [key(word) for word in self.committed_text.split()]
        final = [key(word) for word in self.final_text.split()]
        matcher = difflib.SequenceMatcher(a=committed, b=final, autojunk=False)
        return len(committed) - sum(block.size for block in matcher.get_matching_blocks())

    @property
    def release_to_final_s(self) -> float | None:
        """Key release to final text."""
        if self.fed_at is None or self.final_at is None:
            return None
        return self.final_at - self.fed_at

    @property
    def partial_intervals_s(self) -> list[float]:
        """Gaps between consecutive partial events while audio was being fed."""
        fed = self.fed_at if self.fed_at is not None else math.inf
        times = [t for t in self.partial_at if t <= fed]
        return [b - a for a, b in itertools.pairwise(times)]


def dictate(pipeline: LivePipeline, audio: AudioArray, *, speed: float = 1.0) -> DictationTrace:
    """Dictate ``audio`` as push-to-talk does: the key is let go where the audio ends."""
    trace = DictationTrace()
    ring = RingBuffer(capacity_seconds=len(audio) / SAMPLE_RATE + 30.0)
    new_audio = threading.Event()
    release = Release()
    cancel = CancellationToken()  # never set: the cancel trials run through the worker
    done = threading.Event()
    source = FileSource(Path("<benchmark>"), ring, speed=speed, on_block=new_audio.set)
    transcriber = pipeline.new_transcriber(cancel)
    committed = 0

    def feed() -> None:
        source.feed_samples(audio)
        if done.is_set():
            return
        trace.fed_at = time.perf_counter()
        release.release(ring.position)
        new_audio.set()

    def emit(event: DictationEvent) -> None:
        nonlocal committed
        now = time.perf_counter()
        if event.kind == "partial":
            trace.partial_at.append(now)
        elif event.kind == "commit":
            trace.commits.append(event.text)
            # Audio time t was written at wall time started_at + t / speed.
            started = source.started_at if source.started_at is not None else now
            if speed > 0:
                trace.commit_lags_s += [
                    now - (started + word.end / speed) for word in transcriber.committed[committed:]
                ]
            committed = len(transcriber.committed)
        else:
            trace.final_at = now
            trace.final_text = event.text

    feeder = threading.Thread(target=feed, name="bench-feed", daemon=True)
    feeder.start()
    try:
        run_dictation(ring, 0, transcriber, release, cancel, emit, new_audio)
    finally:
        done.set()
        source.stop()
        feeder.join()
    return trace


# A busy machine's schedule (``--schedule``): blocks of audio that arrive while a pass
# runs, drawn per pass (a block is 0.1 s), and the share of idle moments it has time for.
_BUSY_PASS_BLOCKS = (0, 0, 1, 2, 3, 5)
_BUSY_IDLE_SHARE = 0.7


def replay(
    pipeline: LivePipeline, audio: AudioArray, schedule: int | None = None
) -> DictationTrace:
    """Dictate ``audio`` with no clock: a pass every ``step_s`` of audio, idle work; the final.

    The passes see the same audio whatever the machine is doing, so two engine
    variants compare word for word. Idle work follows every block of audio, as
    the live loop does it whenever no pass is due (in a pause, too: decision
    0021). Only the final's own cost is timed (its release is the moment the
    last block is pushed); cadence and lag are not. ``schedule`` seeds a busy
    machine's timing instead: audio keeps arriving while a pass runs, and some
    idle moments go by unused. Faults that only a 1x run showed (where passes
    landed decides where the buffer is cut) come back the same for each seed.
    """
    trace = DictationTrace()
    transcriber = pipeline.new_transcriber()
    busy = None if schedule is None else random.Random(schedule)
    running = 0  # blocks still to arrive before the running pass ends
    for start in range(0, len(audio), MIC_BLOCK_SAMPLES):
        transcriber.push(audio[start : start + MIC_BLOCK_SAMPLES])
        if running > 0:
            running -= 1
            continue
        if transcriber.pass_due():
            trace.commits += [e.text for e in transcriber.run_pass() if e.kind == "commit"]
            running = 0 if busy is None else busy.choice(_BUSY_PASS_BLOCKS)
        if running == 0 and (busy is None or busy.random() < _BUSY_IDLE_SHARE):
            transcriber.work_while_idle()  # the live loop's idle time, in speech and in pauses
    trace.fed_at = time.perf_counter()
    trace.final_text = transcriber.finish().text
    trace.final_at = time.perf_counter()
    return trace


def naive_transcribe(model: WhisperLike, audio: AudioArray) -> tuple[str, float]:
    """whisper-writer's dictation: transcribe the whole clip after release; (text, seconds)."""
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, beam_size=NAIVE_BEAM_SIZE)
    text = " ".join(segment.text.strip() for segment in segments)
    return text.strip(), time.perf_counter() - started


@dataclass(frozen=True)
class UtteranceRun:
    """One utterance: the live dictation, the naive baseline and ``saytype transcribe``."""

    utterance: Utterance
    live: DictationTrace
    naive_text: str
    naive_s: float
    transcribe_text: str
    paused: DictationTrace | None = None


@dataclass(frozen=True)
class LiveResult:
    """Everything measured in one run of the benchmark."""

    runs: list[UtteranceRun]
    cancels: list[CancelTrial]
    speed: float
    setup_s: float
    elapsed_s: float


def run_live_benchmark(
    host: ModelHost,
    utterances: Sequence[Utterance],
    *,
    speed: float = 1.0,
    cancels: int = 20,
    seed: int = 0,
    pause_variant: bool = False,
    progress: Callable[[str], None] | None = None,
    options: StreamingOptions | None = None,
    replayed: bool = False,
    schedule: int | None = None,
) -> LiveResult:
    """Dictate every utterance, run both baselines on it, then the cancel trials.

    Args:
        host: the one model host used by every side.
        utterances: what to dictate (see :mod:`saytype_bench.live_utterances`).
        speed: feeding pace as a multiple of real time; latencies mean something at 1.
        cancels: dictations cancelled at random points (each bucket in turn).
        seed: seeds the cancel points.
        pause_variant: also dictate each utterance with 0.5 s of silence before release.
        progress: receives one line per step.
        options: the live loop's tuning (default: the app's), to measure a change.
        replayed: dictate with :func:`replay` (no clock) instead of at ``speed``.
        schedule: with ``replayed``, the seed of a busy machine's pass schedule.
    """
    report = progress or (lambda _line: None)
    started = time.perf_counter()
    report(f"Loading model {host.source.name} and the VAD, warming up…")
    pipeline = LivePipeline(host, options=options)
    pipeline.warm_up()
    model = host.get()
    files = FileTranscriber(host)
    warm = min(utterances, key=lambda u: u.duration_s).audio
    dictate(pipeline, warm, speed=0)
    naive_transcribe(model, warm)
    files.transcribe_audio(warm, TranscribeOptions())
    setup_s = time.perf_counter() - started
    pause = np.zeros(int(PAUSE_BEFORE_RELEASE_S * SAMPLE_RATE), dtype=np.float32)
    runs: list[UtteranceRun] = []
    for index, utterance in enumerate(utterances, 1):
        report(
            f"[{index}/{len(utterances)}] {utterance.target_s} s bucket: "
            f"{utterance.utterance_id} ({utterance.duration_s:.1f} s)"
        )
        if replayed:
            live = replay(pipeline, utterance.audio, schedule)
        else:
            live = dictate(pipeline, utterance.audio, speed=speed)
        naive_text, naive_s = naive_transcribe(model, utterance.audio)
        transcribed = files.transcribe_audio(utterance.audio, TranscribeOptions()).text
        paused = None
        if pause_variant:
            paused = dictate(pipeline, np.concatenate([utterance.audio, pause]), speed=speed)
        runs.append(UtteranceRun(utterance, live, naive_text, naive_s, transcribed, paused))
    in_turn = _across_buckets(utterances)
    trials = run_cancel_trials(
        pipeline, in_turn, cancels=cancels, seed=seed, speed=speed, report=report
    )
    return LiveResult(runs, trials, speed, setup_s, time.perf_counter() - started)


def _across_buckets(utterances: Sequence[Utterance]) -> list[Utterance]:
    """The utterances reordered to take each bucket in turn: 3, 10, 20, 30, 3, 10, …"""
    rank: dict[int, int] = {}
    keyed: list[tuple[int, int, int]] = []
    for index, utterance in enumerate(utterances):
        rank[utterance.target_s] = rank.get(utterance.target_s, -1) + 1
        keyed.append((rank[utterance.target_s], utterance.target_s, index))
    return [utterances[index] for *_, index in sorted(keyed)]


# -- figures -------------------------------------------------------------------------------
