"""Saytype: offline dictation and transcription on faster-whisper."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("saytype")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
