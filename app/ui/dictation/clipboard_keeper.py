"""The clipboard Saytype holds outlives it: a small process keeps serving it after a quit.

On X11 the clipboard lives in the application that set it. After a paste Saytype
puts back what the user had copied, so Saytype owns it from then on; quitting
then emptied the clipboard of an editor that was still running (a new user, 2 of
2; a desktop's clipboard manager would have saved it, plain X11 has none). At
quit, every format Saytype holds goes to a detached process of its own (``python
-m app.ui.dictation.clipboard_keeper``), which serves it until anyone else copies.
Wayland needs none of this: wl-copy keeps serving on its own.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import select
import subprocess
import sys

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QClipboard, QGuiApplication

from app.ui.dictation.qt_clipboard import kept_formats

log = logging.getLogger(__name__)

_READY = b"ready\n"
_READY_WAIT_S = 5.0  # the keeper's Qt start; the quit waits no longer for it
_MODES = {"clipboard": QClipboard.Mode.Clipboard, "selection": QClipboard.Mode.Selection}


def keep_clipboard_after_quit() -> bool:
    """Hand what Saytype holds on the X clipboard to a keeper process; True if one took it."""
    if QGuiApplication.platformName() != "xcb" or getattr(sys, "frozen", False):
        return False
    held = _held_formats()
    if not held:
        return False
    try:
        keeper = subprocess.Popen(
            [sys.executable, "-m", "app.ui.dictation.clipboard_keeper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # it outlives Saytype, and a Ctrl+C meant for it
        )
        if keeper.stdin is None or keeper.stdout is None:  # not so with PIPE: for mypy
            return False
        keeper.stdin.write(json.dumps(held).encode())
        keeper.stdin.close()
        ready, _, _ = select.select([keeper.stdout], [], [], _READY_WAIT_S)
        taken = bool(ready) and keeper.stdout.readline() == _READY
    except OSError as exc:
        log.warning("the clipboard could not be kept after the quit: %s", exc)
        return False
    log.info("the clipboard is kept after the quit" if taken else "no keeper took the clipboard")
    return taken


def _held_formats() -> dict[str, dict[str, str]]:
    """Every format of each X selection this process owns, base64-encoded."""
    clipboard = QGuiApplication.clipboard()
    owns = {"clipboard": clipboard.ownsClipboard(), "selection": clipboard.ownsSelection()}
    held: dict[str, dict[str, str]] = {}
    for name, mode in _MODES.items():
        mime = clipboard.mimeData(mode) if owns[name] else None
        if mime is None:
            continue
        formats = {
            fmt: base64.b64encode(bytes(mime.data(fmt).data())).decode("ascii")
            for fmt in kept_formats(mime)
        }
        if formats:
            held[name] = formats
    return held


def main() -> int:
    """The keeper: take the selections given on stdin, serve them until someone copies."""
    held = json.loads(sys.stdin.buffer.read() or b"{}")
    app = QGuiApplication(["saytype-clipboard"])
    clipboard = app.clipboard()
    for name, formats in held.items():
        mime = QMimeData()
        for fmt, data in formats.items():
            mime.setData(fmt, base64.b64decode(data))
        clipboard.setMimeData(mime, _MODES[name])
    os.write(sys.stdout.fileno(), _READY)

    def still_needed() -> None:
        if not (clipboard.ownsClipboard() or clipboard.ownsSelection()):
            app.quit()  # the user copied something else: nothing left to keep

    clipboard.changed.connect(lambda _mode: still_needed())
    still_needed()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
