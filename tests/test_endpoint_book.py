"""Saved endpoints: validated records, one active at most, kept in a file that never holds a key."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook, EndpointError
from app.core.engine.remote.endpoint_file import (
    endpoints_path,
    load_endpoints,
    save_endpoints,
)

BOX = Endpoint("gpu-box", "https://asr.example.org/v1", "openai", model="large-v3", language="en")
HOME = Endpoint("home", "wyoming://127.0.0.1:10300", "wyoming", timeout_s=30)


def test_a_new_book_is_local() -> None:
    book = EndpointBook()
    assert book.active_endpoint is None
    assert load_endpoints().book == book  # no file yet: nothing saved, nothing remote


def test_endpoints_are_added_replaced_activated_and_removed() -> None:
    book = EndpointBook().with_endpoint(BOX).with_endpoint(HOME)
    assert [e.name for e in book.endpoints] == ["gpu-box", "home"]
    book = book.activated("home")
    assert book.active_endpoint == HOME
    moved = Endpoint("home", "wyoming://127.0.0.1:10301", "wyoming")
    book = book.with_endpoint(moved)
    assert [e.url for e in book.endpoints] == [BOX.url, moved.url]  # same place, new URL
    book = book.without("home")
    assert book.active == ""  # removing the active endpoint makes local active again
    assert book.activated("gpu-box").activated("local").active == ""
    with pytest.raises(EndpointError, match="no saved endpoint 'nope'"):
        book.without("nope")
    with pytest.raises(EndpointError, match="no saved endpoint 'nope'"):
        book.activated("nope")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": "local"}, "not 'local'"),
        ({"name": "two words"}, "the name must be"),
        ({"url": "wyoming://h:1"}, "looks like http(s)://HOST/v1"),
        ({"protocol": "grpc"}, "protocol must be one of openai, wyoming"),
        ({"language": "English"}, "not a language code"),
        ({"timeout_s": 0}, "positive number of seconds"),
        ({"timeout_s": True}, "number of seconds"),
        ({"model": 3}, "must be texts"),
    ],
)
def test_an_invalid_endpoint_says_what_to_fix(fields: dict[str, object], says: str) -> None:
    values: dict[str, object] = {"name": "box", "url": "http://h:1/v1", "protocol": "openai"}
    with pytest.raises(EndpointError, match=re.escape(says)):
        Endpoint(**(values | fields))  # type: ignore[arg-type]


def test_the_book_round_trips_owner_only_and_holds_no_key() -> None:
    book = EndpointBook((BOX, HOME), active="gpu-box")
    save_endpoints(book)
    path = endpoints_path()
    assert path.name == "endpoints.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_endpoints().book == book
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    assert data["fallback"] is True
    assert {key for entry in data["endpoints"] for key in entry} == {
        "name",
        "url",
        "protocol",
        "model",
        "language",
        "timeout_s",
        "ca_file",
        "has_api_key",  # whether the keyring holds one: a flag, never the key
    }


def test_fallback_off_is_kept_and_survives_changes() -> None:
    book = EndpointBook((BOX, HOME)).activated("home", fallback=False)
    save_endpoints(book)
    loaded = load_endpoints().book
    assert (loaded.active, loaded.fallback) == ("home", False)
    assert loaded.without("home").fallback is False
    assert loaded.with_endpoint(BOX).activated("gpu-box").fallback is False


def test_a_version_1_file_is_migrated_and_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.json"
    home = {"name": "home", "url": "wyoming://127.0.0.1:10300", "protocol": "wyoming"}
    path.write_text(
        json.dumps({"schema_version": 1, "active": "home", "endpoints": [home]}), encoding="utf-8"
    )
    loaded = load_endpoints(path)
    assert loaded.notice is None
    assert (loaded.book.active, loaded.book.fallback) == ("home", True)


def test_a_damaged_file_is_set_aside_and_local_is_used(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.json"
    path.write_text("{not json", encoding="utf-8")
    loaded = load_endpoints(path)
    assert loaded.book == EndpointBook()
    assert loaded.notice is not None
    assert "moved to" in loaded.notice
    assert (tmp_path / "endpoints.json.bak").read_text(encoding="utf-8") == "{not json"


def test_a_bad_entry_is_dropped_alone_and_an_unknown_active_means_local(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.json"
    good = {"name": "home", "url": "wyoming://127.0.0.1:10300", "protocol": "wyoming"}
    bad = {"name": "broken", "url": "ftp://x", "protocol": "openai"}
    path.write_text(
        json.dumps({"schema_version": 1, "active": "broken", "endpoints": [good, bad, 7]}),
        encoding="utf-8",
    )
    loaded = load_endpoints(path)
    assert [e.name for e in loaded.book.endpoints] == ["home"]
    assert loaded.book.active == ""  # never remote by accident
    assert loaded.notice is not None
    assert "broken" in loaded.notice
