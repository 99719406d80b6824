"""Accuracy and speed of ``saytype transcribe``'s code path against faster-whisper itself.

Both sides use the same loaded model and settings on the shared human-speech
corpus, interleaved and repeated so that machine noise hits both alike. Prints
corpus WER for each (Whisper-normalised) and the speed ratio; asserts nothing.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.benchmarks.speech_corpus import SpeechItem
from app.core.engine.file_transcriber import FileTranscriber, TranscribeOptions
from app.core.engine.model_host import ModelHost


@dataclass(frozen=True)
class AccuracyResult:
    """Figures for one run of the benchmark."""

    items: int
    audio_seconds: float
    saytype_wer: float
    reference_wer: float
    saytype_seconds: float
    reference_seconds: float
    per_item: list[dict[str, Any]]

    @property
    def speed_ratio(self) -> float:
        """Saytype's speed relative to faster-whisper's (>1 means Saytype is faster)."""
        return self.reference_seconds / self.saytype_seconds


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER after Whisper's English normalisation."""
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    normalise = EnglishTextNormalizer()
    refs = [normalise(text) for text in references]
    hyps = [normalise(text) for text in hypotheses]
    return float(jiwer.wer(refs, hyps))


def run_accuracy(
    host: ModelHost, corpus: list[SpeechItem], beam_size: int = 5, repeats: int = 3
) -> AccuracyResult:
    """Transcribe the corpus ``repeats`` times both ways; keep the median time per item."""
    model = host.get()
    transcriber = FileTranscriber(host)
    options = TranscribeOptions(language=None, beam_size=beam_size)
    ours: dict[str, list[float]] = {item.item_id: [] for item in corpus}
    theirs: dict[str, list[float]] = {item.item_id: [] for item in corpus}
    our_text: dict[str, str] = {}
    their_text: dict[str, str] = {}
    for round_index in range(repeats):
        for item in corpus:
            # Alternate who goes first so caches and clock boosts favour neither.
            order = ("ours", "theirs") if round_index % 2 == 0 else ("theirs", "ours")
            for side in order:
                started = time.perf_counter()
                if side == "ours":
                    our_text[item.item_id] = transcriber.transcribe_file(item.path, options).text
                    ours[item.item_id].append(time.perf_counter() - started)
                else:
                    segments, _ = model.transcribe(str(item.path), beam_size=beam_size)
                    their_text[item.item_id] = " ".join(s.text.strip() for s in segments)
                    theirs[item.item_id].append(time.perf_counter() - started)
    ids = [item.item_id for item in corpus]
    references = [item.reference for item in corpus]
    per_item: list[dict[str, Any]] = [
        {
            "id": item.item_id,
            "duration_s": item.duration_s,
            "saytype_s": statistics.median(ours[item.item_id]),
            "reference_s": statistics.median(theirs[item.item_id]),
            "saytype_wer": word_error_rate([item.reference], [our_text[item.item_id]]),
            "reference_wer": word_error_rate([item.reference], [their_text[item.item_id]]),
        }
        for item in corpus
    ]
    return AccuracyResult(
        items=len(corpus),
        audio_seconds=sum(item.duration_s for item in corpus),
        saytype_wer=word_error_rate(references, [our_text[i] for i in ids]),
        reference_wer=word_error_rate(references, [their_text[i] for i in ids]),
        saytype_seconds=sum(row["saytype_s"] for row in per_item),
        reference_seconds=sum(row["reference_s"] for row in per_item),
        per_item=per_item,
    )


def format_report(result: AccuracyResult, model_name: str, speech_dir: Path) -> str:
    """Human-readable table and summary."""
    lines = [
        f"accuracy benchmark: model {model_name}, {result.items} recordings, "
        f"{result.audio_seconds:.1f} s of speech from {speech_dir}",
        f"{'id':42} {'dur':>6} {'saytype':>8} {'faster-w':>8} {'WER st':>7} {'WER fw':>7}",
    ]
    for row in result.per_item:
        lines.append(
            f"{row['id']:42} {row['duration_s']:6.1f} {row['saytype_s']:7.2f}s "
            f"{row['reference_s']:7.2f}s {row['saytype_wer'] * 100:6.1f}% "
            f"{row['reference_wer'] * 100:6.1f}%"
        )
    lines += [
        f"WER saytype transcribe: {result.saytype_wer * 100:.2f} %",
        f"WER faster-whisper transcribe (baseline): {result.reference_wer * 100:.2f} %",
        f"WER difference: {(result.saytype_wer - result.reference_wer) * 100:+.2f} points",
        f"time saytype: {result.saytype_seconds:.2f} s, "
        f"faster-whisper: {result.reference_seconds:.2f} s",
        f"speed ratio (faster-whisper time / saytype time): {result.speed_ratio:.3f}x",
    ]
    return "\n".join(lines)
