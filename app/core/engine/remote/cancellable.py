"""Race a remote request against the user's cancel: whichever ends first ends the other.

Both remote engines run their request in a private asyncio loop for this
reason: a cancel aborts a request that is waiting on the server at once, with
its connection closed, which a blocking socket read cannot do.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from app.core.engine.cancellation import CancellationToken

_CANCEL_POLL_S = 0.05  # how often a running request looks at the cancel token

_Result = TypeVar("_Result")


async def cancellable(
    work: asyncio.Future[_Result], cancel: CancellationToken | None
) -> _Result | None:
    """``work``'s result, or None once ``cancel`` fires first (``work`` is then cancelled).

    Raises:
        Exception: whatever ``work`` raised.
    """
    tasks: set[asyncio.Future[Any]] = {work}
    if cancel is not None:
        tasks.add(asyncio.ensure_future(_wait_for_cancel(cancel)))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Whoever lost, and both when we are interrupted (Ctrl+C), end here, before the
        # caller closes its client or connection: an aborted request closes its connection.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return None if work.cancelled() else work.result()


async def _wait_for_cancel(cancel: CancellationToken) -> None:
    # Polling keeps the token thread-agnostic (no loop to wake from another thread).
    while not cancel.cancelled:
        await asyncio.sleep(_CANCEL_POLL_S)
