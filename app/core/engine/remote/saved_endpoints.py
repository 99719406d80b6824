"""Adding, changing and removing a saved endpoint as one step: the book on disk and the key
in the keyring.

Settings → Engine calls these off the GUI thread (the keyring may wait on a
D-Bus service or an unlock prompt, the file on the disk). Each reads the book
from disk first, so a change made meanwhile with ``saytype engines`` is kept,
and returns the book as saved. A key goes to the keyring before the endpoint
is saved, so a refused key leaves nothing half-saved.
"""

from __future__ import annotations

import dataclasses
import logging

from app.core.engine.remote.api_keys import (
    KeyringUnavailable,
    delete_api_key,
    get_api_key,
    set_api_key,
)
from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook, EndpointError
from app.core.engine.remote.endpoint_file import load_endpoints, save_endpoints

log = logging.getLogger(__name__)


def add_endpoint(endpoint: Endpoint, api_key: str = "") -> EndpointBook:
    """Save ``endpoint`` (a new name) and, when given, its API key in the system keyring.

    Raises:
        EndpointError: an endpoint of that name is saved already.
        KeyringUnavailable: the key could not be stored; nothing was saved.
        SettingsError: the endpoints file could not be written.
    """
    book = load_endpoints().book
    if book.get(endpoint.name) is not None:
        raise EndpointError(
            f"There is already a server called {endpoint.name}; pick another name, or remove "
            "that one first."
        )
    if api_key:
        set_api_key(endpoint.name, api_key)
    book = book.with_endpoint(dataclasses.replace(endpoint, has_api_key=bool(api_key)))
    save_endpoints(book)
    return book


def edit_endpoint(old_name: str, endpoint: Endpoint, api_key: str | None = None) -> EndpointBook:
    """Save ``endpoint`` in place of ``old_name``, in its place in the list; it may be renamed.

    ``api_key``: a new key; "" forgets the saved one; None keeps it (under the new name,
    when renamed). An active endpoint stays active under its new name.

    Raises:
        EndpointError: ``old_name`` is no longer saved, or the new name is taken.
        KeyringUnavailable: a key could not be stored or moved; nothing was saved.
        SettingsError: the endpoints file could not be written.
    """
    book = load_endpoints().book
    old = book.get(old_name)
    if old is None:
        raise EndpointError(f"{old_name} is no longer saved (removed meanwhile?); add it again.")
    renamed = endpoint.name != old_name
    if renamed and book.get(endpoint.name) is not None:
        raise EndpointError(f"There is already a server called {endpoint.name}; pick another name.")
    key = get_api_key(old_name) if api_key is None and renamed and old.has_api_key else api_key
    if key:
        set_api_key(endpoint.name, key)
    has_key = old.has_api_key if key is None else bool(key)
    changed = dataclasses.replace(endpoint, has_api_key=has_key)
    book = dataclasses.replace(
        book,
        endpoints=tuple(changed if e.name == old_name else e for e in book.endpoints),
        active=endpoint.name if book.active == old_name else book.active,
    )
    save_endpoints(book)
    if (renamed or key == "") and old.has_api_key:
        try:
            delete_api_key(old_name)
        except KeyringUnavailable as exc:
            log.warning("the old API key of %s stays in the keyring: %s", old_name, exc)
    return book


def remove_endpoint(name: str) -> tuple[EndpointBook, str]:
    """Forget the endpoint ``name`` and its API key; the saved book and a sentence for the user.

    Removing the active endpoint makes the local engine active.

    Raises:
        EndpointError: no endpoint of that name is saved.
        SettingsError: the endpoints file could not be written.
    """
    before = load_endpoints().book
    book = before.without(name)
    save_endpoints(book)
    gone = before.get(name)
    if gone is not None and not gone.has_api_key:
        return (
            book,
            f"Removed {name}.",
        )  # no key was saved: the keyring is not asked (it may prompt)
    try:
        delete_api_key(name)
    except KeyringUnavailable as exc:
        return book, f"Removed {name}, but its API key may still be in the keyring: {exc}"
    return book, f"Removed {name}."
