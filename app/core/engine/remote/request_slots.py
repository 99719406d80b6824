"""How many requests one remote engine has in flight at once, whatever file or chunk they carry.

``saytype transcribe --jobs N`` runs N files on N threads, each with its own
asyncio loop, and a long file's chunks go out in parallel inside one loop; the
server should still see at most N requests. A limit shared across threads
and loops needs a thread-safe counter, and asyncio's own primitives belong to
one loop. Waiting for a free slot polls that counter (every 50 ms, as the
cancel token is polled): unlike a thread blocked on it, a poll stops the moment
its task is cancelled and can never take a slot after it was given up, and
50 ms is nothing beside a transcription request.
"""

from __future__ import annotations

import asyncio
import threading

_POLL_S = 0.05


class RequestSlots:
    """At most ``limit`` holders at once, across threads and their event loops.

    Args:
        limit: the most requests in flight at once (1 or more).

    Raises:
        ValueError: ``limit`` is below 1.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"the requests in flight must be 1 or more: {limit}")
        self.limit = limit
        self._free = threading.BoundedSemaphore(limit)

    async def take(self) -> None:
        """Wait (cancellably) until a slot is free and take it; :meth:`give_back` it after."""
        while not self._free.acquire(blocking=False):
            await asyncio.sleep(_POLL_S)

    def give_back(self) -> None:
        """Free a slot that :meth:`take` gave."""
        self._free.release()
