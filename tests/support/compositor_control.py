"""The ``saytype`` that a test's sway runs from its key bindings, and its way to the app.

A person runs sway and Saytype as one user, so sway's ``exec saytype start``
finds Saytype's socket in their own runtime folder. As root the tests cannot:
sway refuses root and runs as another user (tests/support/sway_session.py),
who can read neither this virtualenv (its Python lives under root's home) nor
root's 0700 socket folder. So:

* :func:`compositor_client` puts the CLI's control client (standard library
  only) where that user can read it, with a ``saytype`` shim run by the system
  Python, for sway's ``PATH``;
* :func:`hand_socket_to` makes a listening socket reachable by that user at the
  path their ``saytype`` uses (``$XDG_RUNTIME_DIR/saytype/control.sock``): a
  hard link in a 0700 folder of theirs, the socket theirs to connect to. The
  server must also accept their uid (``saytype --control-user``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ci import fail_missing
from tests.support.sway_session import SwaySession

_REPO = Path(__file__).resolve().parents[2]
_SYSTEM_PYTHON = "/usr/bin/python3"
_CLIENT_MODULES = ("app/core/control_channel.py", "app/commands/control.py")
_SHIM = """#!/bin/sh
exec {python} -c 'import sys; sys.path.insert(0, "{folder}"); \
import argparse; from app.commands import control; \
sys.exit(control.run(argparse.Namespace(control_command=sys.argv[1])))' "$@"
"""


def saytype_keys(*args: str) -> str:
    """What ``saytype keys ARGS`` prints."""
    result = subprocess.run(
        [sys.executable, "-m", "app", "keys", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=_REPO,
    )
    return result.stdout


@contextmanager
def compositor_client() -> Iterator[Path]:
    """A folder whose ``bin/saytype`` the compositor's user can run: the CLI's control client."""
    if not Path(_SYSTEM_PYTHON).exists():
        fail_missing(f"needs {_SYSTEM_PYTHON} for the compositor's saytype client")
    folder = Path(tempfile.mkdtemp(prefix="saytype-keys-"))
    try:
        folder.chmod(0o755)
        for module in _CLIENT_MODULES:
            target = folder / module
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(_REPO / module, target)
            for package in (target.parent, target.parent.parent):
                (package / "__init__.py").touch()
        for path in folder.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shim = folder / "bin" / "saytype"
        shim.parent.mkdir(mode=0o755)
        shim.write_text(_SHIM.format(python=_SYSTEM_PYTHON, folder=folder), encoding="utf-8")
        shim.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def session_uid(session: SwaySession) -> int:
    """The uid that runs the session's processes (and so the commands its bindings run)."""
    return os.getuid() if session.user is None else pwd.getpwnam(session.user).pw_uid


def session_socket_folder(session: SwaySession) -> Path:
    """Where the session user's ``saytype`` looks for the socket: a 0700 folder of theirs."""
    folder = session.runtime_dir / "saytype"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chown(folder, session_uid(session), -1)
    return folder


def hand_socket_to(socket: Path, session: SwaySession) -> None:
    """Make the listening ``socket`` the one the session user's ``saytype`` connects to.

    A hard link reaches the same socket without opening the listener's own
    folder (both live under /tmp); the socket becomes the session user's, as it
    would be were they the user who runs Saytype.
    """
    link = session_socket_folder(session) / "control.sock"
    link.unlink(missing_ok=True)
    os.link(socket, link)
    os.chown(link, session_uid(session), -1)
