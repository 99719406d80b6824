"""A one-line progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import shutil
from typing import TextIO


class TerminalProgress:
    """Draws ``[#####-----]  50%  name`` in place; silent when not on a terminal."""

    def __init__(self, stream: TextIO, enabled: bool | None = None) -> None:
        self._stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self._drawn = False

    def status(self, text: str) -> None:
        """Show a status line such as ``Loading model...``."""
        if self.enabled:
            self._write(text)

    def update(self, label: str, fraction: float) -> None:
        """Redraw the bar for ``label`` at ``fraction`` (0..1)."""
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        width = max(10, min(40, columns - len(label) - 12))
        filled = round(width * max(0.0, min(1.0, fraction)))
        self._write(f"[{'#' * filled}{'-' * (width - filled)}] {fraction * 100:3.0f}%  {label}")

    def clear(self) -> None:
        """Erase the bar so that the next message starts on a clean line."""
        if self.enabled and self._drawn:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
            self._drawn = False

    def _write(self, line: str) -> None:
        self._stream.write("\r\x1b[2K" + line)
        self._stream.flush()
        self._drawn = True
