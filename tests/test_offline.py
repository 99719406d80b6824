"""The offline guarantee: no network connection at run time unless the user downloads a model.

Two independent witnesses: an audit hook in the Python process
(tests/support/network_guard.py: dictation, file transcription, GUI start-up)
and ``strace -e trace=connect``, which also sees connections made by C code.
The switches themselves (HF_HUB_OFFLINE and friends) are checked directly,
and so is the one exception: an explicit download still reaches its hub.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import offline
from app.core.engine.model_catalog import MODEL_REPOSITORIES
from app.core.engine.model_download import HubAccess, download_model
from app.core.engine.model_registry import bundled_model_path
from tests.support.ci import fail_missing
from tests.support.fake_hub import running_fake_hub
from tests.support.speech import SpeechMaker

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "Please send the report to the team before lunch."
INET_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?\b")


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """The child's environment: hermetic folders, no display, and no offline switch of ours."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DISPLAY", "WAYLAND_DISPLAY", offline.USER_CHOICE_VARIABLE}
        and key not in offline.OFFLINE_SWITCHES
    }
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    return env | {"XDG_RUNTIME_DIR": str(runtime), "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture
def spoken(speech: SpeechMaker, tmp_path: Path) -> Path:
    return speech.wav(SENTENCE, tmp_path / "spoken.wav")


@pytest.fixture
def restored_environ() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.mark.model
@pytest.mark.gui
def test_dictation_transcription_and_gui_start_make_no_connection(
    spoken: Path, clean_env: dict[str, str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.network_guard", str(spoken)],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report_line = result.stdout.strip().splitlines()[-1]
    assert report_line.startswith("GUARD "), result.stdout[-2000:]
    report = json.loads(report_line.removeprefix("GUARD "))
    # The three paths really ran: otherwise "no connection" would prove nothing.
    assert report["statuses"] == {"listen": 0, "transcribe": 0}
    assert report["gui_model"] == "ready"
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"type')]
    assert events[-1]["type"] == "final"
    assert _words(events[-1]["text"]) == _words(SENTENCE)
    assert '"text": ' in result.stdout  # the transcription's JSON
    assert report["env"] == {"HF_HUB_OFFLINE": "ON", "DO_NOT_TRACK": "1"}
    assert report["attempts"] == []


def test_the_guard_records_an_inet_connect_and_ignores_unix_sockets(tmp_path: Path) -> None:
    """The audit hook must be able to fail the test above."""
    script = (
        "import socket, sys\n"
        "from tests.support.network_guard import _audit, attempts\n"
        "sys.addaudithook(_audit)\n"
        "with socket.socket(socket.AF_UNIX) as unix:\n"
        f"    unix.connect_ex({str(tmp_path / 'none.sock')!r})\n"
        "with socket.socket() as inet:\n"
        "    inet.connect_ex(('127.0.0.1', 9))\n"
        "print(len(attempts), attempts[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "1 connect ('127.0.0.1', 9)"


def _inet_connects(strace_log: Path) -> list[str]:
    return [line for line in strace_log.read_text().splitlines() if INET_CONNECT.search(line)]


@pytest.mark.model
@pytest.mark.parametrize("command", ["transcribe", "listen"])
def test_strace_sees_no_inet_connection(
    command: str, spoken: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    strace = shutil.which("strace")
    if strace is None:
        fail_missing("strace is not installed (apt-get install strace)")
    args = {
        "transcribe": ["transcribe", str(ROOT / "resources/samples/welcome.mp3")],
        "listen": ["listen", "--input", str(spoken), "--jsonl", "--push-to-talk", "--speed", "8"],
    }[command]
    log = tmp_path / "connect.log"
    result = subprocess.run(
        [strace, "-f", "-e", "trace=connect", "-o", str(log), sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if result.returncode != 0 and "ptrace" in result.stderr:
        fail_missing(f"strace cannot trace here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr[-3000:]
    heard = result.stdout.lower()
    assert ("welcome" if command == "transcribe" else "report") in heard
    assert _inet_connects(log) == []


def test_the_detector_recognises_inet_connects() -> None:
    """The strace check must be able to fail: these lines are what a connection looks like."""
    assert (
        _inet_connects_in(
            "1234  connect(5, {sa_family=AF_INET, sin_port=htons(443), "
            'sin_addr=inet_addr("1.2.3.4")}, 16) = -1 ENETUNREACH',
            "1234  connect(7, {sa_family=AF_INET6, sin6_port=htons(443), ...}, 28) = 0",
        )
        == 2
    )
    assert (
        _inet_connects_in('1234  connect(3, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0') == 0
    )


def _inet_connects_in(*lines: str) -> int:
    return sum(1 for line in lines if INET_CONNECT.search(line))


def test_enforce_offline_sets_the_switches_and_remembers_the_users_choice() -> None:
    env: dict[str, str] = {"HF_HUB_OFFLINE": "0"}
    offline.enforce_offline(env)
    assert env["HF_HUB_OFFLINE"] == "ON"
    assert env["HF_HUB_DISABLE_TELEMETRY"] == env["HF_HUB_DISABLE_IMPLICIT_TOKEN"] == "1"
    assert env["DO_NOT_TRACK"] == "1"
    assert not offline.user_hub_offline(env)  # the user allowed the hub: downloads may run
    offline.enforce_offline(env)  # a second start (or a child process) keeps the choice
    assert not offline.user_hub_offline(env)

    users_own: dict[str, str] = {"HF_HUB_OFFLINE": "1"}
    offline.enforce_offline(users_own)
    assert offline.user_hub_offline(users_own)
    assert HubAccess.from_environment(users_own).offline
    assert not HubAccess.from_environment(env).offline


def test_an_already_imported_hub_is_switched_offline(
    restored_environ: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)
    offline.enforce_offline()
    assert constants.HF_HUB_OFFLINE
    assert constants.HF_HUB_DISABLE_TELEMETRY
    with offline.hub_requests_allowed(), offline.hub_requests_allowed():
        assert not constants.HF_HUB_OFFLINE
    assert constants.HF_HUB_OFFLINE


def test_an_explicit_download_still_reaches_its_hub(
    restored_environ: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # the user allows downloads
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", constants.HF_HUB_OFFLINE)
    offline.enforce_offline()  # what every start does
    assert constants.HF_HUB_OFFLINE
    with running_fake_hub() as hub:
        hub.add_repo(MODEL_REPOSITORIES["base.en"], bundled_model_path())
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        folder = download_model(
            "base.en", tmp_path / "models", HubAccess.from_environment(os.environ)
        )
    assert (folder / "model.bin").is_file()
    assert constants.HF_HUB_OFFLINE  # offline again once the download is over
