"""Utterances of about 3, 10, 20 and 30 s for the live dictation benchmark.

Real speech comes from the shared corpus (``../shared/speech``). When it is
absent, hibari-tts reads built-in sentences, so the benchmark still runs
wherever the test extra is installed. Longer utterances are consecutive clips
joined by short silences, the way a person dictates sentence after sentence.
The choice is deterministic, so that runs compare.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.benchmarks.speech_corpus import CorpusMissingError, find_speech_dir, load_corpus
from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray, decode_file
from app.core.audio.wav_file import write_wav

log = logging.getLogger(__name__)

GAP_S = 0.6  # silence between joined clips
DEFAULT_BUCKETS = (3, 10, 20, 30)
# Short buckets take single clips in these windows; others take target ± 3 s.
_WINDOWS = {3: (1.5, 5.0), 10: (8.0, 12.0)}
_SLACK_S = 3.0

BUILT_IN_SENTENCES = (
    "Call me when you get home.",
    "I am writing to confirm our meeting on Thursday afternoon.",
    "Please bring the latest sales figures and the new contract.",
    "If anything changes, send me a message before noon.",
    "The train was late again, so I missed the first half of the presentation.",
    "Thanks for the quick reply.",
    "We should order more paper for the printer on the second floor.",
    "My flight lands at seven thirty, and I will take a taxi straight to the hotel.",
    "Could you check whether the invoice was paid last week?",
    "The garden needs water every evening while the weather stays this warm.",
    "Let us move the review to Monday morning.",
    "She said the new library opens in the spring with a larger reading room.",
    "Remember to buy milk, bread and a dozen eggs on the way back.",
    "The report is almost finished, but the charts still need a little work.",
    "I will be working from home tomorrow.",
    "Our team won the match by two goals in the last ten minutes.",
    "Please keep the receipts for every expense over twenty dollars.",
    "The children are going to visit their grandparents over the holidays.",
    "Turn left at the bakery and the office is the third door on the right.",
    "Happy birthday, and I hope you have a wonderful day.",
)


@dataclass(frozen=True)
class Clip:
    """One recording (16 kHz mono float32) and what was said in it."""

    clip_id: str
    audio: AudioArray
    reference: str

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.audio) / SAMPLE_RATE


@dataclass(frozen=True)
class Utterance:
    """What one dictation feeds: one clip or consecutive clips joined by silence."""

    utterance_id: str
    target_s: int
    clip_ids: tuple[str, ...]
    audio: AudioArray
    reference: str

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.audio) / SAMPLE_RATE


def load_clips(speech_dir: Path | None = None) -> tuple[list[Clip], str]:
    """Clips of the shared corpus, or synthesised ones when no corpus is found.

    An explicit ``speech_dir`` must exist. Returns the clips and a description of
    their source for the report.

    Raises:
        CorpusMissingError: ``speech_dir`` was given and holds no manifest.
        ImportError: the corpus is absent and hibari-tts is not installed.
    """
    try:
        found = find_speech_dir(speech_dir)
    except CorpusMissingError:
        if speech_dir is not None:
            raise
        log.info("speech corpus absent: synthesising the built-in sentences")
        return synthesised_clips(), "hibari-tts speech of built-in sentences (corpus absent)"
    clips = [
        Clip(item.item_id, decode_file(item.path).samples, item.reference)
        for item in load_corpus(found)
    ]
    return clips, f"speech corpus {found}"


def synthesised_clips(
    sentences: Sequence[str] = BUILT_IN_SENTENCES,
    speeds: Sequence[float] | None = None,
    prefix: str = "hibari",
) -> list[Clip]:
    """Read ``sentences`` aloud with hibari-tts, resampled to 16 kHz by the app's decoder.

    ``speeds`` gives each sentence's speaking rate (default: hibari's own).
    """
    from hibari import Hibari

    tts = Hibari()  # default voice: in the wheel, no download
    rate = int(tts.sample_rate)
    clips: list[Clip] = []
    with tempfile.TemporaryDirectory(prefix="saytype-bench-") as folder:
        for index, sentence in enumerate(sentences):
            speed = 1.0 if speeds is None else speeds[index]
            audio = np.asarray(tts(sentence, speed=speed, seed=0), dtype=np.float32)
            path = Path(folder) / f"{index}.wav"
            write_wav(path, audio, rate)
            clips.append(Clip(f"{prefix}_{index:02d}", decode_file(path).samples, sentence))
    return clips


def dictation_clips() -> list[Clip]:
    """The hibari-tts dictation corpus (:mod:`app.benchmarks.dictation_sentences`)."""
    from app.benchmarks.dictation_sentences import DICTATION_SENTENCES, speeds_for

    return synthesised_clips(
        DICTATION_SENTENCES, speeds_for(DICTATION_SENTENCES), prefix="dictation"
    )


def one_per_clip(clips: Sequence[Clip]) -> list[Utterance]:
    """Each recording dictated once, the way people use dictation: one hold per utterance.

    ``target_s`` is the nearest of the bucket lengths, so figures still group by length.
    """
    return [
        Utterance(
            utterance_id=clip.clip_id,
            target_s=min(DEFAULT_BUCKETS, key=lambda target: abs(target - clip.duration_s)),
            clip_ids=(clip.clip_id,),
            audio=clip.audio,
            reference=clip.reference,
        )
        for clip in clips
    ]


def bucket_window(target_s: int) -> tuple[float, float]:
    """Shortest and longest utterance accepted for a bucket."""
    return _WINDOWS.get(target_s, (max(0.5, target_s - _SLACK_S), target_s + _SLACK_S))


def build_utterances(
    clips: Sequence[Clip], targets: Sequence[int], per_bucket: int
) -> list[Utterance]:
    """Up to ``per_bucket`` utterances per target length, deterministically.

    Candidates are runs of consecutive clips, grown until they reach the
    bucket's window; single clips rank first, then closeness to the target.
    Runs sharing no clip are preferred within a bucket.

    Raises:
        ValueError: no clip or run of clips fits a bucket.
    """
    utterances: list[Utterance] = []
    for target in targets:
        low, high = bucket_window(target)
        runs = _candidate_runs(clips, low, high)
        if not runs:
            raise ValueError(
                f"no clip or run of clips lasts {low:g}-{high:g} s for the {target} s bucket"
            )
        for start, stop in _choose(runs, clips, target, per_bucket):
            utterances.append(_join(clips[start:stop], target))
    return utterances


def _run_seconds(clips: Sequence[Clip]) -> float:
    return sum(clip.duration_s for clip in clips) + GAP_S * (len(clips) - 1)


def _candidate_runs(clips: Sequence[Clip], low: float, high: float) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for start in range(len(clips)):
        for stop in range(start + 1, len(clips) + 1):
            seconds = _run_seconds(clips[start:stop])
            if seconds >= low:
                if seconds <= high:
                    runs.append((start, stop))
                break
    return runs


def _choose(
    runs: list[tuple[int, int]], clips: Sequence[Clip], target: int, count: int
) -> list[tuple[int, int]]:
    ranked = sorted(
        runs,
        key=lambda run: (
            run[1] - run[0] > 1,
            abs(_run_seconds(clips[run[0] : run[1]]) - target),
            run[0],
        ),
    )
    chosen: list[tuple[int, int]] = []
    for run in ranked:  # first, runs that share no clip with those already chosen
        if len(chosen) < count and all(run[1] <= a or run[0] >= b for a, b in chosen):
            chosen.append(run)
    for run in ranked:
        if len(chosen) < count and run not in chosen:
            chosen.append(run)
    return sorted(chosen)


def _join(clips: Sequence[Clip], target: int) -> Utterance:
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    parts: list[AudioArray] = []
    for index, clip in enumerate(clips):
        if index:
            parts.append(gap)
        parts.append(clip.audio)
    label = clips[0].clip_id if len(clips) == 1 else f"{clips[0].clip_id} +{len(clips) - 1}"
    return Utterance(
        utterance_id=label,
        target_s=target,
        clip_ids=tuple(clip.clip_id for clip in clips),
        audio=np.concatenate(parts).astype(np.float32, copy=False),
        reference=" ".join(clip.reference for clip in clips),
    )
