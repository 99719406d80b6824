"""Saytype: offline dictation and transcription on faster-whisper."""

from app._version import __version__

__all__ = ["__version__"]
