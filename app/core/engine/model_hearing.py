"""Whether a model still hears: the welcome sample transcribed and compared with its words.

A model folder copied by hand has no recorded checksums, and weights damaged in place
(a bad copy, a failing disk) load and decode without any error: the text is "))))))".
Listening to a recording whose words are known tells a working model from a broken one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from app.core.audio.file_decoder import decode_file
from app.core.engine.model_host import ModelHost
from app.core.paths import bundled_resources

# resources/samples/README.md: how welcome.mp3 was made, from this text.
WELCOME_TEXT = (
    "Welcome. Everything you say is transcribed on this computer, and no audio ever leaves it."
)
# The share of the sample's words a working model hears, in order. tiny.en, the smallest,
# hears all of them; damaged weights hear none.
HEARS_ENOUGH = 0.5


def welcome_sample() -> Path | None:
    """The welcome recording that comes with Saytype, when it is there."""
    sample = bundled_resources("samples") / "welcome.mp3"
    return sample if sample.is_file() else None


@dataclass(frozen=True)
class Hearing:
    """What a model heard in the welcome sample.

    Attributes:
        text: its transcript.
        share: the share of the sample's words it heard, in order (0 to 1).
    """

    text: str
    share: float

    @property
    def works(self) -> bool:
        """Whether the model heard enough of the sample to be working."""
        return self.share >= HEARS_ENOUGH


def hear_sample(host: ModelHost, sample: Path) -> Hearing:
    """Transcribe ``sample`` (the welcome recording) and score it against its words.

    One greedy pass with no temperature fallback: enough to tell hearing from noise, and
    damaged weights, which decode to the longest run of tokens allowed, cost one pass.
    """
    audio = decode_file(sample).samples
    segments, _info = host.get().transcribe(
        audio, language="en", beam_size=1, temperature=0.0, condition_on_previous_text=False
    )
    text = " ".join(segment.text.strip() for segment in segments)
    return Hearing(text, share_heard(text))


def share_heard(text: str) -> float:
    """The share of the welcome sample's words that ``text`` has, in order (0 to 1)."""
    said, heard = _words(WELCOME_TEXT), _words(text)
    matcher = SequenceMatcher(a=said, b=heard, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(said)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.casefold())


def hearing_problem(folder: Path, sample: Path) -> str | None:
    """Why the model in ``folder`` cannot be working, from ``sample``; None when it hears."""
    from app.core.engine.model_registry import resolve_model

    try:
        hearing = hear_sample(ModelHost(resolve_model(str(folder))), sample)
    except Exception as exc:  # damaged files fail in any library's own way
        return f"it does not load or decode: {exc}"
    if hearing.works:
        return None
    heard = hearing.text if len(hearing.text) <= 60 else hearing.text[:60] + "…"
    return (
        f"its weights look damaged: in the welcome sample it heard {heard!r} "
        f"({hearing.share:.0%} of the words said)"
    )
