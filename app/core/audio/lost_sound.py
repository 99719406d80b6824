"""What to tell the user when sound from the microphone never reached Saytype.

The sound server can drop a stretch of a live stream and go on: PulseAudio and
PipeWire move a recording to another input when its own goes away, and about a
second and a half is lost in the move. The stream's clock shows the jump
(:class:`app.core.audio.mic_source.MicSource` reports it); nothing else would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.core.audio.pulse_sources import PactlRunner, run_pactl, source_gone

log = logging.getLogger(__name__)

MOVED_TO_DEFAULT = "the sound server's default input"  # the device once its source went
WORTH_SAYING_S = 0.05  # less sound lost than this holds no word


class LostSoundWatch:
    """Tells, once per stretch, the sound a stream lost while it went on.

    The audio callback only adds to a running total (``MicSource``); the microphone's
    supervisor thread hands that total to :meth:`check`, which asks the sound server
    whether the chosen source is gone (only then: ``pactl`` costs a process).

    Args:
        on_lost: ``(seconds, gone)``: ``gone`` is the device's name when its source went
            away (the server moved the stream to another), else None.
        pactl: runs ``pactl`` (tests pass canned output).
    """

    def __init__(
        self,
        on_lost: Callable[[float, str | None], None] | None,
        pactl: PactlRunner = run_pactl,
    ) -> None:
        self._on_lost = on_lost
        self._pactl = pactl
        self._told_s = 0.0
        self._lock = threading.Lock()  # the supervisor and the microphone's lane both check

    def check(
        self, lost_total_s: float, name: str | None, pulse_source: str | None, *, look: bool = False
    ) -> bool:
        """Tell what was lost since the last check; True when the source has gone.

        ``look``: ask the sound server even when nothing was lost (a move while the
        microphone heard silence may lose none), and tell a move with 0 s lost.
        """
        with self._lock:
            lost_s = max(0.0, lost_total_s - self._told_s)
            if lost_s <= 0.0 and not look:
                return False
            self._told_s = max(self._told_s, lost_total_s)
            gone = source_gone(pulse_source, self._pactl)
            if lost_s <= 0.0 and not gone:
                return False
        log.warning("microphone %r: %.2f s of sound lost (gone: %s)", name, lost_s, gone)
        if self._on_lost is not None:
            self._on_lost(lost_s, name if gone else None)
        return gone


def lost_sound_notice(lost_s: float, gone: str | None, *, dictating: bool) -> str | None:
    """The sentence for a stretch of ``lost_s`` seconds lost, or None when it does not matter.

    Args:
        lost_s: how much sound was lost.
        gone: the name of the chosen input when it went away (the server moved the
            stream to another one), else None.
        dictating: whether a dictation was hearing the microphone then.
    """
    lost = f"About {lost_s:.1f} s of sound was lost"
    if gone is not None:
        moved = (
            f"The microphone {gone!r} went away, and the sound server moved Saytype to "
            "another input."
        )
        said = f" {lost} from this dictation." if dictating and lost_s >= WORTH_SAYING_S else ""
        return f"{moved}{said} Reconnect it, or choose an input in Settings."
    if not dictating:
        return None  # nothing was being said into it
    return (
        f"{lost} from the microphone (an input switched or unplugged, or a computer too "
        "busy to keep up): words said then may be missing from this dictation."
    )
