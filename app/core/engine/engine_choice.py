"""What ``--engine`` names: the local model, a saved endpoint, or a remote server's URL.

Remote is never a default: only an explicit URL (``http(s)://`` for an
OpenAI-compatible server, ``wyoming://`` for a Wyoming one) or the name of an
endpoint the user saved sends audio off the machine, so the offline guarantee
of the local engine (:mod:`app.core.offline`) holds whenever neither was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook

LOCAL: Literal["local"] = "local"


class EngineChoiceError(ValueError):
    """``--engine`` names nothing Saytype can use; the message says what would work."""


@dataclass(frozen=True)
class EngineChoice:
    """The engine a command runs on.

    Attributes:
        kind: ``"local"`` (faster-whisper in this process), ``"openai"`` (an
            OpenAI-compatible HTTP server) or ``"wyoming"`` (a Wyoming server).
        url: the server's base URL without a trailing slash (``…/v1`` or
            ``wyoming://HOST:PORT``); empty for local.
        saved: the saved endpoint named on the command line, with its model,
            language, timeout and CA file; None for local or a bare URL.
    """

    kind: Literal["local", "openai", "wyoming"]
    url: str = ""
    saved: Endpoint | None = None

    @property
    def remote(self) -> bool:
        """Whether audio leaves this process."""
        return self.kind != LOCAL


def parse_engine(text: str, saved: EndpointBook | None = None) -> EngineChoice:
    """Read ``local``, a name from ``saved``, ``http(s)://HOST[:PORT]/PATH`` or
    ``wyoming://HOST:PORT``.

    Raises:
        EngineChoiceError: anything else, with what to write instead.
    """
    value = text.strip()
    if value.lower() == LOCAL:
        return EngineChoice(LOCAL)
    endpoint = saved.get(value) if saved is not None and "://" not in value else None
    if endpoint is not None:
        choice = parse_url(endpoint.url)
        return EngineChoice(choice.kind, choice.url, endpoint)
    return parse_url(value)


def parse_url(value: str, *, url_only: bool = False) -> EngineChoice:
    """Read a remote server's URL: ``http(s)://HOST[:PORT]/PATH`` or ``wyoming://HOST:PORT``.

    ``url_only``: where only a URL will do (saving an endpoint), the message names no
    other kind of engine.

    Raises:
        EngineChoiceError: anything else, with what to write instead.
    """
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https", "wyoming"}:
        servers = (
            "an OpenAI-compatible server's URL such as http://HOST:PORT/v1, or a Wyoming "
            "server's such as wyoming://HOST:10300."
        )
        if url_only:
            raise EngineChoiceError(f"'{value}' is not a server URL: give {servers}")
        raise EngineChoiceError(
            f"'{value}' is not an engine: use 'local', a saved endpoint's name (see 'saytype "
            f"engines list'), {servers}"
        )
    try:
        port = parts.port  # raises on a port that is not a number in range
    except ValueError:
        port = -1
    if not parts.hostname or port == -1:
        raise EngineChoiceError(f"'{value}' is not a valid URL: it needs a host and a valid port.")
    if parts.query or parts.fragment:
        raise EngineChoiceError(f"'{value}': give the server's base URL, without '?' or '#'.")
    if scheme == "wyoming":
        if parts.port is None or parts.path.strip("/") or parts.username:
            raise EngineChoiceError(
                f"'{value}': a Wyoming server's URL is wyoming://HOST:PORT, with a port and "
                "nothing after it."
            )
        return EngineChoice("wyoming", value.rstrip("/"))
    return EngineChoice("openai", value.rstrip("/"))
