"""The hotkey bound in a compositor: ``saytype press`` and ``saytype release`` obeyed.

sway and Hyprland run a command as the chord goes down and another as it goes up;
:class:`~app.core.hotkeys.key_commands.BoundKeyGesture` puts the two in the order
the keys went, and this turns its actions into the dictation's, as the X11 hotkey's
(:mod:`hotkey_bridge`) are: the mode and hold time of Settings apply, the text waits
until the keys are up, and a dictation starts where the key went down, however long
the command took to come.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from app.core.control_channel import ControlReply, PendingReply
from app.core.hotkeys.gesture import HotkeyAction
from app.core.hotkeys.key_commands import BoundKeyGesture
from app.ui.dictation.dictation_controller import DictationController

log = logging.getLogger(__name__)


class BoundHotkey(QObject):
    """Obeys the press and release commands of a compositor's key binding."""

    def __init__(self, controller: DictationController, parent: QObject | None = None) -> None:
        super().__init__(parent or controller)
        self._controller = controller
        self._keys = BoundKeyGesture()
        controller.state_changed.connect(self._follow)
        self._follow(controller.session.state.value)

    def press(self, t: float) -> ControlReply | PendingReply:
        """The chord went down at ``t``; the reply waits for the microphone when it starts."""
        self._apply_settings()
        return self._obey(self._keys.press(t), t)

    def release(self, t: float) -> ControlReply | PendingReply:
        """The chord went up at ``t``."""
        return self._obey(self._keys.release(t), t)

    def _apply_settings(self) -> None:
        settings = self._controller.settings
        self._keys.gesture.set_mode(settings.hotkey_mode)
        self._keys.gesture.set_hold_threshold(settings.hold_threshold_ms / 1000)

    def _obey(self, actions: list[HotkeyAction], pressed: float) -> ControlReply | PendingReply:
        controller = self._controller
        held = self._keys.gesture.chord_held
        reply: ControlReply | PendingReply | None = None
        for action in actions:
            log.info("bound hotkey at %.3f: %s", pressed, action.value)
            if action is HotkeyAction.START:
                controller.set_hotkey_held(True)  # before the start: nothing typed meanwhile
                reply = self._start(pressed)
            elif action is HotkeyAction.FINISH:
                controller.set_hotkey_held(held)
                controller.stop()
            else:
                controller.escape()
        controller.set_hotkey_held(held)
        if reply is not None:
            return reply
        return ControlReply(ok=True, state=controller.session.state.value, message="")

    def _start(self, pressed: float) -> ControlReply | PendingReply:
        controller = self._controller
        pending = PendingReply()

        def listening(error: str | None) -> None:
            state = controller.session.state.value
            pending.settle(ControlReply(ok=error is None, state=state, message=error or ""))

        if controller.start(source="hotkey", on_mic=listening, since=pressed):
            return pending
        self._keys.gesture.set_active(controller.listening)
        state = controller.session.state.value
        return ControlReply(ok=False, state=state, message="a dictation cannot start now")

    def _follow(self, state: str) -> None:
        gesture = self._keys.gesture
        gesture.set_cancellable(state in {"finishing", "delivering"})
        gesture.set_active(self._controller.listening)
