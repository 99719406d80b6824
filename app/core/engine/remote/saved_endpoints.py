"""Adding and removing a saved endpoint as one step: the book on disk and the key in the keyring.

Settings → Engine calls these off the GUI thread (the keyring may wait on a
D-Bus service or an unlock prompt, the file on the disk). Each reads the book
from disk first, so a change made meanwhile with ``saytype engines`` is kept,
and returns the book as saved. A key goes to the keyring before the endpoint
is saved, so a refused key leaves nothing half-saved.
"""

from __future__ import annotations

import dataclasses

from app.core.engine.remote.api_keys import KeyringUnavailable, delete_api_key, set_api_key
from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook, EndpointError
from app.core.engine.remote.endpoint_file import load_endpoints, save_endpoints


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


def remove_endpoint(name: str) -> tuple[EndpointBook, str]:
    """Forget the endpoint ``name`` and its API key; the saved book and a sentence for the user.

    Removing the active endpoint makes the local engine active.

    Raises:
        EndpointError: no endpoint of that name is saved.
        SettingsError: the endpoints file could not be written.
    """
    book = load_endpoints().book.without(name)
    save_endpoints(book)
    try:
        delete_api_key(name)
    except KeyringUnavailable as exc:
        return book, f"Removed {name}, but its API key may still be in the keyring: {exc}"
    return book, f"Removed {name}."
