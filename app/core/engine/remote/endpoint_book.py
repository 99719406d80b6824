"""Saved remote endpoints: several named servers, at most one of them active.

A team's GPU box, a Home Assistant Wyoming server, a test instance: each is an
:class:`Endpoint` the user names once (``saytype engines add``) and then picks
by name (``--engine NAME``, Settings → Engine). The book holds no secret: API
keys live in the system keyring (:mod:`app.core.engine.remote.api_keys`),
looked up by the endpoint's name. Remote is never the default: a new book has
no active endpoint, so everything runs locally until the user chooses otherwise.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

Protocol = Literal["openai", "wyoming"]
PROTOCOLS: tuple[Protocol, ...] = ("openai", "wyoming")
DEFAULT_TIMEOUT_S = 600.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Names that --engine reads as something else.
_RESERVED = frozenset({"local"})


class EndpointError(ValueError):
    """An endpoint or a change to the book is not valid; ``str()`` says what to fix."""


@dataclass(frozen=True)
class Endpoint:
    """One saved transcription server.

    Attributes:
        name: what the user calls it (``--engine NAME``); letters, digits, ``.``, ``_``, ``-``.
        url: ``http(s)://HOST:PORT/v1`` (OpenAI-compatible) or ``wyoming://HOST:PORT``.
        protocol: ``"openai"`` or ``"wyoming"``, as the URL's scheme says.
        model: the model name sent to the server ("" = the server's default).
        language: a language code sent with the audio ("" = the server detects it).
        timeout_s: longest wait for the server.
        ca_file: a PEM file of CA certificates to trust for https ("" = the system's).
        has_api_key: an API key was saved for it in the system keyring. Without one the
            keyring is never asked (it may prompt to create or unlock a keyring, and a
            dictation waited behind that prompt). True in files from before it existed.
    """

    name: str
    url: str
    protocol: Protocol
    model: str = ""
    language: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S
    ca_file: str = ""
    has_api_key: bool = True

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem is not None:
            raise EndpointError(f"Endpoint '{self.name}': {problem}.")


def protocol_of(url: str) -> Protocol | None:
    """The protocol a URL's scheme stands for, or None for any other scheme."""
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme in {"http", "https"}:
        return "openai"
    return "wyoming" if scheme == "wyoming" else None


def _problem(endpoint: Endpoint) -> str | None:
    texts = (endpoint.name, endpoint.url, endpoint.protocol, endpoint.model, endpoint.language)
    if not all(isinstance(text, str) for text in (*texts, endpoint.ca_file)):
        return "its name, URL, protocol, model, language and CA file must be texts"
    if not isinstance(endpoint.has_api_key, bool):
        return "has_api_key must be true or false"
    if isinstance(endpoint.timeout_s, bool) or not isinstance(endpoint.timeout_s, (int, float)):
        return "the timeout must be a number of seconds"
    if not _NAME.fullmatch(endpoint.name) or endpoint.name.lower() in _RESERVED:
        return (
            "the name must be 1 to 64 letters, digits, '.', '_' or '-' (starting with a "
            "letter or digit), and not 'local'"
        )
    if endpoint.protocol not in PROTOCOLS:
        return f"the protocol must be one of {', '.join(PROTOCOLS)}, not {endpoint.protocol!r}"
    if protocol_of(endpoint.url) != endpoint.protocol:
        wanted = "wyoming://HOST:PORT" if endpoint.protocol == "wyoming" else "http(s)://HOST/v1"
        return f"a {endpoint.protocol} endpoint's URL looks like {wanted}, not {endpoint.url!r}"
    if endpoint.language and not _LANGUAGE.fullmatch(endpoint.language):
        return f"{endpoint.language!r} is not a language code such as 'en'"
    if not (math.isfinite(endpoint.timeout_s) and endpoint.timeout_s > 0):
        return f"the timeout must be a positive number of seconds, not {endpoint.timeout_s}"
    if endpoint.ca_file and endpoint.protocol != "openai":
        return "a CA file only applies to https:// endpoints"
    return None


@dataclass(frozen=True)
class EndpointBook:
    """Every saved endpoint, in the order added, and the active one's name ("" = local).

    ``fallback``: when the active endpoint fails, the local model finishes that
    dictation (the default); off, the dictation fails and its recording is kept.
    Changes return a new book; the caller saves it
    (:func:`app.core.engine.remote.endpoint_file.save_endpoints`).
    """

    endpoints: tuple[Endpoint, ...] = ()
    active: str = ""
    fallback: bool = True

    def __post_init__(self) -> None:
        names = [endpoint.name for endpoint in self.endpoints]
        if len(set(names)) != len(names):
            raise EndpointError("Two saved endpoints have the same name.")
        if self.active and self.active not in names:
            raise EndpointError(f"The active endpoint '{self.active}' is not saved.")

    def get(self, name: str) -> Endpoint | None:
        """The endpoint called ``name``, or None."""
        return next((e for e in self.endpoints if e.name == name), None)

    @property
    def active_endpoint(self) -> Endpoint | None:
        """The endpoint dictation uses, or None when the local engine is active."""
        return self.get(self.active) if self.active else None

    def with_endpoint(self, endpoint: Endpoint) -> EndpointBook:
        """The book with ``endpoint`` added, or replacing the one of the same name."""
        if self.get(endpoint.name) is None:
            return dataclasses.replace(self, endpoints=(*self.endpoints, endpoint))
        replaced = tuple(endpoint if e.name == endpoint.name else e for e in self.endpoints)
        return dataclasses.replace(self, endpoints=replaced)

    def without(self, name: str) -> EndpointBook:
        """The book without the endpoint ``name`` (local becomes active if it was).

        Raises:
            EndpointError: there is no such endpoint.
        """
        if self.get(name) is None:
            raise EndpointError(f"There is no saved endpoint '{name}'; see 'saytype engines list'.")
        return EndpointBook(
            tuple(e for e in self.endpoints if e.name != name),
            "" if self.active == name else self.active,
            self.fallback,
        )

    def activated(self, name: str, fallback: bool | None = None) -> EndpointBook:
        """The book with ``name`` active ("" or "local": the local engine), and ``fallback``
        when given.

        Raises:
            EndpointError: there is no such endpoint.
        """
        fallback = self.fallback if fallback is None else fallback
        if name in {"", "local"}:
            return dataclasses.replace(self, active="", fallback=fallback)
        if self.get(name) is None:
            raise EndpointError(f"There is no saved endpoint '{name}'; see 'saytype engines list'.")
        return dataclasses.replace(self, active=name, fallback=fallback)
