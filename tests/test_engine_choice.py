"""``--engine``: 'local', a saved endpoint, or a server's URL; anything else is refused clearly."""

from __future__ import annotations

import re

import pytest

from app.core.engine.engine_choice import EngineChoice, EngineChoiceError, parse_engine
from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook
from app.core.engine.remote.remote_errors import display_url


@pytest.mark.parametrize("text", ["local", "LOCAL", " local "])
def test_local_is_the_offline_engine(text: str) -> None:
    choice = parse_engine(text)
    assert choice.kind == "local"
    assert not choice.remote


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("https://asr.example.org/v1/", "https://asr.example.org/v1"),
        ("http://[::1]:9000/v1", "http://[::1]:9000/v1"),
    ],
)
def test_a_url_is_an_openai_compatible_server(text: str, url: str) -> None:
    choice = parse_engine(text)
    assert (choice.kind, choice.url, choice.remote) == ("openai", url, True)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("wyoming://127.0.0.1", "wyoming://HOST:PORT, with a port"),
        ("wyoming://127.0.0.1:10300/asr", "nothing after it"),
        ("my-gpu-box", "a saved endpoint's name (see 'saytype engines list')"),
        ("ftp://host/v1", "is not an engine"),
        ("http://:8000/v1", "needs a host"),
        ("http://host:99999/v1", "valid port"),
        ("http://host/v1?key=1", "without '?'"),
    ],
)
def test_anything_else_is_refused_with_what_to_write(text: str, says: str) -> None:
    with pytest.raises(EngineChoiceError, match=re.escape(says)):
        parse_engine(text)


def test_a_wyoming_url_is_a_wyoming_server() -> None:
    choice = parse_engine("wyoming://127.0.0.1:10300/")
    assert (choice.kind, choice.url, choice.remote) == (
        "wyoming",
        "wyoming://127.0.0.1:10300",
        True,
    )


def test_a_saved_name_is_its_endpoint() -> None:
    box = Endpoint("gpu-box", "https://asr.example.org/v1", "openai", model="large-v3")
    home = Endpoint("home", "wyoming://10.0.0.2:10300", "wyoming")
    book = EndpointBook((box, home))
    assert parse_engine("gpu-box", book) == EngineChoice("openai", box.url, box)
    assert parse_engine("home", book) == EngineChoice("wyoming", home.url, home)
    assert parse_engine("local", book).kind == "local"  # 'local' can never be a saved name
    with pytest.raises(EngineChoiceError, match="saved endpoint's name"):
        parse_engine("gpu-box2", book)


def test_credentials_in_a_url_are_never_shown() -> None:
    assert display_url("https://me:secret@asr.example.org:8443/v1") == (
        "https://asr.example.org:8443/v1"
    )
