"""Logs a user can send: a rotating file, hard-crash reports, and unexpected errors.

Saytype runs from a tray icon with no terminal, so a log on stderr alone is lost.
:func:`start_logging` keeps one rotating file under ``platformdirs.user_log_dir``
(1 MB, three backups, in an owner-only folder), points :mod:`faulthandler` at a
crash file beside it (a segfault in a native library leaves a Python traceback
there), and routes
``sys.excepthook`` and ``threading.excepthook`` into the log, with the traceback.
Each record names its thread: most bugs here are about which thread did what.

Dictated words never reach the log: modules log lengths and counts, never text
(a test dictates real speech at DEBUG and searches the file for the words).

Qt is not imported here (``app.core`` stays Qt-free); ``app.ui.shell.qt_log`` adds
Qt's message handler, names Qt's threads and shows a dialog on unexpected errors
through the hooks this module offers (:attr:`LogFile.on_unexpected`,
:meth:`LogFile.set_thread_namer`).

Several Saytype processes (the app and ``saytype toggle``) may share the file;
a rotation made by one leaves the other writing to the renamed file until it
restarts, which loses nothing.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TextIO

import platformdirs

from app.core.paths import APP_NAME
from app.core.private_files import private_file, private_folder

log = logging.getLogger(__name__)

LOG_NAME = "saytype.log"
CRASH_NAME = "saytype-crash.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FILE_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Libraries that log at INFO on every transcription pass: kept out unless debugging.
_CHATTY_LOGGERS = ("faster_whisper",)

_active: LogFile | None = None  # keeps the crash file open for the process lifetime


def log_dir() -> Path:
    """Folder holding the log and crash files (``$XDG_STATE_HOME/saytype/log`` on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME))


def log_path() -> Path:
    """The current log file."""
    return log_dir() / LOG_NAME


def crash_path() -> Path:
    """The file :mod:`faulthandler` writes to when the process dies hard."""
    return log_dir() / CRASH_NAME


def log_path_for_messages() -> str:
    """The log file's path as a user-facing message shows it (``~`` for the home folder)."""
    path = log_path()
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


ErrorInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class _ThreadNames(logging.Filter):
    """Gives threads Python does not know by name (Qt's) the name their owner chose."""

    def __init__(self) -> None:
        super().__init__()
        self.namer: Callable[[], str | None] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.namer is not None and str(record.threadName).startswith("Dummy-"):
            record.threadName = self.namer() or record.threadName
        return True


@dataclass
class LogFile:
    """The installed logging: handlers, crash file and hooks; :meth:`close` undoes it."""

    path: Path | None
    handlers: list[logging.Handler]
    crash_file: TextIO | None
    on_unexpected: list[Callable[[BaseException], None]] = field(default_factory=list)
    on_close: list[Callable[[], None]] = field(default_factory=list)
    _names: _ThreadNames = field(default_factory=_ThreadNames)
    _previous: tuple[object, object] = (None, None)
    _faults_to_stderr: bool = False  # faulthandler was on before (pytest turns it on)

    def set_thread_namer(self, namer: Callable[[], str | None]) -> None:
        """Name records from threads Python calls ``Dummy-N`` with ``namer()``."""
        self._names.namer = namer

    def _install_hooks(self) -> None:
        for handler in self.handlers:
            handler.addFilter(self._names)
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def _on_exception(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        self._report((kind, error, tb), "unexpected error")

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return  # what threading's own hook ignores too
        name = args.thread.name if args.thread is not None else "?"
        self._report((args.exc_type, args.exc_value, args.exc_traceback), f"thread {name}")

    def _report(self, info: ErrorInfo, where: str) -> None:
        log.critical("%s: %s", where, info[0].__name__, exc_info=info)
        for listener in list(self.on_unexpected):
            try:
                listener(info[1])
            except Exception:  # a broken listener must not hide the first error
                log.exception("reporting an unexpected error failed")

    def close(self) -> None:
        """Remove the handlers, restore the hooks and stop writing crash reports."""
        global _active  # noqa: PLW0603 - the one process-wide installation
        for undo in reversed(self.on_close):
            undo()
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        if sys.excepthook == self._on_exception:
            sys.excepthook = self._previous[0]  # type: ignore[assignment]
        if threading.excepthook == self._on_thread_exception:
            threading.excepthook = self._previous[1]  # type: ignore[assignment]
        if self.crash_file is not None:
            faulthandler.disable()
            self.crash_file.close()
            if self._faults_to_stderr and sys.__stderr__ is not None:
                faulthandler.enable(file=sys.__stderr__, all_threads=True)
        if _active is self:
            _active = None


def start_logging(
    stderr_level: int = logging.ERROR,
    file_level: int = logging.INFO,
    *,
    to_file: bool = True,
) -> LogFile | None:
    """Log to stderr and to the rotating file; install the crash and exception hooks.

    Like :func:`logging.basicConfig`, does nothing (returns None) when the root
    logger already has handlers: whoever added them (a test runner) owns logging.
    A log folder that cannot be written leaves stderr only, with a warning.
    """
    global _active  # noqa: PLW0603 - the one process-wide installation
    root = logging.getLogger()
    if root.handlers:
        return None
    faults_to_stderr = faulthandler.is_enabled()
    stderr = _StderrHandler()
    stderr.setLevel(stderr_level)
    stderr.setFormatter(logging.Formatter(STDERR_FORMAT))
    handlers: list[logging.Handler] = [stderr]
    path: Path | None = None
    crash_file: TextIO | None = None
    problem = None
    if to_file:
        try:
            path, handler, crash_file, problem = _open_files(file_level)
            handlers.append(handler)
        except OSError as exc:
            problem = f"no log file in {log_dir()}: {exc}"
    levels = [stderr_level, file_level] if path is not None else [stderr_level]
    root.setLevel(min(levels))
    for handler in handlers:
        root.addHandler(handler)
    if min(levels) > logging.DEBUG and stderr_level > logging.INFO:
        for name in _CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    installed = LogFile(path, handlers, crash_file, _faults_to_stderr=faults_to_stderr)
    installed._install_hooks()
    _active = installed
    if problem is not None:
        log.warning("%s", problem)
    return installed


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to a copy of the stderr descriptor, so records reach it while descriptor 2 is away.

    sounddevice points descriptor 2 at /dev/null while PortAudio starts (to hide ALSA's
    chatter), on whichever thread opens the microphone; a record another thread wrote
    through ``sys.stderr`` meanwhile vanished from the terminal. Without a real
    descriptor behind ``sys.stderr`` (a test's capture), it writes to ``sys.stderr``.
    """

    def __init__(self) -> None:
        self._own: TextIO | None = None
        try:
            copy = os.dup(sys.stderr.fileno())
        except (AttributeError, OSError, ValueError):  # no descriptor, or a closed one
            super().__init__()
            return
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        self._own = os.fdopen(  # closed by close(), with the handler
            copy, "w", encoding=encoding, errors="backslashreplace", buffering=1
        )
        super().__init__(self._own)

    def close(self) -> None:
        super().close()
        own, self._own = self._own, None
        if own is not None:
            own.close()


def _open_files(level: int) -> tuple[Path, logging.Handler, TextIO, str | None]:
    """The rotating handler and the crash file; a note when a previous run crashed."""
    private_folder(log_dir())  # the log names files and devices: the owner's business
    path = private_file(log_path())
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    note = None
    crash = crash_path()
    if crash.exists() and crash.stat().st_size > 0:  # kept for the user, not overwritten
        kept = crash.with_name(CRASH_NAME + ".1")
        crash.replace(kept)
        note = f"an earlier Saytype process crashed; its report is in {kept}"
    crash_file = private_file(crash).open("a", encoding="utf-8")
    faulthandler.enable(file=crash_file, all_threads=True)
    return path, handler, crash_file, note
