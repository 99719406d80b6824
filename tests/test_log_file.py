"""The log file a user can send: where it is, how it rotates, what reaches it.

pytest owns logging while tests run (its capture handlers sit on the root
logger), so the ``installed`` fixture clears the root logger's handlers, installs
Saytype's logging (in the setup phase, before pytest adds its handlers for the
test's call), and puts everything back afterwards.
"""

from __future__ import annotations

import logging
import logging.handlers
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import log_file
from app.core.log_file import LogFile, crash_path, log_path, log_path_for_messages, start_logging

log = logging.getLogger(__name__)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[LogFile]:
    """Saytype's logging, installed into a root logger emptied for the test."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    chatty = logging.getLogger("faster_whisper")
    monkeypatch.setattr(chatty, "level", chatty.level)
    logs = start_logging(logging.CRITICAL, logging.DEBUG)
    assert logs is not None
    yield logs
    logs.close()


def _text() -> str:
    return log_path().read_text(encoding="utf-8")


def test_the_log_file_is_under_the_xdg_state_folder(installed: LogFile, tmp_path: Path) -> None:
    log.info("hello from the test")

    expected = tmp_path / "home/.local/state/saytype/log/saytype.log"
    assert installed.path == log_path() == expected
    assert "hello from the test" in _text()
    assert crash_path().parent == expected.parent
    assert log_path_for_messages() == str(expected)  # tmp_path is not under ~
    assert expected.parent.stat().st_mode & 0o777 == 0o700
    assert expected.stat().st_mode & 0o777 == 0o600


def test_messages_show_the_path_from_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert log_path_for_messages() == "~/.local/state/saytype/log/saytype.log"


def test_the_file_rotates_at_a_megabyte_keeping_three_backups(installed: LogFile) -> None:
    files = logging.handlers.RotatingFileHandler
    rotating = [handler for handler in installed.handlers if isinstance(handler, files)]
    assert len(rotating) == 1
    assert rotating[0].maxBytes == 1_000_000
    assert rotating[0].backupCount == 3


@pytest.fixture
def small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_file, "MAX_BYTES", 2_000)


def test_old_records_move_to_numbered_backups(small_files: None, installed: LogFile) -> None:
    for number in range(100):
        log.info("record %03d %s", number, "x" * 100)
    names = sorted(path.name for path in log_path().parent.glob("saytype.log*"))
    assert names == ["saytype.log", "saytype.log.1", "saytype.log.2", "saytype.log.3"]
    assert "record 099" in _text()


def test_records_name_their_thread(installed: LogFile) -> None:
    worker = threading.Thread(target=lambda: log.info("from a worker"), name="saytype-test-worker")
    worker.start()
    worker.join()
    log.info("from the main thread")

    text = _text()
    assert "[saytype-test-worker] tests.test_log_file: from a worker" in text
    assert "[MainThread] tests.test_log_file: from the main thread" in text


def test_an_uncaught_exception_is_logged_with_its_traceback(installed: LogFile) -> None:
    heard: list[BaseException] = []
    installed.on_unexpected.append(heard.append)
    try:
        raise ValueError("an unexpected value")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)

    text = _text()
    assert "CRITICAL [MainThread] app.core.log_file: unexpected error: ValueError" in text
    assert "Traceback (most recent call last):" in text
    assert 'raise ValueError("an unexpected value")' in text
    assert [type(error) for error in heard] == [ValueError]


def test_an_exception_that_ends_a_thread_is_logged_with_its_thread(installed: LogFile) -> None:
    def fail() -> None:
        raise RuntimeError("the worker broke")

    worker = threading.Thread(target=fail, name="saytype-doomed")
    worker.start()
    worker.join()

    text = _text()
    assert "thread saytype-doomed: RuntimeError" in text
    assert "RuntimeError: the worker broke" in text
    assert "Traceback (most recent call last):" in text


def test_close_gives_the_hooks_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    before = (sys.excepthook, threading.excepthook)
    logs = start_logging(logging.CRITICAL)
    assert logs is not None
    assert sys.excepthook != before[0]
    logs.close()
    assert (sys.excepthook, threading.excepthook) == before
    assert logging.getLogger().handlers == []


def test_nothing_is_installed_when_logging_is_already_configured() -> None:
    assert logging.getLogger().handlers  # pytest's capture handlers
    assert start_logging() is None


def test_an_unwritable_log_folder_leaves_stderr_and_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state-is-a-file"
    state.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    logs = start_logging(logging.WARNING)
    assert logs is not None
    logs.close()

    assert logs.path is None
    assert "WARNING app.core.log_file: no log file in" in capsys.readouterr().err


def test_a_hard_crash_leaves_a_report_that_the_next_start_keeps() -> None:
    crash = (
        "import faulthandler\n"
        "from app.core.log_file import start_logging\n"
        "start_logging()\n"
        "faulthandler._sigsegv()\n"
    )
    died = subprocess.run([sys.executable, "-c", crash], capture_output=True, check=False)
    assert died.returncode != 0
    report = crash_path().read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in report
    assert "<module>" in report  # the Python stack of the thread that died

    again = "from app.core.log_file import start_logging\nstart_logging()\n"
    subprocess.run([sys.executable, "-c", again], capture_output=True, check=True)
    kept = crash_path().with_name("saytype-crash.log.1")
    assert kept.read_text(encoding="utf-8") == report
    assert crash_path().read_text(encoding="utf-8") == ""
    assert f"an earlier Saytype process crashed; its report is in {kept}" in _text()


def test_records_reach_stderr_while_descriptor_2_points_at_dev_null() -> None:
    # What sounddevice does around Pa_Initialize, on the microphone's thread: a record
    # the GUI thread wrote meanwhile was lost from the terminal (the smoke test's
    # "global hotkey … listening" line, once in a few starts on a loaded machine).
    script = (
        "import logging, os\n"
        "from app.core.log_file import start_logging\n"
        "start_logging(logging.INFO, to_file=False)\n"
        "saved = os.dup(2)\n"
        "devnull = os.open(os.devnull, os.O_WRONLY)\n"
        "os.dup2(devnull, 2)\n"
        "logging.getLogger('app.test').info('written while 2 was away')\n"
        "os.dup2(saved, 2)\n"
        "logging.getLogger('app.test').info('written after')\n"
    )
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert done.stderr.splitlines() == [
        "INFO app.test: written while 2 was away",
        "INFO app.test: written after",
    ]
