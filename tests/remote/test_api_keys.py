"""The API key a dictation sends: asked of the keyring only when one was saved, never waited on.

A new user's dictation through a server saved without a key sat in "Finishing…" for
over a minute behind GNOME Keyring's "Choose password for new keyring", and Test did
too. The keyring here is a backend that asks as such a prompt does: until told to stop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.core.engine.remote.api_keys import saved_api_key
from app.core.engine.remote.endpoint_book import Endpoint


class PromptingKeyring(KeyringBackend):
    """A keyring whose every lookup waits for the user (a prompt nobody answers yet)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self.answered = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.asked += 1
        self.answered.wait(30)
        return "sk-after-the-prompt"

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


@pytest.fixture
def prompting() -> Iterator[PromptingKeyring]:
    backend = PromptingKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    backend.answered.set()  # the waiting thread ends
    keyring.set_keyring(previous)


def test_a_server_saved_without_a_key_never_asks_the_keyring(prompting: PromptingKeyring) -> None:
    endpoint = Endpoint("box", "http://127.0.0.1:9/v1", "openai", has_api_key=False)
    assert saved_api_key(endpoint) == ""
    assert prompting.asked == 0


def test_a_keyring_that_waits_on_a_prompt_is_given_up_on(prompting: PromptingKeyring) -> None:
    endpoint = Endpoint("box", "http://127.0.0.1:9/v1", "openai")  # a key was saved
    assert saved_api_key(endpoint, wait_s=0.2) == ""
    assert prompting.asked == 1  # and still waiting: the dictation did not wait with it
    prompting.answered.set()
    assert saved_api_key(endpoint, wait_s=10) == "sk-after-the-prompt"  # answered in time
