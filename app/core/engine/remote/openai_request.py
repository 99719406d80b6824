"""One transcription request to an OpenAI-compatible server: the POST, its retries, its TLS.

429 and 5xx replies are retried a bounded number of times with exponential
backoff (or the server's ``Retry-After``, capped); every other failure becomes
one sentence from :mod:`~app.core.engine.remote.remote_errors` at once. The
upload streams from the chunk's file on disk. TLS certificates are always
verified, against the system's store or a CA file the user gives; there is no
switch to turn that off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.engine.remote import remote_errors
from app.core.engine.remote.remote_errors import RemoteEngineError, display_url

if TYPE_CHECKING:
    import httpx2

    from app.core.engine.file_transcriber import TranscribeOptions
    from app.core.engine.remote.openai_engine import OpenAIEndpoint
    from app.core.engine.remote.upload_audio import UploadAudio

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 30.0  # a longer Retry-After is capped, not obeyed blindly


async def post_transcription(
    client: httpx2.AsyncClient,
    endpoint: OpenAIEndpoint,
    audio: UploadAudio,
    options: TranscribeOptions,
) -> bytes:
    """POST one WAV, retrying 429 and 5xx; the body of the successful reply.

    Raises:
        RemoteEngineError: the connection failed or broke, timed out, or the server
            answered an error (a retried one after its last attempt).
    """
    import httpx2

    url = f"{endpoint.url}/audio/transcriptions"
    where = display_url(endpoint.url)
    fields = {"model": endpoint.model, "response_format": "verbose_json"}
    if options.language:
        fields["language"] = options.language
    if options.vocabulary:  # OpenAI's way to spell names: a prompt
        fields["prompt"] = ", ".join(options.vocabulary)
    for attempt in range(1, endpoint.attempts + 1):
        try:
            # httpx rewinds the file for each attempt and streams it from disk.
            response = await client.post(
                url, data=fields, files={"file": ("audio.wav", audio.wav, "audio/wav")}
            )
        except httpx2.ConnectTimeout:
            raise remote_errors.timed_out(
                endpoint.url, endpoint.connect_timeout_s, connecting=True
            ) from None
        except httpx2.TimeoutException:
            raise remote_errors.timed_out(
                endpoint.url, endpoint.timeout_s, connecting=False
            ) from None
        except httpx2.ConnectError as exc:
            raise remote_errors.connect_failed(endpoint.url, exc) from None
        except httpx2.TransportError as exc:
            raise remote_errors.connection_dropped(endpoint.url, exc) from None
        status = response.status_code
        if response.is_success:
            log.info("%s answered %d after %d attempt(s)", where, status, attempt)
            return response.content
        if status not in _RETRY_STATUSES or attempt == endpoint.attempts:
            raise remote_errors.refused_by_status(
                endpoint.url,
                status,
                response.content,
                attempt,
                location=response.headers.get("location"),
            )
        delay = _retry_delay(response.headers.get("retry-after"), endpoint.backoff_s, attempt)
        log.info("%s answered %d; retry %d in %.1f s", where, status, attempt, delay)
        await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _retry_delay(retry_after: str | None, backoff_s: float, attempt: int) -> float:
    """The server's Retry-After in seconds (capped), else exponential backoff."""
    if retry_after is not None:
        with contextlib.suppress(ValueError):
            return min(max(0.0, float(retry_after)), _MAX_RETRY_AFTER_S)
    return float(min(backoff_s * 2 ** (attempt - 1), _MAX_RETRY_AFTER_S))


def tls_context(ca_file: Path | None) -> ssl.SSLContext | bool:
    """True (httpx2 verifies against the system's store) or a context trusting ``ca_file``."""
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RemoteEngineError(
            f"Cannot use the CA file {ca_file}: {reason.rstrip('.')}; give a PEM file of "
            "CA certificates."
        ) from None
