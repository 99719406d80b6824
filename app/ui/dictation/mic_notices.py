"""The microphone's warnings for the window: sound that never arrived, a stand-in input.

Capture goes on in both cases (they are not failures, which stop a dictation): the
user is told what the dictation may lack, or which input hears it. A chosen input that
comes back records again between dictations, and the warnings about it are taken back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QTimer

from app.core.audio.lost_sound import lost_sound_notice
from app.ui.dictation.microphone import Microphone

if TYPE_CHECKING:
    from app.ui.dictation.dictation_controller import DictationController

# How often the sound server is asked whether a chosen input went away or came back: a
# pactl run (a few ms) every few seconds, only while the microphone is open on one.
CHOSEN_CHECK_MS = 3000
# A dictation whose loudest sample stays under this heard no microphone at all: a real one
# in a quiet room still peaks far above it (its own noise), a muted or wrong one does not.
_SILENT_PEAK = 10 ** (-70 / 20)


def silent_input(microphone: Microphone, start: int, end: int | None) -> str | None:
    """Why nothing was heard, when the microphone sent only silence from ``start`` to ``end``.

    "No speech was heard" alone left a new user, speaking into another input than the one
    chosen, with nothing to go on.
    """
    length = None if end is None else max(0, end - start)
    samples = microphone.ring.read_since(start, length).samples
    if len(samples) == 0 or float(np.abs(samples).max()) >= _SILENT_PEAK:
        return None
    name = microphone.device_name or "in use"
    return (
        f"No speech was heard: the microphone {name!r} sent only silence. Is it the one you "
        "spoke into, and not muted? Settings → Audio chooses another."
    )


def tell_microphone_warnings(microphone: Microphone, controller: DictationController) -> None:
    """Show ``microphone``'s warnings as the ``controller``'s notices; withdraw stale ones.

    A chosen input that is back waits for the dictation under way to end before it
    records again: a switch drops the stream for a moment.
    """
    notice, withdraw = controller.notice.emit, controller.notice_withdrawn.emit
    session = controller.session
    away: list[str] = []  # what was said about the chosen input being elsewhere
    watch = QTimer(microphone)
    watch.setInterval(CHOSEN_CHECK_MS)

    def check() -> None:
        if microphone.chosen_can_be_watched:
            microphone.look_at_chosen(switch_back=not session.active)
        else:
            watch.stop()  # closed, or an input that cannot be told gone: the next open says

    def opened() -> None:
        if microphone.chosen_can_be_watched:
            watch.start()

    def elsewhere(message: str) -> None:
        notice("warning", message)
        away.append(message)

    def sound_lost(lost_s: float, gone: str) -> None:
        controller.final_delivery.sound_lost(lost_s)  # no profile keys after the gap
        said = lost_sound_notice(lost_s, gone or None, dictating=session.hearing)
        if said is not None and gone:
            elsewhere(said)
        elif said is not None:
            notice("warning", said)

    def back(name: str) -> None:
        for message in away:
            withdraw(message)
        away.clear()
        notice("info", f"The microphone {name!r} is connected again; Saytype listens to it.")

    watch.timeout.connect(check)
    microphone.opened.connect(opened)
    microphone.lost.connect(sound_lost)
    microphone.stands_in.connect(elsewhere)
    microphone.returned.connect(back)
