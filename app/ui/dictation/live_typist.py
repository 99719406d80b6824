"""One dictation's "type as I speak" edits on their way through the delivery service.

The order and exactly-once rules live in the Qt-free
:class:`~app.core.output.live_typing.LiveTypingQueue`; this is the glue that
hands its requests to the delivery, one at a time, and tells the controller
when everything reached the application or when typing stopped for good.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer

from app.core.output.live_typing import LiveTypingQueue
from app.core.output.text_delivery import WindowPin
from app.core.text.streaming import TextEdit

log = logging.getLogger(__name__)


class LiveTypist:
    """Types one dictation's edits as they settle; nothing while the hotkey is held.

    Args:
        delivery: the DeliveryService (``deliver``); its ``delivered`` and
            ``failed`` reports come in through :meth:`on_delivered` and :meth:`on_failed`.
        held: the hotkey's keys are down as the dictation starts.
        on_done: everything, the final's edit included, reached the application.
        on_stopped: typing failed again after the final; gets the reason, in one sentence
            (the caller puts what is left on the clipboard, and says so).
        before_first: called once, just before the first edit goes to the delivery.
    """

    def __init__(
        self,
        delivery: Any,
        *,
        held: bool,
        on_done: Callable[[], None],
        on_stopped: Callable[[str], None],
        before_first: Callable[[], None] | None = None,
    ) -> None:
        self._delivery = delivery
        self._before_first = before_first
        self._queue = LiveTypingQueue(held=held)
        self._on_done = on_done
        self._on_stopped = on_stopped
        self._request: int | None = None  # the delivery id of the request in flight
        # Every piece goes into the window the first one went into: a click elsewhere
        # pauses typing (the final tries once more, then the clipboard takes it all).
        self._window = WindowPin()
        self._final = False  # the final's edit is queued: done once the queue is idle
        self._done = False
        self._error = ""
        self.used = False  # some edit was queued for the focused application

    @property
    def window(self) -> WindowPin:
        """The window the dictation's first words went into; the rest goes only there."""
        return self._window

    @property
    def typed(self) -> str:
        """What reached the application, erases applied."""
        return self._queue.sent_text

    @property
    def waiting(self) -> str:
        """Settled text not typed yet: what follows a line break waits for the final."""
        return self._queue.waiting_text

    def cancelled_notice(self) -> str:
        """What to tell the user when the dictation is cancelled after words went out."""
        words = len(self.typed.split())
        rest = " The lines after them, not typed, are in History too." if self.waiting else ""
        return (
            f"Dictation cancelled: nothing more is typed. The {words} words typed before "
            f"stay in the app.{rest}"
        )

    def add(self, edit: TextEdit) -> None:
        """Queue ``edit`` (erase for "scratch that", then type) and send what may go now."""
        if not edit:
            return
        self.used = True
        self._queue.add(edit.erase, edit.text)
        self._pump()

    def set_held(self, held: bool) -> None:
        """The hotkey's keys went down (hold everything back) or up (send it).

        What waits goes out on the next turn of the event loop: the hotkey reports
        the keys up just before the release that finishes the dictation, and a
        finishing dictation keeps its words for the final (:meth:`hold_for_final`).
        """
        self._queue.set_held(held)
        if not held:
            QTimer.singleShot(0, self._pump)

    @property
    def anything_typed(self) -> bool:
        """Some edit went out to the application (queued ones held back do not count)."""
        return self._queue.anything_out

    @property
    def replaceable(self) -> bool:
        """Edits were queued but none went out: the final may take their place."""
        return self.used and not self._queue.anything_out

    def hold_for_final(self) -> None:
        """The dictation is finishing: nothing more goes out until the final's edit."""
        self._queue.await_final()

    def withdraw(self) -> None:
        """Drop every queued edit: nothing went out, and the final's whole text follows."""
        self._queue.withdraw()

    def release_held(self) -> None:
        """No final will come (the dictation failed): send what waits after all."""
        self._queue.await_final(False)
        self._queue.let_lines_out()
        self._pump()

    def finish(self, edit: TextEdit, on_done: Callable[[], None] | None = None) -> None:
        """The final's ``edit``: send it after the rest, retrying once what failed before.

        ``on_done`` replaces the constructor's, e.g. when the final took every typed word
        back and the profile's keys (Enter) must not follow.
        """
        if on_done is not None:
            self._on_done = on_done
        self._final = True
        self._queue.await_final(False)
        self._queue.add(edit.erase, edit.text, last=True)
        self._queue.set_held(False)  # the key is up by the time the final is out
        self._queue.resume()
        self._pump()

    def on_delivered(self, request_id: int) -> bool:
        """A delivery finished; True when it was this typist's request."""
        if request_id != self._request:
            return False
        self._request = None
        self._queue.delivered()
        self._pump()
        return True

    def on_failed(self, request_id: int, message: str) -> bool:
        """A delivery failed; True when it was this typist's request (held back, not lost)."""
        if request_id != self._request:
            return False
        self._request = None
        self._error = message
        # first again when typing resumes, at the final (less what went out before it stopped)
        self._queue.failed(self._delivery.typed_before_failure(request_id))
        log.info("type-as-I-speak paused: %s", message)
        if self._final:
            self._on_stopped(_first_sentence(message))
        return True

    def _pump(self) -> None:
        request = self._queue.next_request()
        if request is not None:
            before, self._before_first = self._before_first, None
            if before is not None:
                before()
            # The caller puts the whole dictation on the clipboard if typing stops.
            self._request = self._delivery.deliver(
                request.text, request.method, clipboard_on_failure=False, only_into=self._window
            )
        elif self._final and self._queue.idle and not self._done:
            self._done = True
            self._on_done()


def _first_sentence(message: str) -> str:
    """The reason of a delivery message, without its own clipboard advice."""
    head = message.split(". ", 1)[0].strip()
    # "Nothing was typed: <why>" is not so of the words typed live before it.
    head = head.removeprefix("Nothing was typed: ")
    head = head[:1].upper() + head[1:]
    return head if head.endswith(".") else f"{head}."
