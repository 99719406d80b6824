"""Speech for the benchmarks that dictate: the shared corpus, or hibari-tts sentences.

Real speech comes from the shared corpus (``../shared/speech``, or ``--speech-dir``).
When it is absent, hibari-tts reads built-in sentences; hibari-tts is not a
runtime dependency, so a benchmark that needs speech says how to install it
(``saytype bench memory``). The choice is deterministic, so that runs compare.
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
