"""Lengths of audio as people read them."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """A length as people read it: ``0:42``, ``12:05``, ``1:02:03``."""
    minutes, secs = divmod(round(max(0.0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
