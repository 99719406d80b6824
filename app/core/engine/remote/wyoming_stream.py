"""A dictation streamed to a Wyoming server while the key is held.

The conversation (:func:`app.core.engine.remote.wyoming_engine.exchange`) runs
in an asyncio loop on a thread of its own, started at the first audio; each
:meth:`WyomingUtterance.push` hands the samples to that loop without waiting,
so the live loop never blocks on the network. At the release, ``audio-stop``
goes out and the transcript is usually there within the server's decode time.
A server that fails mid-stream (killed, unreachable) is reported at the
release, where the caller falls back to the local model; a cancel or
:meth:`close` ends the connection and the thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import AsyncIterator

from app.core.audio.file_decoder import AudioArray
from app.core.engine.cancellation import CancellationToken
from app.core.engine.remote.wyoming_engine import WyomingEndpoint, exchange, pcm16

log = logging.getLogger(__name__)

_CANCEL_POLL_S = 0.05
_JOIN_S = 5.0


class WyomingUtterance:
    """One utterance streamed to ``endpoint`` as it is spoken.

    Args:
        endpoint: the server.
        language: the language code to ask for (None: the server's choice).
    """

    def __init__(self, endpoint: WyomingEndpoint, language: str | None = None) -> None:
        self._endpoint = endpoint
        self._language = language
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._queue: asyncio.Queue[bytes | None] | None = None
        self._reply: concurrent.futures.Future[str] | None = None
        self._stopped = False

    def push(self, samples: AudioArray) -> None:
        """Send ``samples`` (connecting at the first call); never waits on the network."""
        if self._stopped or len(samples) == 0:
            return
        if self._loop is None:
            self._start()
        assert self._loop is not None
        assert self._queue is not None
        self._loop.call_soon_threadsafe(self._queue.put_nowait, pcm16(samples))

    def finish(self, audio: AudioArray, cancel: CancellationToken) -> str | None:
        """End the stream and wait for the transcript; None once ``cancel`` fired.

        ``audio`` is the whole utterance: only needed when nothing was pushed.

        Raises:
            RemoteEngineError: the server could not be reached, failed mid-stream or timed out.
        """
        if self._loop is None:
            self.push(audio)  # nothing was streamed (a very short utterance)
        if self._loop is None or self._reply is None or self._queue is None:
            return ""  # no audio at all
        self._stopped = True
        self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
        while True:
            try:
                return self._reply.result(timeout=_CANCEL_POLL_S)
            except concurrent.futures.TimeoutError:
                if cancel.cancelled:
                    self._reply.cancel()
                    return None

    def close(self) -> None:
        """Drop the connection and end the thread (safe to call more than once)."""
        self._stopped = True
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._reply is not None and not self._reply.done():
            self._reply.cancel()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_JOIN_S)
        self._thread = None

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._queue = asyncio.Queue()
        self._thread = threading.Thread(target=self._run_loop, name="wyoming-stream", daemon=True)
        self._thread.start()
        self._reply = asyncio.run_coroutine_threadsafe(
            exchange(self._endpoint, self._chunks(), self._language), loop
        )
        log.info("streaming a dictation to %s", self._endpoint.url)

    def _run_loop(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            # A cancelled conversation closes its connection before the loop goes.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    async def _chunks(self) -> AsyncIterator[bytes]:
        assert self._queue is not None
        while True:
            chunk = await self._queue.get()
            if chunk is None:
                return
            yield chunk
