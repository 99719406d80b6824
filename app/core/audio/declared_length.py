"""How long a media file says its audio is, before any of it is decoded.

The audio track's own duration where the container keeps one, else Matroska's
per-track DURATION tag (the container's duration is the longest track's: a short clip
whose picture ran 0.6 s past its sound was called truncated), else the container's.
Decoded audio that falls well short of it means the file was cut short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from av.audio.stream import AudioStream
    from av.container import InputContainer


def declared_seconds(container: InputContainer, stream: AudioStream) -> float | None:
    """How long the file says its audio ``stream`` is, in seconds; None when it does not."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    tagged = _tagged_seconds(stream.metadata.get("DURATION", ""))  # Matroska's, per stream
    if tagged is not None:
        return tagged
    if container.duration is not None:  # the longest track's: a video's may run longer
        return float(container.duration) / 1_000_000  # AV_TIME_BASE is microseconds
    return None


def _tagged_seconds(tag: str) -> float | None:
    """Seconds from a duration tag such as ``00:00:04.433000000``; None when it is not one."""
    hours, _, rest = tag.partition(":")
    minutes, _, seconds = rest.partition(":")
    try:
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except ValueError:
        return None
