"""A keyring backend that writes down every question it is asked, for ``PYTHON_KEYRING_BACKEND``.

A desktop's keyring may answer a question with a password prompt (GNOME Keyring:
"Choose password for new keyring"), and a command waits on it with no output.
Commands that have no reason to ask must not: this backend lets a test see that
they did not, in a subprocess, by the file named in ``SAYTYPE_TEST_KEYRING_LOG``.
"""

from __future__ import annotations

import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

LOG_VARIABLE = "SAYTYPE_TEST_KEYRING_LOG"


class AskingKeyring(KeyringBackend):
    """Knows no password; notes each question in the log file."""

    priority = 1  # type: ignore[assignment]  # chosen by name only

    def _note(self, question: str) -> None:
        with Path(os.environ[LOG_VARIABLE]).open("a", encoding="utf-8") as log:
            log.write(question + "\n")

    def get_password(self, service: str, username: str) -> str | None:
        self._note(f"get {service} {username}")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._note(f"set {service} {username}")

    def delete_password(self, service: str, username: str) -> None:
        self._note(f"delete {service} {username}")
        raise PasswordDeleteError("no such password")
