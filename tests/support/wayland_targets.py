"""Wayland windows in a headless sway session that record the text they receive.

:func:`foot_target` is ``foot -e sh -c 'cat > FILE'``: foot is Wayland-native, and in its
terminal's line mode (``stty iutf8``: BackSpace erases a whole UTF-8 character) each line
reaches FILE when Return is typed, edits applied, which is what a shell would read.
:func:`qt_wayland_target` is a Qt line edit on Qt's own Wayland platform, which pastes through
``wl_data_device``. Each waits for its window to have the focus, on real events.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.changes import ProcessExited, wait_for_changes
from tests.support.sway_session import SwaySession, wait_or_kill, wait_until


@dataclass
class FootTarget:
    """A focused Wayland window (foot, a Qt line edit) whose received text lands in ``outfile``."""

    app_id: str
    outfile: Path
    process: subprocess.Popen[bytes]
    _baseline: int = field(default=0, repr=False)

    def text(self) -> str:
        """Lines received since the last :meth:`reset`."""
        return self._all_text()[self._baseline :]

    def reset(self) -> None:
        """Count received text from here (the file only grows)."""
        self._baseline = len(self._all_text())

    def wait_for_text(self, expected: str, timeout: float = 10.0) -> str:
        """Wait until :meth:`text` is ``expected``; fail at once when it cannot become it."""

        def arrived() -> bool:
            text = self.text()
            # Growing towards it, or still longer while BackSpaces arrive ("scratch that").
            if not (expected.startswith(text) or text.startswith(expected)):
                raise AssertionError(f"foot received {text!r}, expected {expected!r}")
            return text == expected

        try:  # re-read each time the window writes its file; its exit ends the wait
            wait_for_changes(
                arrived,
                f"{self.app_id}'s text",
                timeout_s=timeout,
                folders=[self.outfile.parent],
                process=self.process,
            )
        except ProcessExited:
            text = self.text()
            raise AssertionError(
                f"{self.app_id} exited ({self.process.returncode}) with {text!r}"
            ) from None
        except TimeoutError:
            raise AssertionError(f"foot received {self.text()!r}, expected {expected!r}") from None
        return expected

    def _all_text(self) -> str:
        return self.outfile.read_bytes().decode("utf-8", "replace")


@contextmanager
def foot_target(
    session: SwaySession,
    name: str = "target",
    app_id: str | None = None,
    *,
    after_keyboard: bool = False,
) -> Iterator[FootTarget]:
    """Open a focused foot window that writes the lines it receives to a file.

    ``app_id`` defaults to one of the test's own; ``"foot"`` makes it look like
    any foot (whose paste keys are Ctrl+Shift+V). With ``after_keyboard``, foot
    starts once the seat has a keyboard (tests that type open Saytype's first, as
    the app does at start): the idle keyboard's process starts asynchronously,
    and a foot that binds its keyboard only when a text's own virtual keyboard
    appears loses that text's first key (decision 0012).
    """
    app_id = app_id or f"saytype-{name}"
    outfile = session.base / "targets" / f"{name}.txt"
    outfile.unlink(missing_ok=True)  # an earlier window's text must not count as this one's
    # Line mode with UTF-8 aware erase; the file appears once the shell has set it up.
    script = f"stty iutf8 && exec cat > '{outfile}'"
    command = session.user_command(
        ["foot", "--app-id", app_id, "-e", "sh", "-c", script],
        WAYLAND_DISPLAY=session.socket.name,
    )
    if after_keyboard:
        _wait_for_keyboard(session)
    log_path = session.base / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(
            lambda: outfile.exists() and session.focused_app_id() == app_id,
            f"foot ({app_id}) to have the focus",
            process,
            log_path,
            folders=[outfile.parent],
            session=session,
        )
        yield FootTarget(app_id, outfile, process)
    finally:
        with suppress(subprocess.SubprocessError, OSError):  # already gone: the wait covers it
            session.swaymsg(f'[app_id="{app_id}"] kill')
        wait_or_kill(process)


@contextmanager
def qt_wayland_target(session: SwaySession, name: str = "qt") -> Iterator[FootTarget]:
    """A focused Qt line edit, a native Wayland client of ``session``, recording its text.

    Run by the test process's Python (Qt reads its own virtualenv), so it
    connects through the socket's absolute path as root may; the file holds
    the line edit's whole text, rewritten on each change.
    """
    app_id = f"saytype-{name}"
    outfile = session.base / "targets" / f"{name}.txt"
    runtime = session.base / f"{name}-runtime"  # Qt wants a private runtime dir of its own
    runtime.mkdir(mode=0o700, exist_ok=True)
    outfile.unlink(missing_ok=True)  # an earlier window's text must not count as this one's
    env = {
        **session.client_env(),
        "QT_QPA_PLATFORM": "wayland",
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    command = [sys.executable, "-m", "tests.support.target_window", "qt", str(outfile), app_id]
    _wait_for_keyboard(session)  # as foot_target(after_keyboard=True)
    log_path = session.base / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(
            lambda: outfile.exists() and session.focused_app_id() == app_id,
            f"the Qt window ({app_id}) to have the focus",
            process,
            log_path,
            folders=[outfile.parent],
            session=session,
        )
        yield FootTarget(app_id, outfile, process)
    finally:
        process.terminate()
        wait_or_kill(process)


def _wait_for_keyboard(session: SwaySession) -> None:
    log_path = session.base / "sway.log"
    wait_until(
        session.has_keyboard, "a keyboard on the seat", session.process, log_path, session=session
    )
