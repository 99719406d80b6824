"""A TCP server on 127.0.0.1 that takes what a Wyoming client sends and never transcribes.

For the fault paths of the Wyoming client only (success is tested against a
real wyoming-faster-whisper): it hangs up once audio arrives, or keeps the
connection open and never answers, until it is closed.
"""

from __future__ import annotations

import socket
import threading


class SilentListener:
    """Accepts connections, reads what comes, and hangs up or never answers."""

    def __init__(self, *, hang_up: bool) -> None:
        self.hang_up = hang_up
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"wyoming://127.0.0.1:{self.socket.getsockname()[1]}"
        self.audio_arrived = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="silent-listener")
        self.thread.start()

    def _serve(self) -> None:
        self.socket.settimeout(0.05)
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(0.05)
                while not self.stop.is_set():
                    try:
                        data = connection.recv(65536)
                    except TimeoutError:
                        continue
                    if b"audio-chunk" in data:
                        self.audio_arrived.set()
                        if self.hang_up:
                            break
                    if not data:
                        break

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.socket.close()
