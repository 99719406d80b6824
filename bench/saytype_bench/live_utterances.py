"""Utterances of about 3, 10, 20 and 30 s for the live dictation benchmark.

The clips come from :mod:`app.benchmarks.speech_clips` (the shared corpus, or
hibari-tts sentences when it is absent). Longer utterances are consecutive clips
joined by short silences, the way a person dictates sentence after sentence.
The choice is deterministic, so that runs compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.benchmarks.speech_clips import Clip, synthesised_clips
from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray

GAP_S = 0.6  # silence between joined clips
DEFAULT_BUCKETS = (3, 10, 20, 30)
# Short buckets take single clips in these windows; others take target ± 3 s.
_WINDOWS = {3: (1.5, 5.0), 10: (8.0, 12.0)}
_SLACK_S = 3.0


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


def dictation_clips() -> list[Clip]:
    """The hibari-tts dictation corpus (:mod:`saytype_bench.dictation_sentences`)."""
    from saytype_bench.dictation_sentences import DICTATION_SENTENCES, speeds_for

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
