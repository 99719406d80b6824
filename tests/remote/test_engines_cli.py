"""``saytype engines``: saved endpoints for ``--engine NAME``, their API keys in a real keyring.

The keyring is GNOME Keyring on a private D-Bus session (tests/support/keyring_session.py),
reached through the ``keyring`` package as on a desktop. The servers are the scripted fault
server (it records the headers it was sent); a real Wyoming server answers
``engines test`` in tests/remote/test_remote_wyoming.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.asking_keyring import LOG_VARIABLE
from tests.support.fault_server import FaultServer, Reply, make_test_ca, running_fault_server
from tests.support.keyring_session import KeyringSession, running_keyring

SECRET = "sk-test-5e3f1c9a77"
ASKING_KEYRING = "tests.support.asking_keyring.AskingKeyring"


def saytype(*args: str | Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error", **env},
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("saytype: error: ")
    return lines[0].removeprefix("saytype: error: ")


@pytest.fixture(scope="module")
def keyring_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyringSession]:
    with running_keyring(tmp_path_factory.mktemp("keyring")) as session:
        yield session


def files_under(home: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in home.rglob("*")
        if path.is_file()
    )


def test_endpoints_are_added_listed_picked_and_removed() -> None:
    added = saytype("engines", "add", "home", "wyoming://127.0.0.1:10300", "--language", "en")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Saved home: wyoming://127.0.0.1:10300.\n"
    assert (
        saytype("engines", "add", "box", "http://127.0.0.1:9/v1/", "--model", "tiny").returncode
        == 0
    )
    no_v1 = saytype("engines", "add", "bare", "http://127.0.0.1:9")
    assert no_v1.returncode == 0, no_v1.stderr  # saved, with a word of doubt
    assert no_v1.stderr == (
        "saytype: warning: OpenAI-compatible servers' URLs usually end in /v1; "
        "'saytype engines test bare' checks this one.\n"
    )
    assert saytype("engines", "remove", "bare").returncode == 0
    listed = saytype("engines", "list", "--json")
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["name"], r["protocol"], r["url"], r["active"]) for r in records] == [
        ("home", "wyoming", "wyoming://127.0.0.1:10300", False),
        ("box", "openai", "http://127.0.0.1:9/v1", False),
    ]
    assert (
        "Dictation uses the local engine" in saytype("engines", "list").stdout
    )  # never remote by default
    used = saytype("engines", "use", "home")
    assert used.stdout == "Dictation now uses home (wyoming://127.0.0.1:10300).\n"
    listed_text = saytype("engines", "list").stdout
    assert "* home  wyoming://127.0.0.1:10300  (wyoming, language en, timeout 600 s)" in listed_text
    assert "\n  box   http://127.0.0.1:9/v1  (" in listed_text  # the URLs in one column
    assert "Dictation uses home; if it fails, the local model finishes." in listed_text
    used = saytype("engines", "use", "home", "--no-fallback")
    assert (
        used.stdout
        == "Dictation now uses home (wyoming://127.0.0.1:10300), with no local fallback.\n"
    )
    assert "Dictation uses home, with no local fallback." in saytype("engines", "list").stdout
    removed = saytype("engines", "remove", "home")
    assert removed.stdout == "Removed home.\n"
    # Saved without a key: the keyring, which may prompt for a password, is not asked.
    assert removed.stderr == ""
    records = [
        json.loads(line) for line in saytype("engines", "list", "--json").stdout.splitlines()
    ]
    assert [(r["name"], r["active"]) for r in records] == [("box", False)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "x", "ftp://host/v1"), "'ftp://host/v1' is not a server URL: give an OpenAI"),
        (("add", "local", "http://127.0.0.1:9/v1"), "not 'local'"),
        (("add", "x", "wyoming://127.0.0.1:1", "--ca-file", "/ca.pem"), "only applies to https"),
        (("remove", "nope"), "There is no saved endpoint 'nope'"),
        (("test", "nope"), "There is no saved endpoint 'nope'"),
        (("use", "nope"), "There is no saved endpoint 'nope'"),
    ],
)
def test_bad_input_is_one_sentence(args: tuple[str, ...], says: str) -> None:
    assert says in one_error_line(saytype("engines", *args))


def test_without_a_keyring_a_key_is_refused_in_one_sentence() -> None:
    # The tests' default backend is keyring's "fail" one: what a desktop without a keyring gets.
    result = saytype(
        "engines", "add", "box", "http://127.0.0.1:9/v1", "--api-key-stdin", stdin=SECRET
    )
    message = one_error_line(result)
    assert message.startswith("The system keyring cannot be used (")
    assert "SAYTYPE_API_KEY" in message
    assert saytype("engines", "list", "--json").stdout == ""  # nothing half-saved


def test_the_key_lives_in_the_keyring_and_goes_to_the_server(
    keyring_session: KeyringSession, faults: FaultServer, tone: Path, hermetic_user_dirs: Path
) -> None:
    env = keyring_session.env()
    added = saytype(
        "engines", "add", "box", faults.url, "--api-key-stdin", stdin=SECRET + "\n", **env
    )
    assert added.returncode == 0, added.stderr
    assert "(API key in the system keyring)" in added.stdout
    faults.script(Reply(401, b'{"error": {"message": "Incorrect API key provided"}}'))
    result = saytype("-vv", "transcribe", "--engine", "box", tone, **env)  # -vv: logs on stderr
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "saytype: error: " + (
        f"{faults.url} refused the API key (401: Incorrect API key provided); give "
        "it a key it accepts (Settings → Engine, or SAYTYPE_API_KEY)."
    )
    assert faults.requests[-1]["authorization"] == f"Bearer {SECRET}"
    # Not in endpoints.json, settings or the (debug) logs: only the keyring has it.
    assert SECRET not in files_under(hermetic_user_dirs)
    assert (hermetic_user_dirs / ".config/saytype/endpoints.json").exists()

    # SAYTYPE_API_KEY, given for one run, wins over the keyring.
    saytype("transcribe", "--engine", "box", tone, SAYTYPE_API_KEY="sk-other", **env)
    assert faults.requests[-1]["authorization"] == "Bearer sk-other"

    # Removing the endpoint removes its key: saved again without one, nothing is sent.
    assert saytype("engines", "remove", "box", **env).returncode == 0
    assert saytype("engines", "add", "box", faults.url, **env).returncode == 0
    saytype("transcribe", "--engine", "box", tone, **env)
    assert "authorization" not in faults.requests[-1]


def test_a_server_saved_without_a_key_never_asks_the_keyring(
    faults: FaultServer, tone: Path, tmp_path: Path
) -> None:
    """`engines test` and `transcribe --engine` waited 11 minutes, printing nothing, on
    GNOME Keyring's "Choose password for new keyring" for a server saved with no key."""
    asked = tmp_path / "keyring-questions"
    env = {"PYTHON_KEYRING_BACKEND": ASKING_KEYRING, LOG_VARIABLE: str(asked)}
    assert saytype("engines", "add", "box", faults.url, **env).returncode == 0
    answer = {"text": "Hello.", "segments": [{"start": 0, "end": 1, "text": "Hello."}]}
    faults.script(Reply(200, json.dumps(answer).encode()), Reply(200, json.dumps(answer).encode()))
    assert saytype("engines", "test", "box", **env).returncode == 0
    transcribed = saytype("transcribe", "--engine", "box", tone, **env)
    assert transcribed.returncode == 0, transcribed.stderr
    assert not asked.exists(), asked.read_text(encoding="utf-8")
    # Saved with a key, the keyring is asked: the backend is in use.
    saytype("engines", "add", "keyed", faults.url, "--api-key-stdin", stdin=SECRET, **env)
    assert asked.read_text(encoding="utf-8").startswith("set saytype keyed")


def test_engines_test_gives_the_servers_error_in_one_sentence(faults: FaultServer) -> None:
    faults.script(Reply(500, b'{"detail": "CUDA out of memory"}', headers=(("Retry-After", "0"),)))
    assert saytype("engines", "add", "box", faults.url, "--model", "large-v3").returncode == 0
    message = one_error_line(saytype("engines", "test", "box"))
    assert message == (
        f"box is not usable: {faults.url} failed (500: CUDA out of memory) after 3 attempts; "
        "try again later."
    )
    assert b'name="model"\r\n\r\nlarge-v3' in faults.bodies[-1]  # the saved model was sent


def test_engines_test_says_when_the_server_mishears_the_test_sentence(faults: FaultServer) -> None:
    # A server with the wrong language or a broken model answers quickly and wrongly: the
    # check said "reachable" alone, and the first dictations came back as nonsense.
    answer = {
        "text": "Bienvenue à tous.",
        "segments": [{"start": 0, "end": 2, "text": "Bienvenue à tous."}],
    }
    faults.script(Reply(200, json.dumps(answer).encode()))
    assert saytype("engines", "add", "box", faults.url).returncode == 0
    tested = saytype("engines", "test", "box")
    assert tested.returncode == 0, tested.stderr
    assert re.fullmatch(
        rf"box \({re.escape(faults.url)}\) is reachable: model whisper-1 heard the test "
        r"sentence in \d+\.\d\d s, but only 0% of its words \('Bienvenue à tous\.'\): "
        r"check the endpoint's model and language\.\n",
        tested.stdout,
    ), tested.stdout


def test_a_saved_endpoints_ca_file_is_trusted_and_only_for_it(tmp_path: Path, tone: Path) -> None:
    ca_file, server_tls = make_test_ca(tmp_path)
    with running_fault_server(tls=server_tls) as secure:
        secure.script(Reply(401, b'{"detail": "who are you"}'))
        assert saytype("engines", "add", "plain", secure.url).returncode == 0
        added = saytype("engines", "add", "trusted", secure.url, "--ca-file", ca_file)
        assert added.returncode == 0, added.stderr
        refused = one_error_line(saytype("transcribe", "--engine", "plain", tone))
        assert refused.startswith(f"The TLS certificate of {secure.url} could not be verified")
        assert secure.requests == []  # nothing was sent to an unverified server
        # Through the endpoint saved with its CA, the handshake succeeds: the server answers.
        answered = one_error_line(saytype("engines", "test", "trusted"))
        assert answered.startswith(f"trusted is not usable: {secure.url} refused the API key")
        assert len(secure.requests) == 1
