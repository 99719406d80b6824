"""Access to the shared corpus of real human speech (``../shared/speech``).

The recordings are measuring data, never copied into the project; code that
uses them finds the folder next to the checkout and says clearly when it is absent.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "SAYTYPE_SPEECH_DIR"


class CorpusMissingError(Exception):
    """The speech corpus folder was not found."""


@dataclass(frozen=True)
class SpeechItem:
    """One recording and its reference transcript."""

    item_id: str
    path: Path
    duration_s: float
    reference: str


def find_speech_dir(explicit: Path | None = None) -> Path:
    """Locate the corpus: ``explicit``, ``$SAYTYPE_SPEECH_DIR``, or ``../shared/speech``.

    The relative default is tried from the working directory and from the repository root.

    Raises:
        CorpusMissingError: naming every place that was searched.
    """
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif os.environ.get(ENV_VAR):
        candidates.append(Path(os.environ[ENV_VAR]))
    else:
        repo_root = Path(__file__).resolve().parents[2]
        candidates += [Path.cwd() / "../shared/speech", repo_root / "../shared/speech"]
    for candidate in candidates:
        if (candidate / "manifest.tsv").is_file():
            return candidate.resolve()
    searched = ", ".join(str(c) for c in candidates)
    raise CorpusMissingError(
        f"The shared speech corpus is absent (looked for manifest.tsv in: {searched}). "
        f"Pass --speech-dir or set {ENV_VAR}."
    )


def load_corpus(speech_dir: Path) -> list[SpeechItem]:
    """Read ``manifest.tsv`` (tab-separated, with a header row)."""
    with (speech_dir / "manifest.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        SpeechItem(
            item_id=row["id"],
            path=speech_dir / row["file"],
            duration_s=float(row["duration_s"]),
            reference=row["reference_text"],
        )
        for row in rows
    ]
