"""The global hotkey, from pynput's listener thread to Qt signals in the GUI thread.

pynput calls back on its own thread. There the bridge only turns the key into
a normalized name, stamps it with ``time.monotonic()`` and hands it to the GUI
thread through a queued signal; the :class:`HotkeyGesture` (Qt-free, tested on
its own) runs in the GUI thread, and a single-shot ``QTimer`` calls its
``poll`` at ``next_deadline()`` to settle releases held back as possible X11
auto-repeat. Nothing raises out of the callback (pynput stops listening when
one does), nothing is suppressed, and when pynput cannot start (no X display,
a pure Wayland session) the bridge says so once and the app works without it.

The bridge also tracks which modifiers are physically down, updated in the
listener thread under a lock, so text delivery can wait for the user to let
go of Ctrl before typing from any thread (Handy #595).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from app.core.hotkeys.chord import (
    Chord,
    display_chord,
    modifier_of,
    parse_chord,
    physical_key,
)
from app.core.hotkeys.gesture import GestureMode, HotkeyAction, HotkeyGesture
from app.core.hotkeys.x11_grab import KeyGrabError, X11KeyGrab
from app.core.hotkeys.x11_keys import key_name, x11_base_chars

log = logging.getLogger(__name__)

_READY_TIMEOUT_S = 20.0  # XRecord set-up is slow on a loaded machine
_STOP_TIMEOUT_S = 2.0


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
    if not env.get("DISPLAY"):
        reason = "no X11 display"
        if env.get("WAYLAND_DISPLAY"):
            reason += " in this Wayland session"
    else:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"Global hotkeys are not available ({reason}). "
        "Bind `saytype toggle` to a key in your desktop's keyboard settings instead."
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


class HotkeyBridge(QObject):
    """Watches one global chord and asks the app to start, finish or cancel dictation.

    Args:
        chord: The chord, as a :class:`Chord` or text (``"ctrl+shift+space"``).
        mode: ``"auto"``, ``"hold"`` or ``"toggle"`` (see :class:`HotkeyGesture`).
        hold_threshold_s: A press held this long is push-to-talk in auto mode.
        listener_factory: Makes the key listener from ``(on_press, on_release)``;
            None means pynput (tests pass a fake).
        parent: The Qt parent.
        clock: Monotonic seconds; tests pass a manual clock.

    Signals:
        start_requested: Start a dictation.
        finish_requested: Finish the dictation (deliver what was heard).
        cancel_requested: Drop the dictation.
        held_changed(bool): The chord's keys went down (True) or up; emitted before
            the start or finish they cause, so typing can wait for the release.
        error(str): The hotkey cannot work, with a message for the user.
    """

    start_requested = Signal()
    finish_requested = Signal()
    held_changed = Signal(bool)  # the chord went down or up (sent before what it starts)
    cancel_requested = Signal()
    error = Signal(str)

    _key_event = Signal(str, bool, float)  # name, is_down, time: listener thread -> GUI thread

    def __init__(
        self,
        chord: Chord | str,
        mode: GestureMode = "auto",
        hold_threshold_s: float = 0.3,
        *,
        listener_factory: ListenerFactory | None = None,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._gesture = HotkeyGesture(_as_chord(chord), mode, hold_threshold_s)
        self._factory = listener_factory
        self._clock = clock
        self._listener: KeyListener | None = None
        self._grab: X11KeyGrab | None = None
        self._base_chars: dict[int, str] = {}
        self._down_lock = threading.Lock()
        self._down: set[str] = set()  # physical keys down, kept by the listener thread
        self._chord_held = False
        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        self._poll_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._poll_timer.timeout.connect(self._poll)
        self._key_event.connect(self._on_key_event, Qt.ConnectionType.QueuedConnection)

    @property
    def chord(self) -> Chord:
        """The chord being watched."""
        return self._gesture.chord

    @property
    def is_listening(self) -> bool:
        """Whether the listener thread is running."""
        return self._listener is not None and self._listener.is_alive()

    def start(self) -> str | None:
        """Start listening; return None, or the message also sent through ``error``."""
        if self._listener is not None:
            return None
        try:
            factory = self._factory or self._pynput_factory()
            listener = factory(self._on_press, self._on_release)
            listener.start()
            if not _wait_ready(listener, _READY_TIMEOUT_S):
                # pynput's stop() waits for readiness first, so stopping a listener that
                # never became ready would hang: leave that to a daemon thread.
                threading.Thread(target=listener.stop, name="hotkey-abandon", daemon=True).start()
                raise RuntimeError("the key listener did not start")
        except Exception as exc:
            message = unavailable_message(exc)
            log.warning("%s (%s: %s)", message, type(exc).__name__, exc)
            self.error.emit(message)
            return message
        self._listener = listener
        log.info("global hotkey %s listening (%s mode)", self.chord, self._gesture.mode)
        if self._factory is None and sys.platform.startswith("linux"):
            self._reserve_chord()
        return None

    def _reserve_chord(self) -> None:
        """Grab the chord on X11 so the focused app does not also receive it."""
        try:
            if self._grab is None:
                self._grab = X11KeyGrab()
            self._grab.grab(self.chord)
        except KeyGrabError as exc:
            message = (
                f"{display_chord(self.chord)} also reaches the focused app ({exc}). "
                "Choose another hotkey in Settings if that gets in the way."
            )
            log.warning("%s", message)
            self.error.emit(message)

    def stop(self) -> None:
        """Stop listening and wait for the listener thread; safe to call twice."""
        listener, self._listener = self._listener, None
        self._poll_timer.stop()
        grab, self._grab = self._grab, None
        if grab is not None:
            grab.close()
        if listener is None:
            return
        try:
            listener.stop()
            listener.join(_STOP_TIMEOUT_S)
        except Exception:
            log.exception("the hotkey listener failed while stopping")
        if listener.is_alive():
            log.warning("the hotkey listener thread did not end within %.0f s", _STOP_TIMEOUT_S)
        with self._down_lock:
            self._down.clear()
        if self._chord_held:  # nobody will report the release now
            self._chord_held = False
            self.held_changed.emit(False)

    def set_chord(self, chord: Chord | str) -> None:
        """Watch another chord (text is parsed; raises ValueError if it is not a chord)."""
        old = self.chord
        self._gesture.set_chord(_as_chord(chord))
        self._emit([])  # the old chord no longer counts as held
        if self._grab is not None and self.chord != old:
            self._grab.ungrab(old)
            self._reserve_chord()

    def set_mode(self, mode: GestureMode) -> None:
        """Switch between ``"auto"``, ``"hold"`` and ``"toggle"``."""
        self._gesture.set_mode(mode)

    @property
    def hold_threshold_s(self) -> float:
        """In auto mode, a press held this long is push-to-talk."""
        return self._gesture.hold_threshold_s

    def set_hold_threshold(self, seconds: float) -> None:
        """In auto mode, a press held this long is push-to-talk (from the next press)."""
        self._gesture.set_hold_threshold(seconds)

    def set_active(self, active: bool) -> None:
        """Tell the gesture whether a dictation is running (it may start elsewhere)."""
        self._gesture.set_active(active)
        if self._grab is not None:
            self._grab.set_escape(active)  # Esc cancels us, without also reaching the app

    def modifiers_down(self) -> frozenset[str]:
        """Modifiers physically held now (``"ctrl"``, ``"shift"``…); safe from any thread.

        Empty when the listener is not running, so a caller that waits for
        release never waits on a hotkey that cannot see the keyboard.
        """
        with self._down_lock:
            keys = tuple(self._down)
        return frozenset(m for m in map(modifier_of, keys) if m is not None)

    # --- listener thread -------------------------------------------------------------

    def _on_press(self, key: Any, injected: bool = False) -> None:
        self._forward(key, True, injected)

    def _on_release(self, key: Any, injected: bool = False) -> None:
        self._forward(key, False, injected)

    def _forward(self, key: object, is_down: bool, injected: bool) -> None:
        # Runs on pynput's thread: an exception here would stop the listener for good.
        try:
            if injected:
                return  # keys this process (or another tool) synthesised are not the user's
            name = key_name(key, self._base_chars)
            if name is None:
                return
            physical = physical_key(name)
            with self._down_lock:
                if is_down:
                    self._down.add(physical)
                else:
                    self._down.discard(physical)
            self._key_event.emit(name, is_down, self._clock())
        except Exception:
            # The key's type, not the key: the listener sees every key the user types.
            log.exception("hotkey listener callback failed on a %s", type(key).__name__)

    # --- GUI thread -------------------------------------------------------------------

    @Slot(str, bool, float)
    def _on_key_event(self, name: str, is_down: bool, t: float) -> None:
        if self._listener is None:
            return  # an event queued before stop()
        gesture = self._gesture
        actions = gesture.key_down(name, t) if is_down else gesture.key_up(name, t)
        self._emit(actions)
        self._schedule_poll()

    @Slot()
    def _poll(self) -> None:
        self._emit(self._gesture.poll(self._clock()))
        self._schedule_poll()

    def _schedule_poll(self) -> None:
        deadline = self._gesture.next_deadline()
        if deadline is None:
            self._poll_timer.stop()
            return
        self._poll_timer.start(max(0, math.ceil((deadline - self._clock()) * 1000)))

    def _emit(self, actions: list[HotkeyAction]) -> None:
        held = self._gesture.chord_held
        if held != self._chord_held:
            self._chord_held = held
            self.held_changed.emit(held)
        for action in actions:
            log.debug("hotkey: %s", action.value)
            if action is HotkeyAction.START:
                self.start_requested.emit()
            elif action is HotkeyAction.FINISH:
                self.finish_requested.emit()
            else:
                self.cancel_requested.emit()

    def _pynput_factory(self) -> ListenerFactory:
        backend_chosen = os.environ.get("PYNPUT_BACKEND_KEYBOARD") or os.environ.get(
            "PYNPUT_BACKEND"
        )
        if sys.platform.startswith("linux") and not backend_chosen:
            if not os.environ.get("DISPLAY"):
                raise RuntimeError("no X11 display")
            # Reading the keymap also proves the display answers, before pynput's thread
            # fails on it where no one can catch the error.
            self._base_chars = x11_base_chars()
            if os.environ.get("WAYLAND_DISPLAY"):
                log.warning(
                    "Wayland session: the global hotkey only sees keys typed into X11 windows; "
                    "bind `saytype toggle` in the desktop's keyboard settings for the rest"
                )
        importlib.import_module("pynput.keyboard")  # raises without a reachable X display
        return pynput_listener_factory


def _as_chord(chord: Chord | str) -> Chord:
    return parse_chord(chord) if isinstance(chord, str) else chord


def _wait_ready(listener: KeyListener, timeout_s: float) -> bool:
    """Wait for the listener to be ready, without hanging when its thread died first."""
    waiter = threading.Thread(target=listener.wait, name="hotkey-ready", daemon=True)
    waiter.start()
    deadline = time.monotonic() + timeout_s
    while waiter.is_alive() and listener.is_alive() and time.monotonic() < deadline:
        waiter.join(0.02)
    return not waiter.is_alive() and listener.is_alive()
