"""One sentence for each way a remote transcription fails, saying what to do about it.

The user sees these on stderr (and later in the window), so each names the
server, what happened in plain words and the next step; the server's own
error body is summarised, never dumped. Nothing here holds audio or words.
"""

from __future__ import annotations

import errno
import socket
import ssl
from urllib.parse import urlsplit, urlunsplit

from app.core.engine.remote.openai_reply import summarise_error_body


class RemoteEngineError(Exception):
    """A remote transcription failed; ``str()`` is one sentence for the user.

    Attributes:
        endpoint_unusable: True when no other file could succeed either (the
            server is unreachable, refuses the key, or is not such a server),
            so a batch stops instead of failing every file the same way.
    """

    def __init__(self, message: str, *, endpoint_unusable: bool = False) -> None:
        super().__init__(message)
        self.endpoint_unusable = endpoint_unusable


def display_url(url: str) -> str:
    """The URL without any ``user:password@`` part, fit for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def connect_failed(url: str, exc: BaseException) -> RemoteEngineError:
    """The connection could not be made: refused, unknown host, TLS, unreachable."""
    where = display_url(url)
    cause = _root_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        reason = cause.verify_message or "certificate verify failed"
        message = (
            f"The TLS certificate of {where} could not be verified ({reason}); if the server "
            "uses its own certificate authority, pass that CA with --ca-file."
        )
    elif isinstance(cause, ssl.SSLError):
        message = (
            f"The TLS handshake with {where} failed ({cause.reason or cause}); check that the "
            "URL's scheme (http or https) matches the server."
        )
    elif isinstance(cause, ConnectionRefusedError) or _errno(cause) == errno.ECONNREFUSED:
        message = (
            f"Cannot connect to {where}: connection refused; check that the server is "
            "running and that the host and port are right."
        )
    elif isinstance(cause, socket.gaierror):
        message = f"Cannot connect to {where}: the host name is unknown; check the URL."
    else:
        message = f"Cannot connect to {where} ({_describe(cause)}); check the URL and the network."
    return RemoteEngineError(message, endpoint_unusable=True)


def timed_out(url: str, seconds: float, *, connecting: bool) -> RemoteEngineError:
    """The server did not accept the connection, or did not answer, in time."""
    where = display_url(url)
    if connecting:
        return RemoteEngineError(
            f"Cannot connect to {where}: no answer within {seconds:g} s; check the host, "
            "port and firewall.",
            endpoint_unusable=True,
        )
    return RemoteEngineError(
        f"{where} did not finish within {seconds:g} s; try again, or give it a longer "
        "timeout (Settings → Engine → Add…, 'saytype engines add --timeout', or --timeout)."
    )


def connection_dropped(url: str, exc: BaseException) -> RemoteEngineError:
    """The connection broke while the request or the reply was on its way."""
    # A plain-http request to a TLS port is reset this way, so say that too.
    scheme = " (or use https:// if the server expects TLS)" if url.startswith("http:") else ""
    return RemoteEngineError(
        f"The connection to {display_url(url)} broke during the request "
        f"({_describe(_root_cause(exc))}); try again{scheme}, and check the server's log "
        "if it recurs."
    )


def refused_by_status(
    url: str, status: int, body: bytes, attempts: int, *, location: str | None = None
) -> RemoteEngineError:
    """The server answered with an error status (after ``attempts`` tries).

    A redirect (``location``) is never followed: audio goes only where the user said.
    """
    where = display_url(url)
    if 300 <= status < 400:
        try:
            target = display_url(location) if location else "another address"
        except ValueError:  # a port that is not a number
            target = "another address"
        return RemoteEngineError(
            f"{where} redirects to {target} ({status}); Saytype sends audio only to the URL "
            "you gave, so use that address instead if you trust it.",
            endpoint_unusable=True,
        )
    summary = summarise_error_body(body)
    said = f"{status}: {summary}" if summary else str(status)
    if status in {401, 403}:
        return RemoteEngineError(
            f"{where} refused the API key ({said}); give it a key it accepts "
            "(Settings → Engine, or SAYTYPE_API_KEY).",
            endpoint_unusable=True,
        )
    if status in {404, 405}:
        return RemoteEngineError(
            f"{where} has no OpenAI-compatible transcription endpoint ({said}); check the URL, "
            "which usually ends in /v1.",
            endpoint_unusable=True,
        )
    if status == 413:
        return RemoteEngineError(
            f"{where} refused the audio as too large ({said}); raise the server's upload "
            "limit or transcribe this file locally."
        )
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 429 or status >= 500:
        return RemoteEngineError(f"{where} failed ({said}){tries}; try again later.")
    return RemoteEngineError(f"{where} rejected the request ({said}).")


def malformed_reply(url: str, reason: str) -> RemoteEngineError:
    """A 2xx reply that is not a verbose_json transcription."""
    return RemoteEngineError(
        f"{display_url(url)} sent a reply that is not a transcription ({reason}); check that "
        "the URL is an OpenAI-compatible speech-to-text server.",
        endpoint_unusable=True,
    )


def chunk_failed(
    error: RemoteEngineError, index: int, count: int, start_s: float
) -> RemoteEngineError:
    """Chunk ``index`` (from 0) of ``count`` failed, so the whole file has no transcript."""
    message = str(error)
    minutes, seconds = divmod(int(start_s), 60)
    return RemoteEngineError(
        f"Part {index + 1} of {count} of the file (from {minutes}:{seconds:02d}) failed, so "
        f"nothing was kept: {message[:1].lower()}{message[1:]}",
        endpoint_unusable=error.endpoint_unusable,
    )


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception: httpx wraps httpcore's, which wraps the OSError."""
    seen = {id(exc)}
    while True:
        inner = exc.__cause__ or exc.__context__
        if inner is None or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def _errno(exc: BaseException) -> int | None:
    return exc.errno if isinstance(exc, OSError) else None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.rstrip(".").lower()
    text = " ".join(str(exc).split()).rstrip(".")
    return text or type(exc).__name__
