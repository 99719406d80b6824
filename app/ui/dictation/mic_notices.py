"""The microphone's warnings for the window: sound that never arrived, a stand-in input.

Capture goes on in both cases (they are not failures, which stop a dictation): the
user is told what the dictation may lack, or which input hears it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.core.audio.lost_sound import lost_sound_notice
from app.ui.dictation.microphone import Microphone

Notice = Callable[[str, str], object]  # (level, message)
# A dictation whose loudest sample stays under this heard no microphone at all: a real one
# in a quiet room still peaks far above it (its own noise), a muted or wrong one does not.
_SILENT_PEAK = 10 ** (-70 / 20)


def silent_input(microphone: Microphone, start: int, end: int | None) -> str | None:
    """Why nothing was heard, when the microphone sent only silence from ``start`` to ``end``.

    "No speech was heard" alone left a new user, speaking into another input than the one
    chosen, with nothing to go on.
    """
    length = None if end is None else max(0, end - start)
    samples = microphone.ring.read_since(start, length).samples
    if len(samples) == 0 or float(np.abs(samples).max()) >= _SILENT_PEAK:
        return None
    name = microphone.device_name or "in use"
    return (
        f"No speech was heard: the microphone {name!r} sent only silence. Is it the one you "
        "spoke into, and not muted? Settings → Audio chooses another."
    )


def tell_microphone_warnings(
    microphone: Microphone, notice: Notice, dictating: Callable[[], bool]
) -> None:
    """Show ``microphone``'s warnings through ``notice``; ``dictating``: one hears it now."""

    def sound_lost(lost_s: float, gone: str) -> None:
        said = lost_sound_notice(lost_s, gone or None, dictating=dictating())
        if said is not None:
            notice("warning", said)

    microphone.lost.connect(sound_lost)
    microphone.stands_in.connect(lambda message: notice("warning", message))
