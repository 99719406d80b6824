"""What the running app does for each control-socket command (``saytype toggle`` and friends).

:class:`~app.ui.shell.control_server.ControlServer` reads the command lines;
this module obeys them, in the GUI thread, as the matching button would.
Wayland keybindings and a second launch of ``saytype`` reach the app this way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer

from app.core.control_channel import ControlReply, PendingReply
from app.core.dictation_session import ACTIVE_STATES
from app.ui.dictation.bound_hotkey import BoundHotkey
from app.ui.dictation.dictation_run import START_COMMAND
from app.ui.shell.desktop_parts import DesktopParts
from app.ui.shell.wiring import show_window


def obey_command(
    parts: DesktopParts, command: str, args: list[str], *, request_quit: Callable[[], None]
) -> ControlReply | PendingReply:
    """Do ``command`` and say how it went, with the dictation state after it.

    ``start`` answers once the microphone opened or failed (a :class:`PendingReply`).

    Args:
        parts: the running app.
        command: one of :data:`app.core.control_channel.COMMANDS`.
        args: the command's arguments (the files, for ``queue``).
        request_quit: the app's one way to quit, called after the reply is sent.
    """
    if command in _OBEYED_APART:
        return _OBEYED_APART[command](parts, command, args)
    controller = parts.controller
    window = parts.window
    ok = True
    if command == "toggle":
        controller.toggle(source="command")
    elif command == "start":
        pending = PendingReply()

        def listening(error: str | None) -> None:
            state = controller.session.state.value
            pending.settle(ControlReply(ok=error is None, state=state, message=error or ""))

        if controller.start(source=START_COMMAND, on_mic=listening):
            return pending
        ok = False
    elif command == "stop":
        ok = controller.listening
        controller.stop()
    elif command == "cancel":  # refused with nothing under way, as "stop" is
        ok = controller.session.state in ACTIVE_STATES
        controller.cancel()
    elif command == "show":
        show_window(window)
    elif command == "queue":
        window.queue_files([Path(arg) for arg in args])
    elif command == "quit":
        lost = "" if FORCE in args else _work_a_quit_loses(parts)
        if lost:
            state = controller.session.state.value
            return ControlReply(ok=False, state=state, message=lost)
        QTimer.singleShot(0, request_quit)  # after the reply is sent
    state = controller.session.state.value
    if command == "status":  # the state is the dictation's; files are said beside it
        files = parts.files.summary()
        message = f"model: {window.model_status}" + (f"\nfiles: {files}" if files else "")
        return ControlReply(ok=True, state=state, message=message)
    return ControlReply(ok=ok, state=state, message="" if ok else refusal(command, state))


FORCE = "--force"


def _follow_engines(parts: DesktopParts, _command: str, _args: list[str]) -> ControlReply:
    """`saytype engines use` saved another choice: follow it now."""
    from app.core.engine.remote.endpoint_file import load_endpoints
    from app.ui.settings.settings_applier import follow_endpoints

    follow_endpoints(parts, load_endpoints().book)
    where = parts.engine.where
    state = parts.controller.session.state.value
    return ControlReply(ok=True, state=state, message=where or "local")


def _bound_key(parts: DesktopParts, command: str, args: list[str]) -> ControlReply | PendingReply:
    """`saytype press|release`: the hotkey as a compositor's binding tells it."""
    if parts.bound_hotkey is None:
        parts.bound_hotkey = BoundHotkey(parts.controller)
    keys, moment = parts.bound_hotkey, key_moment(args)
    return keys.press(moment) if command == "press" else keys.release(moment)


def _history_changed(parts: DesktopParts, _command: str, _args: list[str]) -> ControlReply:
    """`saytype recover` wrote to the history: the list shows what it added."""
    if parts.history_panel is not None:
        parts.history_panel.refresh()
    return ControlReply(ok=True, state=parts.controller.session.state.value, message="")


_OBEYED_APART = {
    "engines": _follow_engines,
    "history": _history_changed,
    "press": _bound_key,
    "release": _bound_key,
}


def key_moment(args: list[str]) -> float:
    """When the key went down or up, as ``saytype press|release`` sent it; else now."""
    try:
        return float(args[0])
    except (IndexError, ValueError):
        return time.monotonic()


def _work_a_quit_loses(parts: DesktopParts) -> str:
    """What quitting now would lose, as a refusal; "" when nothing.

    The window asks before losing it; a script that quits cannot be asked, so it
    is refused and told how to quit anyway.
    """
    files = parts.files.jobs_left
    unsaved = parts.queue_panel.unsaved_transcripts()
    kept = parts.controller.history.unsaved_count  # the history could not take them yet
    stopped = []
    if parts.controller.session.active:  # the window asks about this one too
        stopped.append(
            "the dictation under way would stop before its text is saved (the next start "
            "offers its recording)"
        )
    if files:
        stopped.append(
            f"{files} file{'s' * (files != 1)} still to transcribe would stop (the next start "
            "offers them again)"
        )
    if unsaved:
        stopped.append(f"{unsaved} transcript{'s' * (unsaved != 1)} saved nowhere would be lost")
    if kept:
        stopped.append(
            f"{kept} dictation{'s' * (kept != 1)} not yet in the history (it could not be "
            "written: free some disk space) would be lost"
        )
    if not stopped:
        return ""
    return (
        f"not quitting: {' and '.join(stopped)}; quit from the window to be asked, or run "
        f"`saytype quit {FORCE}`"
    )


_REFUSED = {
    "stop": "nothing to stop: no dictation is listening",
    "cancel": "nothing to cancel: no dictation is under way",
    "start": "a dictation cannot start now",
}


# The states as a sentence says them; "error" means the last dictation failed.
_STATE_WORDS = {"error": "idle after a failed dictation"}


def refusal(command: str, state: str) -> str:
    """Why ``command`` did nothing, in words a script's log can show."""
    return (
        f"{_REFUSED.get(command, 'not possible now')} (Saytype is {_STATE_WORDS.get(state, state)})"
    )
