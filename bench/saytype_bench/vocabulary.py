"""What a custom vocabulary buys: WER and exact spellings with and without it.

hibari-tts reads sentences that use names and jargon tiny.en rarely spells
right; each sentence is transcribed by the file path (faster-whisper's
``transcribe``, beam 5) with no vocabulary, with the vocabulary as ``hotwords``
and as ``initial_prompt``, and by the live path (one greedy
:class:`WindowDecoder` pass) without and with ``hotwords``. Prints corpus WER
and how many of the vocabulary words came out spelled exactly; asserts nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.core.engine.model_host import ModelHost
from saytype_bench.accuracy import word_error_rate

VOCABULARY: tuple[str, ...] = (
    "Saytype",
    "Kubernetes",
    "PostgreSQL",
    "Siobhan",
    "Okonkwo",
    "Grafana",
    "pytest",
    "Nginx",
    "Terraform",
    "Anneliese",
)

SENTENCES: tuple[str, ...] = (
    "Saytype turns my speech into text on the desktop.",
    "We moved the cluster to Kubernetes last spring.",
    "The orders live in a PostgreSQL database.",
    "Siobhan will review the design tomorrow.",
    "Please send the contract to Mister Okonkwo.",
    "The Grafana dashboard shows the error rate.",
    "Run pytest before you push the branch.",
    "Nginx serves the static files in front of the app.",
    "Terraform creates the servers and the network.",
    "Anneliese wrote the release notes for Saytype.",
    "Kubernetes restarts the pod when it crashes.",
    "Siobhan and Anneliese met Mister Okonkwo in Dublin.",
    "We graph PostgreSQL latency in Grafana.",
    "The Terraform plan failed because Nginx was missing.",
    "Saytype has its own pytest suite.",
)


@dataclass(frozen=True)
class VocabularyRow:
    """One configuration's figures over the sentence set."""

    name: str
    wer: float
    words_right: int
    words_total: int
    texts: tuple[str, ...]


def vocabulary_hits(references: list[str], hypotheses: list[str]) -> tuple[int, int]:
    """How many vocabulary words of the references appear spelled exactly in the hypotheses."""
    right = total = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        heard = re.findall(r"[\w']+", hypothesis)
        for word in VOCABULARY:
            wanted = len(re.findall(rf"\b{re.escape(word)}\b", reference))
            total += wanted
            right += min(wanted, heard.count(word))
    return right, total


def run_vocabulary(host: ModelHost) -> list[VocabularyRow]:
    """Transcribe the sentences, read by hibari-tts, in each configuration."""
    from app.benchmarks.speech_clips import synthesised_clips
    from app.core.engine.window_decoder import WindowDecoder

    model = host.get()
    clips = [clip.audio for clip in synthesised_clips(SENTENCES)]
    hotwords = ", ".join(VOCABULARY)

    def file_path(**kwargs: Any) -> list[str]:
        texts = []
        for clip in clips:
            segments, _info = model.transcribe(clip, language="en", beam_size=5, **kwargs)
            texts.append(" ".join(s.text.strip() for s in segments))
        return texts

    def live_path(words: str) -> list[str]:
        decoder = WindowDecoder(model, hotwords=words, word_timestamps=False)
        return [decoder.decode(clip).text for clip in clips]

    runs = {
        "file, no vocabulary": file_path(),
        "file, hotwords": file_path(hotwords=hotwords),
        "file, initial_prompt": file_path(initial_prompt=hotwords),
        "live pass, no vocabulary": live_path(""),
        "live pass, hotwords": live_path(hotwords),
    }
    rows = []
    for name, texts in runs.items():
        right, total = vocabulary_hits(list(SENTENCES), texts)
        wer = word_error_rate(list(SENTENCES), texts)
        rows.append(VocabularyRow(name, wer, right, total, tuple(texts)))
    return rows


def format_report(rows: list[VocabularyRow]) -> str:
    """A table: configuration, WER, vocabulary words spelled right."""
    lines = [
        f"{len(SENTENCES)} sentences, vocabulary: {', '.join(VOCABULARY)}",
        f"{'configuration':<28} {'WER':>7} {'words right':>12}",
    ]
    for row in rows:
        share = f"{row.words_right}/{row.words_total}"
        lines.append(f"{row.name:<28} {row.wer:>6.1%} {share:>12}")
    return "\n".join(lines)


def to_json(rows: list[VocabularyRow]) -> dict[str, Any]:
    """The figures as one JSON-ready object."""
    return {
        "sentences": list(SENTENCES),
        "vocabulary": list(VOCABULARY),
        "rows": [
            {
                "name": row.name,
                "wer": round(row.wer, 4),
                "words_right": row.words_right,
                "words_total": row.words_total,
                "texts": list(row.texts),
            }
            for row in rows
        ],
    }
