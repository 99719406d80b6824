"""The global hotkey, from pynput's listener thread to Qt signals in the GUI thread.

pynput calls back on its own thread. There the bridge only turns the key into
a normalized name, stamps it with ``time.monotonic()`` and hands it to the GUI
thread through a queued signal; the :class:`HotkeyGesture` (Qt-free, tested on
its own) runs in the GUI thread, and a single-shot ``QTimer`` calls its
``poll`` at ``next_deadline()`` to settle releases held back as possible X11
auto-repeat. Nothing raises out of the callback (pynput stops listening when
one does), nothing is suppressed, and when pynput cannot start (no X display,
a pure Wayland session) the bridge says so once and the app works without it.
Nothing waits on the GUI thread: the listener is made and waited for (XRecord
can take seconds) through ``run_in_background``, and the X11 grab calls, each an
X round-trip, go in order on a lane of their own. Esc for our menus is theirs.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from app.core.hotkeys.chord import Chord, display_chord, modifier_of, parse_chord
from app.core.hotkeys.gesture import GestureMode, HotkeyAction, HotkeyGesture
from app.core.hotkeys.portal_shortcuts import desktop_key_differs
from app.core.hotkeys.x11_grab import X11KeyGrab
from app.core.hotkeys.x11_keys import X11KeyState, key_name, x11_base_chars, x11_key_state
from app.core.task_lane import TaskLane
from app.ui.dictation.dialog_escape import OwnEscape
from app.ui.dictation.key_listener import (
    READY_TIMEOUT_S,
    STOP_TIMEOUT_S,
    KeyListener,
    ListenerFactory,
    pynput_listener_factory,
    stop_listener,
    unavailable_message,
    wait_ready,
    x11_expected,
)
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)


class HotkeyBridge(QObject):
    """Watches one global chord and asks the app to start, finish or cancel dictation.

    Args:
        chord: The chord, as a :class:`Chord` or text (``"ctrl+shift+space"``).
        mode: ``"auto"``, ``"hold"`` or ``"toggle"`` (see :class:`HotkeyGesture`).
        hold_threshold_s: A press held this long is push-to-talk in auto mode.
        listener_factory: Makes the key listener from ``(on_press, on_release)``;
            None means pynput (tests pass a fake).
        rebind_on_chord_change: Make a new listener when the chord changes (the
            desktop portal's listener binds the chord when it starts).
        parent: The Qt parent.
        clock: Monotonic seconds; tests pass a manual clock.

    Signals:
        start_requested: Start a dictation.
        finish_requested: Finish the dictation (deliver what was heard).
        cancel_requested: Drop the dictation.
        held_changed(bool): The chord's keys went down (True) or up; emitted before
            the start or finish they cause, so typing can wait for the release.
        error(str): The hotkey cannot work, with a message for the user.
        listening: The listener is ready; :meth:`start` returns before it is.
    """

    start_requested = Signal()
    finish_requested = Signal()
    held_changed = Signal(bool)  # the chord went down or up (sent before what it starts)
    cancel_requested = Signal()
    error = Signal(str)
    listening = Signal()
    typed = Signal()  # the user pressed a key of their own, not the hotkey's (X11 only)
    escape_pressed = Signal()  # Esc, anywhere, while held for a countdown (hold_escape)

    _key_event = Signal(str, bool, float)  # name, is_down, time: listener thread -> GUI thread

    def __init__(
        self,
        chord: Chord | str,
        mode: GestureMode = "auto",
        hold_threshold_s: float = 0.3,
        *,
        listener_factory: ListenerFactory | None = None,
        rebind_on_chord_change: bool = False,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._gesture = HotkeyGesture(_as_chord(chord), mode, hold_threshold_s)
        self._factory = listener_factory
        self._rebinds = rebind_on_chord_change
        self._clock = clock
        self._listener: KeyListener | None = None
        self._starting: object | None = None  # the start under way, until it reports
        self._grab: X11KeyGrab | None = None  # only touched on the grab lane
        self._grab_lane = TaskLane("hotkey-grab-calls", max_threads=1)  # in order
        self._base_chars: dict[int, str] = {}
        self._key_state: X11KeyState | None = None  # the X server's answer to "which keys?"
        self._chord_held = False
        self._esc_reserved = False  # the X grab holds Esc: dialogs of ours do not see it
        self._own_escape = OwnEscape(clock, self)  # an Esc for a dialog or menu of ours
        self._esc_held = False  # a Re-type counts down: Esc in any window cancels it
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

    def start(self) -> None:
        """Start listening off the GUI thread; ``listening`` or ``error(message)`` follows.

        Setting up XRecord can take seconds on a loaded machine, so the window paints
        first and the failure message, if any, reaches it when it comes.
        """
        if self._listener is not None or self._starting is not None:
            return
        if self._factory is None and x11_expected() and not os.environ.get("DISPLAY"):
            self._start_failed(None, RuntimeError("no X11 display"))  # known at once: no thread
            return
        token = self._starting = object()
        run_in_background(
            self._make_listener,
            partial(self._started, token),
            partial(self._start_failed, token),
            receiver=self,
        )

    def _make_listener(self) -> KeyListener:
        """Background: make the listener and wait until it is ready (or raise)."""
        factory = self._factory or self._pynput_factory()
        listener = factory(self._on_press, self._on_release)
        listener.start()
        if not wait_ready(listener, READY_TIMEOUT_S):
            # pynput's stop() waits for readiness first, so stopping a listener that
            # never became ready would hang: leave that to a daemon thread.
            threading.Thread(target=listener.stop, name="hotkey-abandon", daemon=True).start()
            raise RuntimeError("the key listener did not start")
        return listener

    def _started(self, token: object, listener: KeyListener) -> None:
        if token is not self._starting:  # stopped while it was starting
            run_in_background(partial(stop_listener, listener))
            return
        self._starting = None
        self._listener = listener
        if self._base_chars:  # X11: a release the listener lost must not kill the hotkey
            self._key_state = x11_key_state()
            self._gesture.check_keys_with(self._key_state)
        log.info("global hotkey %s listening (%s mode)", self.chord, self._gesture.mode)
        if self._grabs:
            self._reserve_chord(self.chord)
        self.listening.emit()
        bound = getattr(listener, "desktop_trigger", "")
        if bound and desktop_key_differs(self.chord, bound):
            self.error.emit(
                f"Your desktop gives Saytype's hotkey the key {bound}, not "
                f"{display_chord(self.chord)}: change it in your desktop's shortcut settings "
                "(Saytype's own setting is only a suggestion to the desktop)."
            )

    def _start_failed(self, token: object | None, exc: BaseException) -> None:
        if token is not self._starting:
            return
        self._starting = None
        message = unavailable_message(exc)
        log.warning("%s (%s: %s)", message, type(exc).__name__, exc)
        self.error.emit(message)

    @property
    def _grabs(self) -> bool:
        """Whether the chord is reserved with an X grab (the real listener, on Linux)."""
        return self._factory is None and sys.platform.startswith("linux")

    def _on_grab_lane(self, work: Callable[[X11KeyGrab], None], chord: Chord | None = None) -> None:
        """Run ``work(grab)`` on the grab lane, opening the grab first; report a failure."""

        def call() -> None:
            if self._grab is None:
                self._grab = X11KeyGrab()
            work(self._grab)

        run_in_background(
            call, on_error=partial(self._grab_failed, chord), lane=self._grab_lane, receiver=self
        )

    def _reserve_chord(self, chord: Chord) -> None:
        """Grab the chord on X11 so the focused app does not also receive it."""
        self._on_grab_lane(lambda grab: grab.grab(chord), chord)

    def _grab_failed(self, chord: Chord | None, exc: BaseException) -> None:
        if chord is None or self._listener is None:
            log.warning("the X11 key grab failed: %s", exc)
            return
        message = (
            f"{display_chord(chord)} also reaches the focused app ({exc}). "
            "Choose another hotkey in Settings if that gets in the way."
        )
        log.warning("%s", message)
        self.error.emit(message)

    def _close_grab(self) -> None:
        """Grab lane: release every grab and close its connection."""
        grab, self._grab = self._grab, None
        if grab is not None:
            grab.close()

    def stop(self) -> None:
        """Stop listening and wait for the listener thread; safe to call twice."""
        listener, self._listener = self._listener, None
        self._starting = None  # a start under way stops its listener when it arrives
        self._poll_timer.stop()
        if self._grabs:
            run_in_background(self._close_grab, lane=self._grab_lane)
            if not self._grab_lane.wait_idle(STOP_TIMEOUT_S):
                log.warning("the X11 key grab did not close within %.0f s", STOP_TIMEOUT_S)
        if self._key_state is not None:
            self._gesture.check_keys_with(None)
            self._key_state.close()
            self._key_state = None
        if listener is None:
            return
        stop_listener(listener)
        if self._chord_held:  # nobody will report the release now
            self._chord_held = False
            self.held_changed.emit(False)

    def set_chord(self, chord: Chord | str) -> None:
        """Watch another chord (text is parsed; raises ValueError if it is not a chord)."""
        old = self.chord
        self._gesture.set_chord(_as_chord(chord))
        self._emit([])  # the old chord no longer counts as held
        if self._rebinds and self._listener is not None and self.chord != old:
            self.stop()  # the portal listener's thread notices within a fifth of a second
            self.start()  # binds the new chord; the desktop may keep the old key (_started)
            return
        if self._grabs and self._listener is not None and self.chord != old:
            self._on_grab_lane(lambda grab: grab.ungrab(old))
            self._reserve_chord(self.chord)

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

    def forget_typed_keys(self) -> None:
        """Saytype has just typed: no letter it pressed may count as held by the user."""
        self._gesture.forget_typed_keys()

    def set_active(self, active: bool) -> None:
        """Tell the gesture whether a dictation is running (it may start elsewhere)."""
        self._gesture.set_active(active)
        self._reserve_escape(active or self._gesture.cancellable or self._esc_held)

    def hold_escape(self, held: bool) -> None:
        """Esc in any window emits :attr:`escape_pressed`, and not in that window (X11)."""
        if held != self._esc_held:  # each second of the countdown says so: one grab will do
            self._esc_held = held
            self._reserve_escape(held or self._gesture.active or self._gesture.cancellable)

    def follow(self, controller: Any) -> None:
        """Follow ``controller``'s dictations (:meth:`follow_dictation`, at each state; once its
        text is out, Esc is the app's: vim's after it). A key typed forgets an owed space."""
        follow = self.follow_dictation
        controller.state_changed.connect(lambda state: follow(state, controller.listening))
        controller.text_out.connect(lambda: follow("idle", controller.listening))
        self.typed.connect(controller.final_delivery.space.forget)

    def follow_dictation(self, state: str, listening: bool | None = None) -> None:
        """Follow the controller's state: listening, or released and still finishing.

        While a released dictation is decoded or delivered, Esc reaches Saytype too (it
        keeps the text from being typed) and is held back from the app: let through, it
        reached a terminal just before the text did. One call, so that Esc is not let go
        for a moment between the two. ``listening`` (the controller's own) also counts a
        dictation pressed for while the last one finished: its held chord's release ends
        it, and a state change meanwhile must not make that release do nothing.
        """
        self._gesture.set_cancellable(state in {"finishing", "delivering"})
        self.set_active(state == "listening" if listening is None else listening)

    def _reserve_escape(self, reserved: bool) -> None:
        self._own_escape.watch(reserved)  # an app-wide filter: only while Esc cancels
        if self._grabs and self._listener is not None:
            # Esc cancels us, without also reaching the app. An X round-trip: not here.
            self._esc_reserved = reserved
            self._on_grab_lane(lambda grab: grab.set_escape(reserved))

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
            self._key_event.emit(name, is_down, self._clock())
        except Exception:
            # The key's type, not the key: the listener sees every key the user types.
            log.exception("hotkey listener callback failed on a %s", type(key).__name__)

    # --- GUI thread -------------------------------------------------------------------

    @Slot(str, bool, float)
    def _on_key_event(self, name: str, is_down: bool, t: float) -> None:
        if self._listener is None:
            return  # an event queued before stop()
        if name == "esc" and self._own_escape.takes(is_down, t, reserved=self._esc_reserved):
            return
        if name == "esc" and self._esc_held and not self._gesture.active:
            if is_down:
                self.escape_pressed.emit()
            return
        if is_down and name not in {"esc", self.chord.key} and modifier_of(name) is None:
            self.typed.emit()
        self._emit(self._gesture.key_down(name, t) if is_down else self._gesture.key_up(name, t))
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
        if x11_expected():
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
