"""A real system keyring for the settings tests that save API keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.keyring_session import KeyringSession, running_keyring


@pytest.fixture(scope="module")
def keyring_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyringSession]:
    with running_keyring(tmp_path_factory.mktemp("keyring")) as session:
        yield session


@pytest.fixture
def real_keyring(
    keyring_session: KeyringSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """keyring in this process on the private GNOME Keyring, as on a desktop."""
    import keyring
    from keyring.backends import SecretService

    # Taken before the private session's environment: made lazily under it, the backend put
    # back afterwards talked to that session's bus once it was gone, and the tests after
    # this one waited on it.
    previous = keyring.get_keyring()
    for name, value in keyring_session.env().items():
        monkeypatch.setenv(name, value)
    keyring.set_keyring(SecretService.Keyring())
    yield
    keyring.set_keyring(previous)
