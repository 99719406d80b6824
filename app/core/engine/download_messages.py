"""What a failed model download tells the user: one sentence on what happened and what to do.

A server that answers with an error refused the file; a connection that drops after
the server was reached broke the download (which resumes); no answer at all means
the hub cannot be reached; a write that fails is the disk's fault, with the disk
full named as such.
"""

from __future__ import annotations

import errno
from http import HTTPStatus
from pathlib import Path

from app.core.engine.model_integrity import RemoteFile


def is_transport_error(exc: BaseException) -> bool:
    try:
        import httpx2
    except ImportError:  # an older huggingface_hub on httpx or requests
        return isinstance(exc, ConnectionError)
    return isinstance(exc, (httpx2.TransportError, ConnectionError))


def http_status(exc: BaseException) -> int:
    """The HTTP status of a server's error answer (0: no answer, or not an HTTP error)."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", 0)
    return status if isinstance(status, int) and status >= 400 else 0


def refused_message(endpoint: str, remote: RemoteFile, exc: BaseException) -> str:
    status = http_status(exc)
    try:
        answer = f"HTTP {status}, {HTTPStatus(status).phrase}"
    except ValueError:  # a status Python does not name
        answer = f"HTTP {status}"
    if 400 <= status < 500 and status not in {408, 429}:  # asked wrongly: waiting mends nothing
        advice = "The model may have moved, or the server wants a login."
    else:
        advice = "Try again later; what was downloaded so far is kept."
    return f"{endpoint} refused to send {remote.name} ({answer}). {advice}"


def network_message(endpoint: str, exc: BaseException, resumable: bool = False) -> str:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if resumable:  # the server was reached: the connection broke during the download
        return (
            f"The connection to {endpoint} broke during the download. Download again to "
            f"resume where it stopped. ({detail})"
        )
    return (
        f"Could not reach {endpoint}: is this computer online? Check the connection "
        f"and try again. ({detail})"
    )


def disk_message(partial: Path, remote: RemoteFile, exc: OSError) -> str:
    if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
        return (
            f"The disk is full: {remote.name} could not be saved in {partial.parent}. "
            "Free some space and download again to resume."
        )
    return f"Cannot write {remote.name} in {partial}: {describe_os_error(exc)}."


def describe_os_error(exc: OSError) -> str:
    return exc.strerror or str(exc)
