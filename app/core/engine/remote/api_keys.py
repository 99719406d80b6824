"""API keys of saved endpoints, kept in the system keyring and nowhere else.

The ``keyring`` package reaches the desktop's secret store (GNOME Keyring or
KWallet through the Secret Service, the macOS Keychain, Windows' Credential
Locker), so a key is encrypted at rest and never written to
``settings.json``, ``endpoints.json`` or the logs. Keys are stored under the
service ``saytype`` with the endpoint's name as the user name. A missing or
locked keyring becomes one sentence that says what to do.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.engine.remote.endpoint_book import Endpoint

log = logging.getLogger(__name__)

SERVICE = "saytype"
KEYRING_WAIT_S = 5.0  # a dictation's key: longer, and the keyring is asking for something


class KeyringUnavailable(Exception):
    """The system keyring cannot be used; ``str()`` says why and what to do."""


def _unavailable(exc: Exception) -> KeyringUnavailable:
    reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
    return KeyringUnavailable(
        f"The system keyring cannot be used ({reason}); start and unlock your desktop's "
        "keyring (GNOME Keyring or KWallet), or give the key in SAYTYPE_API_KEY instead."
    )


def get_api_key(endpoint_name: str) -> str:
    """The key saved for ``endpoint_name`` ("" when none is saved).

    Raises:
        KeyringUnavailable: no usable keyring (none installed, locked, refused).
    """
    import keyring
    import keyring.errors

    try:
        key = keyring.get_password(SERVICE, endpoint_name)
    except keyring.errors.KeyringError as exc:
        raise _unavailable(exc) from None
    return key or ""


def saved_api_key(endpoint: Endpoint, wait_s: float = KEYRING_WAIT_S) -> str:
    """The key saved for ``endpoint``, or "" when none is or the keyring is unusable.

    For a dictation that must not fail or hang on the keyring: an endpoint saved
    without a key never asks it, and one that waits longer than ``wait_s`` (a
    password prompt) counts as unusable. An endpoint that needs the key then
    refuses, and its refusal says what to do.
    """
    if not endpoint.has_api_key:
        return ""
    answer: list[str] = []
    problems: list[Exception] = []

    def ask() -> None:
        try:
            answer.append(get_api_key(endpoint.name))
        except Exception as exc:  # reported below, on the caller's thread
            problems.append(exc)

    # The keyring may sit behind a prompt for minutes; only a daemon thread waits that long.
    asking = threading.Thread(target=ask, name="keyring", daemon=True)
    asking.start()
    asking.join(wait_s)
    if answer:
        return answer[0]
    why = (
        problems[0] if problems else f"no answer within {wait_s:g} s: is it asking for a password?"
    )
    log.info("no API key from the keyring for %s: %s", endpoint.name, why)
    return ""


def set_api_key(endpoint_name: str, key: str) -> None:
    """Save ``key`` for ``endpoint_name``, replacing any key it had.

    Raises:
        KeyringUnavailable: no usable keyring; nothing was saved.
    """
    import keyring
    import keyring.errors

    try:
        keyring.set_password(SERVICE, endpoint_name, key)
    except keyring.errors.KeyringError as exc:
        raise _unavailable(exc) from None
    log.info("saved the API key of endpoint %s in the system keyring", endpoint_name)


def delete_api_key(endpoint_name: str) -> bool:
    """Remove the key of ``endpoint_name``; whether there was one.

    Raises:
        KeyringUnavailable: no usable keyring.
    """
    import keyring
    import keyring.errors

    try:
        if keyring.get_password(SERVICE, endpoint_name) is None:
            return False
        keyring.delete_password(SERVICE, endpoint_name)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise _unavailable(exc) from None
    log.info("removed the API key of endpoint %s from the system keyring", endpoint_name)
    return True
