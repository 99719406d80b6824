"""Real applications that receive typed or pasted text, for tests on a private Xvfb.

Each target runs in its own process on the test's X server and records what
it receives in a file (written atomically on every change), so a test reads
the application's own view of the text:

* :func:`qt_target`: a Qt window with a focused ``QLineEdit`` (the xcb
  platform, so it gets real X key events and pastes from the X clipboard);
* :func:`xterm_target`: ``xterm -u8`` running a reader that copies its raw tty
  input to the file, which is what a shell would see (xterm ignores synthetic
  XSendEvent keys and pastes with Shift+Insert, both worth testing);
* :func:`clipboard_owner`: a Qt process that owns CLIPBOARD and PRIMARY with
  given MIME formats, like a browser after "copy image".

Readiness is polled on real conditions (``xdotool search --sync`` finds the
window, the file exists), never slept for. Run ``python -m
tests.support.target_window qt|xterm-reader|clipboard OUTFILE`` for the
processes themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.changes import ProcessExited, wait_for_changes
from tests.support.ci import fail_missing
from tests.support.xserver import XServer

_READY_TIMEOUT_S = 20.0


@dataclass
class Target:
    """A running target application and the file it reports its text in."""

    name: str
    window_id: str
    outfile: Path
    xserver: XServer
    process: subprocess.Popen[bytes]
    _baseline: int = field(default=0, repr=False)

    def focus(self) -> None:
        """Give the window the keyboard focus (bare Xvfb has no window manager to ask)."""
        _xdotool(self.xserver, "windowfocus", "--sync", self.window_id)

    def text(self) -> str:
        """Text received since the last :meth:`reset`."""
        return self._all_text()[self._baseline :]

    def reset(self) -> None:
        """Start counting received text from here (targets only ever append)."""
        self._baseline = len(self._all_text())

    def wait_for_text(self, expected: str, timeout: float = 5.0) -> str:
        """Wait until :meth:`text` equals ``expected``; fail with what arrived instead.

        Returns early (and fails) as soon as the text cannot become ``expected``
        any more, e.g. a wrong character arrived.
        """

        def arrived() -> bool:
            text = self.text()
            if not expected.startswith(text):
                raise AssertionError(f"{self.name} received {text!r}, expected {expected!r}")
            return text == expected

        return self._wait_for_text(arrived, expected, timeout)

    def wait_until_text(self, expected: str, timeout: float = 5.0) -> str:
        """Wait until :meth:`text` equals ``expected``, through texts that are no prefix of it
        (an erase on the way); fail with what arrived once ``timeout`` has passed."""
        return self._wait_for_text(lambda: self.text() == expected, expected, timeout)

    def _wait_for_text(self, condition: Callable[[], bool], expected: str, timeout: float) -> str:
        """Re-check ``condition`` each time the target writes its file."""
        try:
            wait_for_changes(
                condition,
                f"{self.name}'s text",
                timeout_s=timeout,
                folders=[self.outfile.parent],
                process=self.process,
            )
        except (TimeoutError, ProcessExited):
            raise AssertionError(
                f"{self.name} received {self.text()!r}, expected {expected!r}"
            ) from None
        return expected

    def _all_text(self) -> str:
        try:
            return self.outfile.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""


@contextmanager
def qt_target(xserver: XServer, tmp_dir: Path | None = None) -> Iterator[Target]:
    """A focused Qt line edit on ``xserver``; its file goes in ``tmp_dir`` (or a temp dir)."""
    with _folder(tmp_dir) as folder:
        outfile = folder / f"qt-{uuid.uuid4().hex[:8]}.txt"
        title = f"saytype-qt-target-{outfile.stem}"
        command = [sys.executable, "-m", "tests.support.target_window", "qt", str(outfile), title]
        with _running(xserver, command, title, outfile, "qt") as target:
            yield target


@contextmanager
def xterm_target(xserver: XServer, tmp_dir: Path | None = None) -> Iterator[Target]:
    """A focused ``xterm -u8`` whose tty input is recorded raw."""
    if shutil.which("xterm") is None:
        fail_missing("needs xterm (apt install xterm)")
    with _folder(tmp_dir) as folder:
        outfile = folder / f"xterm-{uuid.uuid4().hex[:8]}.txt"
        title = f"saytype-xterm-target-{outfile.stem}"
        reader = [sys.executable, "-m", "tests.support.target_window", "xterm-reader", str(outfile)]
        command = ["xterm", "-u8", "-title", title, "-xrm", "XTerm*allowTitleOps: false", "-e"]
        with _running(xserver, [*command, *reader], title, outfile, "xterm") as target:
            yield target


@contextmanager
def clipboard_owner(xserver: XServer, formats: dict[str, bytes]) -> Iterator[None]:
    """A process owning CLIPBOARD and PRIMARY with ``formats`` (MIME type → bytes)."""
    with _folder(None) as folder:
        spec = folder / "clipboard.json"
        spec.write_text(json.dumps({k: v.hex() for k, v in formats.items()}), encoding="utf-8")
        ready = spec.with_suffix(".ready")
        command = [sys.executable, "-m", "tests.support.target_window", "clipboard", str(spec)]
        process = subprocess.Popen(command, env=_target_env(xserver), cwd=_repo_root())
        try:
            _wait_for_file(ready, "the clipboard owner to take the selections", process)
            yield
        finally:
            _stop(process)


@contextmanager
def _folder(given: Path | None) -> Iterator[Path]:
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="saytype-target-") as folder:
        yield Path(folder)


@contextmanager
def _running(
    xserver: XServer, command: list[str], title: str, outfile: Path, name: str
) -> Iterator[Target]:
    _require_xdotool()
    process = subprocess.Popen(command, env=_target_env(xserver), cwd=_repo_root())
    try:
        found = _xdotool(xserver, "search", "--sync", "--name", f"^{title}$", timeout=20)
        window_id = found.split()[0]
        _wait_for_file(outfile, f"the {name} target to start", process)
        target = Target(name, window_id, outfile, xserver, process)
        target.focus()
        yield target
    finally:
        _stop(process)


def _target_env(xserver: XServer) -> dict[str, str]:
    return xserver.env(
        QT_QPA_PLATFORM="xcb",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONPATH=str(_repo_root()),
    )


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _require_xdotool() -> None:
    if shutil.which("xdotool") is None:
        fail_missing("needs xdotool (apt install xdotool)")


def _xdotool(xserver: XServer, *args: str, timeout: float = 10) -> str:
    result = subprocess.run(
        ["xdotool", *args],
        env=xserver.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def _wait_for_file(path: Path, what: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until the target ``process`` creates ``path``."""
    try:
        wait_for_changes(
            path.exists, what, timeout_s=_READY_TIMEOUT_S, folders=[path.parent], process=process
        )
    except (TimeoutError, ProcessExited) as exc:
        raise RuntimeError(str(exc)) from None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


# ---- the target processes ------------------------------------------------------------


def _run_qt_line_edit(outfile: Path, title: str) -> int:
    from PySide6.QtWidgets import QApplication, QLineEdit

    app = QApplication([])
    app.setDesktopFileName(title)  # its app id on Wayland, by which sway names the focus
    edit = QLineEdit()
    edit.setMaxLength(1_000_000)
    edit.setWindowTitle(title)
    edit.resize(600, 40)
    edit.textChanged.connect(lambda text: _write_atomically(outfile, text))
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    window = edit.windowHandle()
    # Where no one else can tell (KWin), the window says when it has the keyboard focus.
    active = outfile.with_name(f"{outfile.name}.active")
    window.activeChanged.connect(lambda: _write_atomically(active, str(int(window.isActive()))))
    _write_atomically(outfile, "")
    return app.exec()


def _run_tty_reader(outfile: Path) -> int:
    import codecs
    import termios
    import tty

    tty.setraw(sys.stdin.fileno(), termios.TCSANOW)  # every byte as typed, no echo
    decoder = codecs.getincrementaldecoder("utf-8")()
    received = ""
    _write_atomically(outfile, received)
    while chunk := os.read(sys.stdin.fileno(), 4096):
        received += decoder.decode(chunk)
        _write_atomically(outfile, received)
    return 0


def _run_clipboard_owner(spec: Path) -> int:
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QClipboard
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    formats = {k: bytes.fromhex(v) for k, v in json.loads(spec.read_text("utf-8")).items()}
    for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
        mime = QMimeData()
        for fmt, data in formats.items():
            mime.setData(fmt, data)
        app.clipboard().setMimeData(mime, mode)
    spec.with_suffix(".ready").touch()
    return app.exec()


def main(argv: list[str]) -> int:
    """Entry point of the target processes (see the module docstring)."""
    kind, path = argv[0], Path(argv[1])
    if kind == "qt":
        return _run_qt_line_edit(path, argv[2])
    if kind == "xterm-reader":
        return _run_tty_reader(path)
    if kind == "clipboard":
        return _run_clipboard_owner(path)
    raise SystemExit(f"unknown target {kind!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
