"""A deliberately broken "transcription server" on 127.0.0.1, for the FAULT paths only.

It answers ``POST …/audio/transcriptions`` with what a test scripts: an error
status and body, a reply that is not JSON, no reply at all (it holds the
request until released), or a closed connection. It never transcribes: success is tested against a
real server (tests/support/openai_server.py). It reads each upload whole, so
the client sees a server that took the audio and then failed. With ``tls``,
it serves HTTPS with a certificate that the test's own CA signed.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_HOLD_LIMIT_S = 20.0  # a held request ends by itself, so no handler thread outlives a test


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 500
    body: bytes = b'{"error": {"message": "scripted failure"}}'
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    hold: bool = False  # never answer (until released or the hold limit)
    drop: bool = False  # close the connection without a word, as a server that died


@dataclass
class FaultServer:
    """The server's script and what it saw."""

    replies: list[Reply] = field(default_factory=list)  # served in order; the last repeats
    requests: list[dict[str, str]] = field(default_factory=list)  # the headers of each request
    bodies: list[bytes] = field(default_factory=list)  # the body of each request
    url: str = ""
    released: threading.Event = field(default_factory=threading.Event)
    request_arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0  # requests taken and not yet answered
    most_in_flight: int = 0  # the most there were at once since the last script()

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``; the last one repeats."""
        with self.lock:
            self.replies = list(replies)
            self.requests.clear()
            self.bodies.clear()
            self.most_in_flight = self.in_flight
        self.released.clear()
        self.request_arrived.clear()

    def next_reply(self) -> Reply:
        with self.lock:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_POST(self) -> None:
        faults = self.server.faults
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with faults.lock:
            faults.requests.append({k.lower(): v for k, v in self.headers.items()})
            faults.bodies.append(body)
            faults.in_flight += 1
            faults.most_in_flight = max(faults.most_in_flight, faults.in_flight)
        faults.request_arrived.set()
        try:
            self._answer(faults)
        finally:
            with faults.lock:
                faults.in_flight -= 1

    def _answer(self, faults: FaultServer) -> None:
        reply = faults.next_reply()
        if reply.hold:
            faults.released.wait(_HOLD_LIMIT_S)
        if reply.hold or reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    faults: FaultServer


@contextmanager
def running_fault_server(tls: ssl.SSLContext | None = None) -> Iterator[FaultServer]:
    """Serve a :class:`FaultServer` on a free port of 127.0.0.1 until the block ends."""
    faults = FaultServer(replies=[Reply()])
    server = _Server(("127.0.0.1", 0), _Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.faults = faults
    scheme = "https" if tls is not None else "http"
    faults.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fault-server"
    )
    thread.start()
    try:
        yield faults
    finally:
        faults.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def make_test_ca(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A throwaway CA (its PEM file) and a server context for 127.0.0.1 that it signed."""
    import subprocess

    ca_key, ca_pem = folder / "ca.key", folder / "ca.pem"
    key, csr, pem = folder / "server.key", folder / "server.csr", folder / "server.pem"
    ext = folder / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n", encoding="ascii")
    steps = [
        "req -x509 -newkey rsa:2048 -nodes -keyout {ca_key} -out {ca_pem} -days 2"
        " -subj /CN=Saytype-test-CA",
        "req -newkey rsa:2048 -nodes -keyout {key} -out {csr} -subj /CN=127.0.0.1",
        "x509 -req -in {csr} -CA {ca_pem} -CAkey {ca_key} -CAcreateserial -out {pem} -days 2"
        " -extfile {ext}",
    ]
    names = {"ca_key": ca_key, "ca_pem": ca_pem, "key": key, "csr": csr, "pem": pem, "ext": ext}
    for step in steps:  # tmp_path names have no spaces, so a split is safe
        args = [part.format(**names) for part in step.split()]
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem, key)
    return ca_pem, context
