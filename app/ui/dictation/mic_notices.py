"""The microphone's warnings for the window: sound that never arrived, a stand-in input.

Capture goes on in both cases (they are not failures, which stop a dictation): the
user is told what the dictation may lack, or which input hears it.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.audio.lost_sound import lost_sound_notice
from app.ui.dictation.microphone import Microphone

Notice = Callable[[str, str], object]  # (level, message)


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
