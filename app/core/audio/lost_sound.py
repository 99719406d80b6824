"""What to tell the user when sound from the microphone never reached Saytype.

The sound server can drop a stretch of a live stream and go on: PulseAudio and
PipeWire move a recording to another input when its own goes away, and about a
second and a half is lost in the move. The stream's clock shows the jump
(:class:`app.core.audio.mic_source.MicSource` reports it); nothing else would.
"""

from __future__ import annotations


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
        said = f" {lost} from this dictation." if dictating else ""
        return f"{moved}{said} Reconnect it, or choose an input in Settings."
    if not dictating:
        return None  # nothing was being said into it
    return (
        f"{lost} from the microphone (an input switched or unplugged, or a computer too "
        "busy to keep up): words said then may be missing from this dictation."
    )
