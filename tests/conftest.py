"""Shared fixtures: hermetic user folders, test speech, one shared tiny.en model, test servers."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from tests.support.ci import fail_missing
from tests.support.openai_server import (
    OpenAIServer,
    load_its_model,
    running_openai_server,
    server_missing,
)
from tests.support.speech import SpeechMaker
from tests.support.wyoming_server import WyomingServer, running_wyoming_server
from tests.support.wyoming_server import server_missing as wyoming_server_missing

pytest_plugins = ["tests.support.delivery_fixtures"]  # shared fixtures: see that module

# GUI tests run offscreen unless a test starts its own X server (integration tests do).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def hermetic_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every platformdirs location into tmp_path, and forbid model-hub access.

    The runtime folder (the control socket's) is private to the test too: tests run in
    two processes at once, and an app built in one must not answer another's commands.
    It lies in a short /tmp path, as a Unix socket's path must fit in 108 bytes.
    """
    home = tmp_path / "home"
    for variable, folder in {
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local/share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local/state",
    }.items():
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(variable, str(folder))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # Never the user's own keyring: tests that need one start it (tests/support/keyring_session.py).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("SAYTYPE_API_KEY", raising=False)
    # Off the user's session bus: a desktop test must not pause the user's music.
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with tempfile.TemporaryDirectory(prefix="st-run-", ignore_cleanup_errors=True) as runtime:
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
        yield home


_JOIN_S = 5.0  # threads told to stop by a fixture's teardown get this long to end
# Started once per process by a library and kept on purpose (tqdm's refresh monitor).
_LIBRARY_THREADS = frozenset({"tqdm_monitor"})


@pytest.fixture(autouse=True)
def no_thread_left_running(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves one of its threads (Python or Saytype's QThreads) running.

    Threads that module- and session-wide fixtures own (an X server watcher, the
    shared model) started before this snapshot, so they do not count.
    """
    before = set(threading.enumerate())
    yield
    started = [
        thread
        for thread in threading.enumerate()
        if thread not in before
        and thread.is_alive()
        # Dummy entries stand for threads Python did not start (Qt's): QThreads are checked below.
        and not isinstance(thread, threading._DummyThread)
        and thread.name not in _LIBRARY_THREADS
    ]
    for thread in started:
        thread.join(_JOIN_S)
    left = sorted(t.name for t in started if t.is_alive())
    if "PySide6" in sys.modules:
        from app.ui.shell.owned_threads import running_threads

        left += running_threads()
    if left:
        report = os.environ.get("SAYTYPE_THREAD_REPORT")
        if report:
            with Path(report).open("a", encoding="utf-8") as out:
                out.write(f"{request.node.nodeid}\t{left}\n")
        else:
            pytest.fail(f"the test left threads running: {', '.join(left)}")


@pytest.fixture(scope="session")
def speech() -> SpeechMaker:
    """The hibari-tts synthesiser, loaded once."""
    return SpeechMaker()


@pytest.fixture(scope="session")
def tiny_en() -> ModelHost:
    """The bundled tiny.en model, loaded once for every model test."""
    return ModelHost(resolve_model("tiny.en"))


@pytest.fixture(scope="session")
def openai_server(
    speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenAIServer]:
    """The OpenAI-compatible test server, started once, its model loaded by a first request.

    Many tests share it: each reads only what the server logged for it
    (``log_since(log_mark())``). A test that kills a server starts one of its own.
    """
    missing = server_missing()
    if missing is not None:
        fail_missing(missing)
    folder = tmp_path_factory.mktemp("openai_server")
    with running_openai_server(folder / "server.log") as server:
        load_its_model(server, speech.wav("Good morning.", folder / "warm-up.wav"))
        yield server


@pytest.fixture(scope="session")
def wyoming_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WyomingServer]:
    """The Wyoming test server, started once; shared as :func:`openai_server` is."""
    missing = wyoming_server_missing()
    if missing is not None:
        fail_missing(missing)
    with running_wyoming_server(tmp_path_factory.mktemp("wyoming_server")) as server:
        yield server
