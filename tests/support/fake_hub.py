"""A hub-like HTTP server on 127.0.0.1 that serves real model files, for download tests.

It answers the two requests Saytype's downloader makes through huggingface_hub
(``HfApi.model_info(files_metadata=True)`` → ``GET /api/models/<repo>`` with
``?blobs=True``, and ``GET /<repo>/resolve/<revision>/<file>`` with HTTP Range),
plus the ``HEAD /<repo>/resolve/…`` metadata call that ``hf_hub_download`` makes,
with the hub's headers. Faults are switched on per test: a connection cut after
N bytes of a file (once), a file's download refused with an HTTP status (once), or a
file served with one byte flipped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REVISION = "0123456789abcdef0123456789abcdef01234567"
LFS_FILES = frozenset({"model.bin", "tokenizer.json"})
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


@dataclass
class ServedFile:
    """One file of a served repository, with the hashes the hub would publish."""

    path: Path
    size: int
    sha256: str
    git_blob_id: str

    @classmethod
    def of(cls, path: Path) -> ServedFile:
        return _hashed(path)


@functools.cache
def _hashed(path: Path) -> ServedFile:
    """Hash each served file once per test session (model.bin is 75 MB)."""
    data = path.read_bytes()
    blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data, usedforsecurity=False)
    return ServedFile(path, len(data), hashlib.sha256(data).hexdigest(), blob.hexdigest())


@dataclass
class FakeHub:
    """The server's state: repositories, faults, and a log of what was asked."""

    repos: dict[str, dict[str, ServedFile]] = field(default_factory=dict)
    cut_after: dict[str, int] = field(default_factory=dict)  # file name -> bytes, then cut once
    corrupt: set[str] = field(default_factory=set)  # file names served with a byte flipped
    refuse: dict[str, int] = field(default_factory=dict)  # file name -> HTTP status, once
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    endpoint: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_repo(self, repo_id: str, folder: Path) -> None:
        """Serve every file of ``folder`` as repository ``repo_id``."""
        self.repos[repo_id] = {
            path.name: ServedFile.of(path) for path in sorted(folder.iterdir()) if path.is_file()
        }

    def file_requests(self, name: str) -> list[tuple[str, str | None]]:
        """(method, Range header) of every request for a file called ``name``."""
        with self.lock:
            return [
                (method, byte_range)
                for method, path, byte_range in self.requests
                if "/resolve/" in path and path.endswith("/" + name)
            ]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        hub = self.server.hub
        path = self.path.split("?", 1)[0]
        with hub.lock:
            hub.requests.append((self.command, path, self.headers.get("Range")))
        if path.startswith("/api/models/"):
            self._model_info(path.removeprefix("/api/models/"))
            return
        match = re.fullmatch(r"/(.+)/resolve/([^/]+)/(.+)", path)
        if match is None:
            self._not_found("Entry not found", "EntryNotFound")
            return
        repo_id, _revision, name = match.groups()
        served = hub.repos.get(repo_id, {}).get(name)
        if served is None:
            self._not_found(f"{repo_id}/{name} not found", "EntryNotFound")
            return
        with hub.lock:
            refused = hub.refuse.pop(name, None) if self.command == "GET" else None
        if refused is not None:
            self._error(refused, "Service Unavailable", "Refused")
            return
        self._file(served, name, send_body)

    def _model_info(self, rest: str) -> None:
        repo_id = rest.split("/revision/", 1)[0]
        files = self.server.hub.repos.get(repo_id)
        if files is None:
            self._not_found("Repository not found", "RepoNotFound")
            return
        siblings = []
        for name, served in files.items():
            sibling: dict[str, object] = {"rfilename": name, "size": served.size}
            if name in LFS_FILES:
                sibling["blobId"] = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
                sibling["lfs"] = {"size": served.size, "sha256": served.sha256, "pointerSize": 134}
            else:
                sibling["blobId"] = served.git_blob_id
            siblings.append(sibling)
        body = json.dumps(
            {"id": repo_id, "modelId": repo_id, "sha": REVISION, "siblings": siblings}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _file(self, served: ServedFile, name: str, send_body: bool) -> None:
        hub = self.server.hub
        start, end = 0, served.size - 1
        requested = _RANGE.match(self.headers.get("Range", ""))
        if requested:
            start = int(requested.group(1))
            end = int(requested.group(2)) if requested.group(2) else end
        self.send_response(206 if requested else 200)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("X-Repo-Commit", REVISION)
        etag = served.sha256 if name in LFS_FILES else served.git_blob_id
        self.send_header("ETag", f'"{etag}"')
        if name in LFS_FILES:
            self.send_header("X-Linked-Etag", f'"{served.sha256}"')
            self.send_header("X-Linked-Size", str(served.size))
        if requested:
            self.send_header("Content-Range", f"bytes {start}-{end}/{served.size}")
        self.end_headers()
        if not send_body:
            return
        with hub.lock:
            cut = hub.cut_after.pop(name, None)
        corrupt = name in hub.corrupt
        with served.path.open("rb") as stream:
            stream.seek(start)
            position = start
            while position <= end:
                block = bytearray(stream.read(min(1 << 20, end - position + 1)))
                if corrupt and position <= served.size // 2 < position + len(block):
                    block[served.size // 2 - position] ^= 0xFF
                if cut is not None and position + len(block) - start >= cut:
                    self.wfile.write(block[: cut - (position - start)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.close()  # the body stops short, as when a network drops
                    return
                self.wfile.write(block)
                position += len(block)

    def _not_found(self, message: str, code: str) -> None:
        self._error(404, message, code)

    def _error(self, status: int, message: str, code: str) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hub: FakeHub


@contextmanager
def running_fake_hub(hub: FakeHub | None = None) -> Iterator[FakeHub]:
    """Serve ``hub`` on 127.0.0.1 (a free port) from a thread until the block ends."""
    hub = hub or FakeHub()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.hub = hub
    hub.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-hub", daemon=True
    )
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
