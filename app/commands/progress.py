"""A one-line progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

# The time left is guessed from the pace so far only once there is a pace to go by: a
# model still warming up, or the first seconds of a file, would promise too much.
ETA_AFTER_S = 3.0
ETA_AFTER_FRACTION = 0.02


class TerminalProgress:
    """Draws ``[#####-----]  50%  name  about 2 min left`` in place; silent off a terminal."""

    def __init__(
        self,
        stream: TextIO,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self._drawn = False
        self._clock = clock
        self._started: tuple[str, float, float] | None = None  # label, time, fraction

    def status(self, text: str) -> None:
        """Show a status line such as ``Loading model...``."""
        if self.enabled:
            self._write(text)

    def update(self, label: str, fraction: float) -> None:
        """Redraw the bar for ``label`` at ``fraction`` (0..1)."""
        if not self.enabled:
            return
        fraction = max(0.0, min(1.0, fraction))
        if self._started is None or self._started[0] != label:
            self._started = (label, self._clock(), fraction)
        columns = shutil.get_terminal_size((80, 24)).columns
        left = self._time_left(fraction)
        width = max(10, min(40, columns - len(label) - len(left) - 12))
        filled = round(width * fraction)
        bar = f"[{'#' * filled}{'-' * (width - filled)}] {fraction * 100:3.0f}%  {label}"
        self._write(f"{bar}  {left}" if left else bar)

    def _time_left(self, fraction: float) -> str:
        """The time left ("about 2 min left") at this label's pace so far; "" until there is one."""
        if self._started is None:
            return ""
        _label, began, at_start = self._started
        elapsed, done = self._clock() - began, fraction - at_start
        if elapsed < ETA_AFTER_S or done < ETA_AFTER_FRACTION or fraction >= 1.0:
            return ""
        seconds = elapsed * (1.0 - fraction) / done
        if seconds < 60:
            return f"about {max(5, round(seconds / 5) * 5)} s left"
        if seconds < 3600:
            return f"about {round(seconds / 60)} min left"
        hours, minutes = divmod(round(seconds / 60), 60)
        return f"about {hours} h {minutes:02d} min left"

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
