"""Type as I speak: the edits waiting for the focused application, none lost, none twice.

Commits settle while the user may still hold the hotkey (hold-to-talk is the
default gesture), and keys typed then would turn into Ctrl+Shift shortcuts.
Typing them anyway lost the start of the dictation: the delivery gave up after
its modifier timeout and only the later words arrived. So edits are queued
here instead and go out one request at a time, in order:

* while the hotkey is held nothing goes out; on release everything waiting
  goes out as one text;
* a request that fails comes back to the front of the queue and typing pauses
  until :meth:`LiveTypingQueue.resume` (the final retries once), so a failure
  never makes later words overtake earlier ones or type them twice;
* an erase ("scratch that") first trims text not yet sent; only what has
  already reached the application is erased with BackSpace;
* a line break waits for the final, and what follows it too: in a terminal it runs
  the command line, in a chat it sends the message, and "scratch that" said after it
  could take neither back;
* once the dictation is finishing, nothing more goes out until the final: when
  nothing had gone out by then (hold-to-talk holds everything back), the final,
  heard more carefully than the commits, replaces them, so the application gets
  the words the history keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LiveMethod = Literal["erase", "type"]


@dataclass(frozen=True)
class LiveEdit:
    """Erase ``erase`` characters before the cursor, then type ``text``."""

    erase: int = 0
    text: str = ""

    def then(self, later: LiveEdit) -> LiveEdit:
        """This edit followed by ``later``, as one edit (``later``'s erase eats our text first)."""
        if later.erase <= len(self.text):
            kept = self.text[: len(self.text) - later.erase]
            return LiveEdit(self.erase, kept + later.text)
        return LiveEdit(self.erase + later.erase - len(self.text), later.text)

    def __bool__(self) -> bool:
        return bool(self.erase or self.text)


@dataclass(frozen=True)
class LiveRequest:
    """One request for the delivery: ``"erase"`` (that many BackSpaces) or ``"type"``."""

    method: LiveMethod
    text: str  # for "erase", one character per BackSpace


class LiveTypingQueue:
    """Orders type-as-I-speak edits into delivery requests, one in flight at a time."""

    def __init__(self, *, held: bool = False) -> None:
        self._pending = LiveEdit()
        self._in_flight: LiveRequest | None = None
        self._held = held
        self._paused = False
        self._awaiting_final = False
        self._last_edit_in = False  # the final's edit is queued: line breaks may go out
        self._anything_out = False  # some request left for the application
        self.sent_text = ""  # everything typed so far and confirmed, erases applied

    @property
    def idle(self) -> bool:
        """Nothing waits and nothing is in flight."""
        return self._in_flight is None and not self._pending

    @property
    def paused(self) -> bool:
        """A request failed; nothing goes out until :meth:`resume`."""
        return self._paused

    @property
    def anything_out(self) -> bool:
        """Some request went out to the application (the queued text is no longer all ours)."""
        return self._anything_out

    def await_final(self, waiting: bool = True) -> None:
        """Send nothing more until the final (``waiting``), or go on as before."""
        self._awaiting_final = waiting

    def withdraw(self) -> None:
        """Drop what waits (nothing went out: the final's text replaces it)."""
        self._pending = LiveEdit()

    def add(self, erase: int, text: str, *, last: bool = False) -> None:
        """Queue one edit (``erase`` characters, then ``text``); ``last``: the final's."""
        self._pending = self._pending.then(LiveEdit(erase, text))
        self._last_edit_in = self._last_edit_in or last

    @property
    def waiting_text(self) -> str:
        """Text not sent yet (what follows a line break, before the final)."""
        return "" if self._pending.erase else self._pending.text

    def let_lines_out(self) -> None:
        """No final will come (the dictation failed): what waits after a line break may go."""
        self._last_edit_in = True

    def set_held(self, held: bool) -> None:
        """The hotkey's keys are down (nothing goes out) or up again."""
        self._held = held

    def resume(self) -> None:
        """Try again after a failure (the final does, once)."""
        self._paused = False

    def next_request(self) -> LiveRequest | None:
        """The request to deliver now, or None (one in flight, held, paused or nothing new)."""
        blocked = self._held or self._paused or self._awaiting_final
        if self._in_flight is not None or blocked or not self._pending:
            return None
        waits = not self._last_edit_in and self._pending.text.startswith("\n")
        if waits and not self._pending.erase:
            return None
        self._anything_out = True
        if self._pending.erase:
            request = LiveRequest("erase", "\b" * self._pending.erase)
            self._pending = LiveEdit(0, self._pending.text)
        else:
            text, waiting = self._pending.text, ""
            if not self._last_edit_in and "\n" in text:  # the line break waits for the final
                text, waiting = text[: text.index("\n")], text[text.index("\n") :]
            request = LiveRequest("type", text)
            self._pending = LiveEdit(0, waiting)
        self._in_flight = request
        return request

    def delivered(self) -> None:
        """The request in flight reached the application."""
        request, self._in_flight = self._in_flight, None
        if request is None:
            return
        if request.method == "erase":
            self.sent_text = self.sent_text[: max(0, len(self.sent_text) - len(request.text))]
        else:
            self.sent_text += request.text

    def failed(self, done: int = 0) -> None:
        """The request in flight stopped after ``done`` characters: the rest is first again,
        and typing pauses."""
        request, self._in_flight = self._in_flight, None
        if request is None:
            return
        if done:
            self._in_flight = LiveRequest(request.method, request.text[:done])
            self.delivered()
            request = LiveRequest(request.method, request.text[done:])
        self._pending = _as_edit(request).then(self._pending)
        self._paused = True


def _as_edit(request: LiveRequest) -> LiveEdit:
    if request.method == "erase":
        return LiveEdit(len(request.text), "")
    return LiveEdit(0, request.text)
