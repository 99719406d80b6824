"""What ``--engine`` names: the local faster-whisper model or a remote server's URL.

Remote is never a default: only an explicit ``http://`` or ``https://`` URL
sends audio off the machine, so the offline guarantee of the local engine
(:mod:`app.core.offline`) holds whenever no URL was given. Saved endpoint
names and ``wyoming://`` servers are planned (issue 24) and refused here with
a sentence that says so, rather than being mistaken for something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

LOCAL: Literal["local"] = "local"


class EngineChoiceError(ValueError):
    """``--engine`` names nothing Saytype can use; the message says what would work."""


@dataclass(frozen=True)
class EngineChoice:
    """The engine a command runs on.

    Attributes:
        kind: ``"local"`` (faster-whisper in this process) or ``"openai"`` (an
            OpenAI-compatible HTTP server).
        url: the server's base URL without a trailing slash (``…/v1``); empty for local.
    """

    kind: Literal["local", "openai"]
    url: str = ""

    @property
    def remote(self) -> bool:
        """Whether audio leaves this process."""
        return self.kind != LOCAL


def parse_engine(text: str) -> EngineChoice:
    """Read ``local`` or an ``http(s)://HOST[:PORT]/PATH`` base URL.

    Raises:
        EngineChoiceError: anything else, with what to write instead.
    """
    value = text.strip()
    if value.lower() == LOCAL:
        return EngineChoice(LOCAL)
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme == "wyoming":
        raise EngineChoiceError(
            f"'{value}': Wyoming servers are not supported yet; use an OpenAI-compatible "
            "server's URL such as http://HOST:PORT/v1."
        )
    if scheme not in {"http", "https"}:
        raise EngineChoiceError(
            f"'{value}' is not an engine: use 'local' or an OpenAI-compatible server's URL "
            "such as http://HOST:PORT/v1 (saved endpoint names are not supported yet)."
        )
    try:
        port = parts.port  # raises on a port that is not a number in range
    except ValueError:
        port = -1
    if not parts.hostname or port == -1:
        raise EngineChoiceError(f"'{value}' is not a valid URL: it needs a host and a valid port.")
    if parts.query or parts.fragment:
        raise EngineChoiceError(f"'{value}': give the server's base URL, without '?' or '#'.")
    return EngineChoice("openai", value.rstrip("/"))
