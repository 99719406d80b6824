"""The key listener thread behind the hotkey bridge: making it, waiting for it, stopping it.

pynput's listener is a thread that must become ready (XRecord set-up, seconds
on a loaded machine) before keys reach it; these calls block, so the bridge runs
them through ``run_in_background``, never on the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from app.core.desktop_portal import PortalError

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 20.0  # XRecord set-up is slow on a loaded machine
STOP_TIMEOUT_S = 2.0


class KeyListener(Protocol):
    """What the bridge needs of ``pynput.keyboard.Listener`` (a thread)."""

    def start(self) -> None: ...

    def wait(self) -> None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...

    def is_alive(self) -> bool: ...


KeyCallback = Callable[[Any, bool], None]  # (pynput key, injected)
ListenerFactory = Callable[[KeyCallback, KeyCallback], KeyListener]


def unavailable_message(error: BaseException, environ: Mapping[str, str] | None = None) -> str:
    """What to tell a person when the global hotkey listener cannot run."""
    env = os.environ if environ is None else environ
    if isinstance(error, PortalError):
        reason = str(error)
    elif not env.get("DISPLAY"):
        reason = "no X11 display"
        if env.get("WAYLAND_DISPLAY"):
            reason += " in this Wayland session"
    else:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"Global hotkeys are not available ({reason}). Bind the hotkey in your desktop's "
        'keyboard settings instead: "saytype keys" prints the lines for yours.'
    )


def pynput_listener_factory(on_press: KeyCallback, on_release: KeyCallback) -> KeyListener:
    """A real ``pynput.keyboard.Listener`` (imported here: it raises without an X display)."""
    from pynput import keyboard

    class _Listener(keyboard.Listener):  # type: ignore[misc]
        def _stop_platform(self) -> None:
            super()._stop_platform()
            # pynput 1.8 sends RecordDisableContext on the busy data connection, so the
            # thread only ends at the next key press (moses-palmer/pynput#583); sending it on
            # the control connection ends it now. Other backends lack these attributes.
            control = getattr(self, "_display_stop", None)
            context = getattr(self, "_context", None)
            if control is not None and context is not None:
                with contextlib.suppress(Exception):
                    control.record_disable_context(context)
                    control.flush()

    listener: KeyListener = _Listener(on_press=on_press, on_release=on_release, suppress=False)
    return listener


def x11_expected() -> bool:
    """Whether pynput will use its X11 backend (Linux, no other backend chosen)."""
    chosen = os.environ.get("PYNPUT_BACKEND_KEYBOARD") or os.environ.get("PYNPUT_BACKEND")
    return sys.platform.startswith("linux") and not chosen


def stop_listener(listener: KeyListener) -> None:
    """Stop the listener and wait (bounded) for its thread."""
    try:
        listener.stop()
        listener.join(STOP_TIMEOUT_S)
    except Exception:
        log.exception("the hotkey listener failed while stopping")
    if listener.is_alive():
        log.warning("the hotkey listener thread did not end within %.0f s", STOP_TIMEOUT_S)


def wait_ready(listener: KeyListener, timeout_s: float) -> bool:
    """Wait for the listener to be ready, without hanging when its thread died first."""
    waiter = threading.Thread(target=listener.wait, name="hotkey-ready", daemon=True)
    waiter.start()
    deadline = time.monotonic() + timeout_s
    while waiter.is_alive() and listener.is_alive() and time.monotonic() < deadline:
        waiter.join(0.02)
    return not waiter.is_alive() and listener.is_alive()
