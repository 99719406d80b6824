"""Reading one test's share of a log that a session-wide test server keeps writing."""

from __future__ import annotations

from pathlib import Path


class ServerLog:
    """For a server with a ``log`` file: what it logged from a point on."""

    log: Path

    def log_mark(self) -> int:
        """Where the log ends now: :meth:`log_since` reads what the server logs after it."""
        return self.log.stat().st_size

    def log_since(self, mark: int) -> str:
        """What the server has logged since ``mark`` (the session's server serves many tests)."""
        with self.log.open("rb") as log:
            log.seek(mark)
            return log.read().decode(errors="replace")
